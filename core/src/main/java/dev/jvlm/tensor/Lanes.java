package dev.jvlm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Horizontal sums with a fixed order of additions. {@code reduceLanes(ADD)} leaves the order to the
 * implementation, and the interpreter and C2 use different orders, so the same computation could
 * round differently before and after JIT compilation; a resumed training run must reproduce the
 * uninterrupted one bit for bit, so every reduction goes through here.
 */
final class Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    // One constant shuffle per fold (rather than a loop over an array of them), so that where C2 inlines
    // the sum it sees each shuffle as a constant.
    private static final VectorShuffle<Float> FOLD_8 = fold(8);
    private static final VectorShuffle<Float> FOLD_4 = fold(4);
    private static final VectorShuffle<Float> FOLD_2 = fold(2);
    private static final VectorShuffle<Float> FOLD_1 = fold(1);

    private Lanes() {
    }

    private static VectorShuffle<Float> fold(int offset) {
        return offset < L ? VectorShuffle.fromOp(F, i -> i ^ offset) : null;
    }

    /** Pairwise tree sum of the lanes: lane i is added to lane i + L/2, then i + L/4, ... */
    static float sum(FloatVector v) {
        if (L > 8) {
            v = v.add(v.rearrange(FOLD_8));
        }
        if (L > 4) {
            v = v.add(v.rearrange(FOLD_4));
        }
        if (L > 2) {
            v = v.add(v.rearrange(FOLD_2));
        }
        if (L > 1) {
            v = v.add(v.rearrange(FOLD_1));
        }
        return v.lane(0);
    }

    /**
     * The same sum, in the same order, of {@code t[off .. off + L)} stored from a vector: for kernels
     * where C2 may not inline {@link #sum(FloatVector)}, whose vector argument would then be boxed on
     * every call. Overwrites those elements.
     */
    static float sum(float[] t, int off) {
        for (int half = L >> 1; half > 0; half >>= 1) {
            for (int i = 0; i < half; i++) {
                t[off + i] += t[off + i + half];
            }
        }
        return t[off];
    }
}
