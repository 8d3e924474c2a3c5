package dev.jvlm.models;

import dev.jvlm.JvlmException;

/**
 * Keys and values of every layer for a batch of sequences, laid out {@code [batch, kvHeads, capacity,
 * headDim]} so that one head's keys are contiguous for attention. Also remembers, per stored
 * position, whether it is a real token (left padding is not) and its bidirectional group. The
 * capacity can grow ({@link #reserve}), so that a sequence that may run long need not hold memory
 * for its longest possible length from the start.
 */
public final class KVCache {
    float[][] keys;
    float[][] values;
    final int batch;
    int capacity;
    final int kvHeads;
    final int headDim;
    int[][] valid;
    int[][] groups;
    private int length;
    private boolean anyGroup;

    public KVCache(TextConfig cfg, int batch, int capacity) {
        this.batch = batch;
        this.capacity = capacity;
        this.kvHeads = cfg.numKvHeads();
        this.headDim = cfg.headDim();
        long perLayer = (long) batch * kvHeads * capacity * headDim;
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new JvlmException("KV cache for " + batch + " sequences of " + capacity + " tokens is too large");
        }
        keys = new float[cfg.numLayers()][(int) perLayer];
        values = new float[cfg.numLayers()][(int) perLayer];
        valid = new int[batch][capacity];
        groups = new int[batch][capacity];
    }

    /** Memory the keys and values hold, in bytes. */
    public long bytes() {
        return 2L * keys.length * keys[0].length * Float.BYTES;
    }

    /**
     * Grows the capacity to at least {@code capacity} positions, keeping what is stored; nothing
     * happens when it is already that large.
     */
    public void reserve(int capacity) {
        if (capacity <= this.capacity) {
            return;
        }
        long perLayer = (long) batch * kvHeads * capacity * headDim;
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new JvlmException("KV cache for " + batch + " sequences of " + capacity + " tokens is too large");
        }
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = regrow(keys[layer], capacity);
            values[layer] = regrow(values[layer], capacity);
        }
        for (int b = 0; b < batch; b++) {
            valid[b] = java.util.Arrays.copyOf(valid[b], capacity);
            groups[b] = java.util.Arrays.copyOf(groups[b], capacity);
        }
        this.capacity = capacity;
    }

    /** {@code [batch, kvHeads, capacity, headDim]} copied into the same layout with a larger capacity. */
    private float[] regrow(float[] old, int newCapacity) {
        float[] grown = new float[batch * kvHeads * newCapacity * headDim];
        for (int bh = 0; bh < batch * kvHeads; bh++) {
            System.arraycopy(old, bh * capacity * headDim, grown, bh * newCapacity * headDim, length * headDim);
        }
        return grown;
    }

    /** Number of positions stored. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Reserves {@code tokens} positions with their padding flags and groups (either may be null). */
    void append(int tokens, int[][] attentionMask, int[][] tokenGroups) {
        if (length + tokens > capacity) {
            throw new JvlmException("sequence of " + (length + tokens) + " tokens exceeds the KV cache capacity " + capacity);
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                valid[b][length + t] = attentionMask == null ? 1 : attentionMask[b][t];
                int g = tokenGroups == null ? 0 : tokenGroups[b][t];
                groups[b][length + t] = g;
                anyGroup |= g != 0;
            }
        }
    }

    void advance(int tokens) {
        length += tokens;
    }

    int[][] groupsOrNull() {
        return anyGroup ? groups : null;
    }

    /**
     * Copies row {@code row} of {@code k, v [rows, kvHeads, headDim]} into this single-sequence cache at
     * position {@code at} of layer {@code layer}: one sequence's share of a batched decode step.
     */
    void storeRow(int layer, float[] k, float[] v, int row, int at) {
        for (int h = 0; h < kvHeads; h++) {
            int src = (row * kvHeads + h) * headDim;
            int dst = (h * capacity + at) * headDim;
            System.arraycopy(k, src, keys[layer], dst, headDim);
            System.arraycopy(v, src, values[layer], dst, headDim);
        }
    }

    /** Copies {@code [batch, tokens, kvHeads, headDim]} rows into layer {@code layer} from position {@code at}. */
    void store(int layer, float[] k, float[] v, int tokens, int at) {
        float[] kc = keys[layer];
        float[] vc = values[layer];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < kvHeads; h++) {
                    int src = ((b * tokens + t) * kvHeads + h) * headDim;
                    int dst = ((b * kvHeads + h) * capacity + at + t) * headDim;
                    System.arraycopy(k, src, kc, dst, headDim);
                    System.arraycopy(v, src, vc, dst, headDim);
                }
            }
        }
    }
}
