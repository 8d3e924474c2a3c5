package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AttentionTest {

    /** Textbook attention over a dense additive mask, in double, as Hugging Face's eager path. */
    static double[] reference(float[] q, float[] k, float[] v, int batch, int tokens, int heads, int kvHeads, int d,
                              int capacity, int keys, int first, float scale, Attention.Mask mask) {
        double[] out = new double[batch * tokens * heads * d];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kvHeads);
                for (int t = 0; t < tokens; t++) {
                    double[] s = new double[keys];
                    double max = Double.NEGATIVE_INFINITY;
                    boolean any = false;
                    for (int j = 0; j < keys; j++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += q[((b * tokens + t) * heads + h) * d + i] * k[((b * kvHeads + g) * capacity + j) * d + i];
                        }
                        double sc = dot * scale;
                        if (mask.softcap() > 0) {
                            sc = mask.softcap() * Math.tanh(sc / mask.softcap());
                        }
                        s[j] = mask.allows(b, first + t, j) ? sc : Double.NEGATIVE_INFINITY;
                        any |= mask.allows(b, first + t, j);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < keys; j++) {
                        s[j] = any ? Math.exp(s[j] - max) : 1;
                        sum += s[j];
                    }
                    for (int j = 0; j < keys; j++) {
                        for (int i = 0; i < d; i++) {
                            out[((b * tokens + t) * heads + h) * d + i] += s[j] / sum * v[((b * kvHeads + g) * capacity + j) * d + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    void check(Attention.Mask mask, int batch, int tokens, int first, int capacity) {
        SplittableRandom r = new SplittableRandom(11);
        int heads = 4, kvHeads = 2, d = 20;
        int keys = first + tokens;
        float[] q = random(r, batch * tokens * heads * d);
        float[] k = random(r, batch * kvHeads * capacity * d);
        float[] v = random(r, batch * kvHeads * capacity * d);
        float[] out = new float[q.length];
        Attention.attend(q, k, v, out, batch, tokens, heads, kvHeads, d, capacity, keys, first, 0.3f, mask);
        double[] expected = reference(q, k, v, batch, tokens, heads, kvHeads, d, capacity, keys, first, 0.3f, mask);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-5, "element " + i);
        }
    }

    @Test
    void causalWithGroupedQueryHeads() {
        check(Attention.Mask.causalOnly(), 2, 9, 0, 9);
    }

    @Test
    void decodeStepAgainstCachedKeys() {
        check(Attention.Mask.causalOnly(), 2, 1, 12, 16);
    }

    @Test
    void slidingWindowPaddingAndBidirectionalGroups() {
        int[][] valid = {{0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
        int[][] groups = {{0, 0, 0, 1, 1, 1, 0, 0, 0, 0}, {0, 2, 2, 2, 2, 0, 0, 0, 0, 0}};
        check(new Attention.Mask(true, 3, valid, groups, null, 0), 2, 10, 0, 10);
    }

    @Test
    void blockedPrefillAcrossQueryBlocksWithEveryMaskRule() {
        int tokens = 61;
        int[][] valid = new int[2][tokens];
        int[][] groups = new int[2][tokens];
        for (int t = 0; t < tokens; t++) {
            valid[0][t] = t < 5 ? 0 : 1;
            valid[1][t] = 1;
            groups[0][t] = t >= 20 && t < 30 ? 1 : 0;
            groups[1][t] = t >= 40 && t < 55 ? 3 : 0;
        }
        check(new Attention.Mask(true, 17, valid, groups, null, 0), 2, tokens, 0, tokens);
        check(new Attention.Mask(true, 0, valid, null, null, 30f), 2, tokens, 0, tokens);
        check(Attention.Mask.causalOnly(), 1, 50, 0, 50);
        check(Attention.Mask.bidirectional(), 1, 13, 0, 13);
    }

    @Test
    void blockedChunkAfterCachedKeys() {
        check(Attention.Mask.causalOnly(), 2, 20, 7, 40);
    }

    @Test
    void bidirectionalWithoutCausality() {
        check(Attention.Mask.bidirectional(), 1, 7, 0, 7);
    }

    @Test
    void fullyMaskedRowAveragesAllValuesAsHuggingFaceDoes() {
        int[][] valid = {{0, 0, 1, 1}};
        check(new Attention.Mask(true, 0, valid, null, null, 0), 1, 4, 0, 4);
    }

    /**
     * Packed vision attention: segments of unequal and equal lengths (an empty one too), some keys
     * invalid; each token's output must be dense attention over the valid keys of its own segment.
     */
    @Test
    void packedSegmentsAttendOnlyWithinThemselves() {
        SplittableRandom r = new SplittableRandom(5);
        int heads = 3, d = 8;
        int[] cu = {0, 5, 5, 9, 13, 20};
        int n = cu[cu.length - 1];
        float[] q = random(r, n * heads * d);
        float[] k = random(r, n * heads * d);
        float[] v = random(r, n * heads * d);
        int[] valid = new int[n];
        java.util.Arrays.fill(valid, 1);
        valid[3] = 0;
        valid[12] = 0;
        valid[19] = 0;
        float[] out = Attention.packed(Tensor.of(q, n, heads * d), Tensor.of(k, n, heads * d), Tensor.of(v, n, heads * d), cu, heads, d,
                0.4f, valid).floats();
        for (int s = 0; s + 1 < cu.length; s++) {
            for (int t = cu[s]; t < cu[s + 1]; t++) {
                for (int h = 0; h < heads; h++) {
                    double[] w = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = cu[s]; j < cu[s + 1]; j++) {
                        if (valid[j] == 0) {
                            continue;
                        }
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += q[(t * heads + h) * d + i] * k[(j * heads + h) * d + i];
                        }
                        w[j] = dot * 0.4;
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = cu[s]; j < cu[s + 1]; j++) {
                        w[j] = valid[j] == 0 ? 0 : Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    for (int i = 0; i < d; i++) {
                        double expected = 0;
                        for (int j = cu[s]; j < cu[s + 1]; j++) {
                            expected += w[j] / sum * v[(j * heads + h) * d + i];
                        }
                        assertEquals(expected, out[(t * heads + h) * d + i], 1e-5, "token " + t + " head " + h);
                    }
                }
            }
        }
    }
}
