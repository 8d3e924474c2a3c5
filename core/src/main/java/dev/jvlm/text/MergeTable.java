package dev.jvlm.text;

import java.util.Arrays;

/**
 * BPE merge rules: (left id, right id) → (rank, merged id), in an open-addressing table of
 * primitive longs. Gemma's 514 906 merges would otherwise cost a boxed map entry each, and the
 * lookup sits in the inner loop of every cache miss.
 */
final class MergeTable {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Adds or replaces a rule; a later duplicate wins, as when tokenizers collects merges into a map. */
    void put(int left, int right, int rank, int mergedId) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY && keys[i] != k) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            size++;
            if (size * 4L > keys.length * 3L) {
                throw new IllegalStateException("merge table over capacity");
            }
        }
        keys[i] = k;
        values[i] = ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
    }

    /** (rank << 32 | merged id) for the pair, or -1 when the pair never merges. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        while (true) {
            long found = keys[i];
            if (found == k) {
                return values[i];
            }
            if (found == EMPTY) {
                return -1L;
            }
            i = (i + 1) & mask;
        }
    }

    static int rank(long entry) {
        return (int) (entry >>> 32);
    }

    static int mergedId(long entry) {
        return (int) entry;
    }
}
