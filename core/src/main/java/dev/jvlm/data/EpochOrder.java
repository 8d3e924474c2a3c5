package dev.jvlm.data;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits a dataset: a permutation that depends only on the seed, the
 * epoch and the dataset size, so that a run stopped at (epoch, position) resumes on exactly the
 * samples it would have seen next.
 */
public final class EpochOrder {

    private EpochOrder() {
    }

    /**
     * A permutation of {@code 0..size-1} for this seed and epoch (Fisher–Yates driven by a
     * {@link SplittableRandom} seeded from both, so epochs differ and each is reproducible).
     */
    public static int[] permutation(long seed, int epoch, int size) {
        if (size < 0 || epoch < 0) {
            throw new IllegalArgumentException("size and epoch must not be negative, got " + size + " and " + epoch);
        }
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        // Mixing the epoch through a second generator keeps (seed, epoch) pairs from colliding the way seed + epoch would.
        SplittableRandom random = new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ mix(epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
