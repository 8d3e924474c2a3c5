package dev.jvlm.train;

import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;

/** The causal language-modelling loss as Hugging Face computes it from unshifted labels. */
public final class Losses {
    private Losses() {
    }

    /** Number of positions that score a token: labels at t ≥ 1 that are not {@link Ops#IGNORE_INDEX}. */
    public static int labelTokens(long[][] labels) {
        int n = 0;
        for (long[] row : labels) {
            for (int t = 1; t < row.length; t++) {
                if (row[t] != Ops.IGNORE_INDEX) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Σ over (b, t) with labels[b][t+1] ≠ -100 of -log softmax(logits[b, t])[labels[b][t+1]], divided by
     * {@code denominator}: the label tokens of the whole optimizer step, so that gradient accumulation
     * weighs every token equally.
     */
    public static Tensor causalLm(Tensor logits, long[][] labels, int denominator) {
        int batch = labels.length;
        int tokens = labels[0].length;
        int[] shifted = new int[batch * tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                shifted[b * tokens + t] = t + 1 < tokens ? (int) labels[b][t + 1] : Ops.IGNORE_INDEX;
            }
        }
        return Ops.crossEntropy(logits, shifted, denominator);
    }
}
