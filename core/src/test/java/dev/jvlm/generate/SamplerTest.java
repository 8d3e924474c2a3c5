package dev.jvlm.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    static final float[] LOGITS = {1.0f, 3.0f, -2.0f, 2.9f, 0.5f};

    static int sample(SamplingParams p, long[] seen) {
        return new Sampler(p).next(LOGITS, 0, LOGITS.length, seen, seen.length);
    }

    @Test
    void greedyTakesTheFirstMaximum() {
        assertEquals(1, sample(SamplingParams.greedy(1), new long[0]));
        assertEquals(0, Sampler.argmax(new float[] {2, 2, 1}, 0, 3));
        // A row of a batch's logits: the index is within the row, and the rows around it are not read.
        float[] rows = {9, 9, 1.0f, 3.0f, 3.0f, 2.9f, 9, 9};
        assertEquals(1, Sampler.argmax(rows, 2, 4));
        assertEquals(1, new Sampler(SamplingParams.greedy(1)).next(rows, 2, 4, new long[0], 0));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScores() {
        // 3.0 / 1.2 = 2.5 < 2.9: token 3 wins once token 1 was seen
        SamplingParams p = new SamplingParams(1, 0, 0, 1, 0, 1.2, 0, null, null);
        assertEquals(3, sample(p, new long[] {1}));
        // penalising token 2 (negative) pushes it further down, the max stays
        assertEquals(1, sample(p, new long[] {2}));
    }

    @Test
    void topKOfOneAndTinyTopPAreGreedy() {
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(1, sample(new SamplingParams(1, 5.0, 1, 1, 0, 1, seed, null, null), new long[0]));
            assertEquals(1, sample(new SamplingParams(1, 1.0, 0, 0.01, 0, 1, seed, null, null), new long[0]));
        }
    }

    @Test
    void minPDropsUnlikelyTokens() {
        // p(1) and p(3) are close; min_p 0.5 removes everything else
        for (long seed = 0; seed < 50; seed++) {
            int t = sample(new SamplingParams(1, 1.0, 0, 1, 0.5, 1, seed, null, null), new long[0]);
            assertTrue(t == 1 || t == 3, "token " + t);
        }
    }

    @Test
    void samplingFollowsTheSoftmax() {
        int[] counts = new int[LOGITS.length];
        Sampler s = new Sampler(new SamplingParams(1, 1.0, 0, 1, 0, 1, 9, null, null));
        int n = 20000;
        for (int i = 0; i < n; i++) {
            counts[s.next(LOGITS, 0, LOGITS.length, new long[0], 0)]++;
        }
        float[] p = Sampler.softmax(LOGITS);
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(p[i], counts[i] / (double) n, 0.015, "token " + i);
        }
    }
}
