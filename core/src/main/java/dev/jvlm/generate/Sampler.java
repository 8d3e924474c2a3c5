package dev.jvlm.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns one row of logits into a token, applying Hugging Face's logits processors in generate()'s
 * order: repetition penalty, then temperature, top-k, top-p and min-p, then sampling from the softmax.
 */
final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /** Picks the next token from {@code logits[off, off+vocab)}; {@code seen} are the ids so far (prompt included). */
    int next(float[] logits, int off, int vocab, long[] seen, int seenCount) {
        if (params.isGreedy() && params.repetitionPenalty() == 1) {
            // Read in place: a decode step would otherwise copy the whole vocabulary's logits per token.
            return argmax(logits, off, vocab);
        }
        float[] s = Arrays.copyOfRange(logits, off, off + vocab);
        if (params.repetitionPenalty() != 1) {
            float p = (float) params.repetitionPenalty();
            boolean[] done = new boolean[vocab];
            for (int i = 0; i < seenCount; i++) {
                int id = (int) seen[i];
                if (id >= 0 && id < vocab && !done[id]) {
                    done[id] = true;
                    s[id] = s[id] < 0 ? s[id] * p : s[id] / p;
                }
            }
        }
        if (params.isGreedy()) {
            return argmax(s, 0, vocab);
        }
        float t = (float) params.temperature();
        for (int i = 0; i < vocab; i++) {
            s[i] /= t;
        }
        if (params.topK() > 0 && params.topK() < vocab) {
            float[] sorted = s.clone();
            Arrays.sort(sorted);
            float kth = sorted[vocab - params.topK()];
            for (int i = 0; i < vocab; i++) {
                if (s[i] < kth) {
                    s[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (params.topP() < 1) {
            topP(s, params.topP());
        }
        float[] probs = softmax(s);
        if (params.minP() > 0) {
            float max = 0;
            for (float p : probs) {
                max = Math.max(max, p);
            }
            float threshold = (float) (params.minP() * max);
            for (int i = 0; i < vocab; i++) {
                if (probs[i] < threshold) {
                    s[i] = Float.NEGATIVE_INFINITY;
                }
            }
            probs = softmax(s);
        }
        double u = random.nextDouble();
        double acc = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0) {
                acc += probs[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Removes the tokens outside the smallest set whose probability reaches {@code topP} (at least one kept). */
    private static void topP(float[] s, double topP) {
        int n = s.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        float[] probs = softmax(s);
        Arrays.sort(order, (a, b) -> Float.compare(probs[a], probs[b]));
        double cum = 0;
        // As HF: ascending order, drop while the cumulative mass stays <= 1 - top_p, keep the last token.
        for (int r = 0; r < n - 1; r++) {
            cum += probs[order[r]];
            if (cum <= 1 - topP) {
                s[order[r]] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
    }

    static float[] softmax(float[] s) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : s) {
            max = Math.max(max, v);
        }
        float[] p = new float[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            p[i] = s[i] == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp(s[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < s.length; i++) {
            p[i] = (float) (p[i] / sum);
        }
        return p;
    }

    /** Index in [0, n) of the largest of {@code s[off, off + n)}; the first one on ties, as torch.argmax. */
    static int argmax(float[] s, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (s[off + i] > s[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
