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
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private Lanes() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int levels = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] s = new VectorShuffle[levels];
        for (int k = 0; k < levels; k++) {
            int offset = F.length() >> (k + 1);
            s[k] = VectorShuffle.fromOp(F, i -> i ^ offset);
        }
        return s;
    }

    /** Pairwise tree sum of the lanes: lane i is added to lane i + L/2, then i + L/4, ... */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }
}
