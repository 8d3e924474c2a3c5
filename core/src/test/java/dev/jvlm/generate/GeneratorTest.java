package dev.jvlm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jvlm.JvlmException;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Generation on random models of every text family and of sizes the reference fixtures do not have:
 * the KV-cache path must agree with full forward passes, and a left-padded batch with its rows run alone.
 */
class GeneratorTest {
    static LanguageModel model(int index, long seed, DType dtype) {
        ConfigNode cfg = new ConfigNode(Json.parse(TestData.TEXT_CONFIGS[index], "config " + index), "config " + index);
        return LanguageModel.create(cfg, new RandomWeights(seed, 0.3, dtype));
    }

    static long[] prompt(int length, int vocab, long seed) {
        long[] p = new long[length];
        for (int i = 0; i < length; i++) {
            p[i] = (seed * 31 + i * 17L) % vocab;
        }
        return p;
    }

    static float[] row(Tensor logits, int t, int vocab) {
        return Arrays.copyOfRange(logits.floats(), t * vocab, (t + 1) * vocab);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void greedyTokensAreTheArgmaxOfFullForwardPasses(int index) {
        LanguageModel lm = model(index, 40 + index, DType.F32);
        int vocab = lm.config().vocabSize();
        long[] p = prompt(7, vocab, index);
        long[] generated = Generator.generate(lm, new long[][] {p}, SamplingParams.greedy(6), null, null).tokens()[0];
        long[] all = Arrays.copyOf(p, p.length + generated.length);
        System.arraycopy(generated, 0, all, p.length, generated.length);
        Tensor logits = lm.forward(new long[][] {all}, null, false).logits();
        for (int i = 0; i < generated.length; i++) {
            assertEquals(Sampler.argmax(row(logits, p.length - 1 + i, vocab), 0, vocab), generated[i], "token " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void leftPaddedBatchMatchesEachRowAlone(int index) {
        LanguageModel lm = model(index, 7 + index, DType.BF16);
        int vocab = lm.config().vocabSize();
        long[] a = prompt(9, vocab, 3);
        long[] b = prompt(5, vocab, 4);
        Generator.Result batch = Generator.generate(lm, new long[][] {a, b}, SamplingParams.greedy(5), null, null);
        long[] aloneA = Generator.generate(lm, new long[][] {a}, SamplingParams.greedy(5), null, null).tokens()[0];
        long[] aloneB = Generator.generate(lm, new long[][] {b}, SamplingParams.greedy(5), null, null).tokens()[0];
        assertArrayEquals(aloneA, batch.tokens()[0]);
        assertArrayEquals(aloneB, batch.tokens()[1]);
    }

    @Test
    void positionsOverRealTokensMakePaddingInvisible() {
        LanguageModel lm = model(0, 5, DType.F32);
        int vocab = lm.config().vocabSize();
        long[] b = prompt(4, vocab, 9);
        long[][] padded = {{0, 0, 0, b[0], b[1], b[2], b[3]}};
        int[][] mask = {{0, 0, 0, 1, 1, 1, 1}};
        var decoder = lm.decoder();
        var cache = new dev.jvlm.models.KVCache(lm.config(), 1, 7);
        Tensor hidden = decoder.forward(lm.embed(padded), lm.positions(LanguageModel.PositionStyle.MASK_CUMSUM, mask, 1, 7),
                mask, null, cache, null);
        Tensor paddedLogits = decoder.logits(hidden);
        Tensor alone = lm.forward(new long[][] {b}, null, false).logits();
        for (int t = 0; t < 4; t++) {
            float[] x = row(paddedLogits, t + 3, vocab);
            float[] y = row(alone, t, vocab);
            for (int v = 0; v < vocab; v++) {
                assertEquals(y[v], x[v], 1e-5f);
            }
        }
    }

    @Test
    void stopTokensAndStopStringsEndGeneration() {
        LanguageModel lm = model(2, 11, DType.F32);
        long[] p = prompt(5, lm.config().vocabSize(), 1);
        long[] free = Generator.generate(lm, new long[][] {p}, SamplingParams.greedy(8), null, null).tokens()[0];
        SamplingParams stopAtThird = SamplingParams.greedy(8).withStops(new int[] {(int) free[2]}, null);
        Generator.Result r = Generator.generate(lm, new long[][] {p}, stopAtThird, null, null);
        int firstOccurrence = 0;
        while (free[firstOccurrence] != free[2]) {
            firstOccurrence++;
        }
        assertEquals(firstOccurrence + 1, r.tokens()[0].length);
        assertEquals(Generator.FinishReason.STOP_TOKEN, r.finishReasons()[0]);
        SamplingParams stopString = SamplingParams.greedy(8).withStops(null, List.of("<" + free[1] + ">"));
        Generator.Result s = Generator.generate(lm, new long[][] {p}, stopString, null,
                ids -> Arrays.stream(ids).mapToObj(id -> "<" + id + ">").reduce("", String::concat));
        assertEquals(Generator.FinishReason.STOP_STRING, s.finishReasons()[0]);
        int firstOfSecond = 0;
        while (free[firstOfSecond] != free[1]) {
            firstOfSecond++;
        }
        assertEquals(firstOfSecond + 1, s.tokens()[0].length);
        assertEquals(Generator.FinishReason.LENGTH, Generator.generate(lm, new long[][] {p}, SamplingParams.greedy(3), null, null)
                .finishReasons()[0]);
    }

    @Test
    void streamingListenerSeesEveryTokenInOrder() {
        LanguageModel lm = model(1, 3, DType.F32);
        long[] p = prompt(4, lm.config().vocabSize(), 2);
        List<Long> streamed = new java.util.ArrayList<>();
        long[] out = Generator.generate(lm, new long[][] {p}, SamplingParams.greedy(5), (seq, id) -> streamed.add((long) id), null)
                .tokens()[0];
        assertArrayEquals(out, streamed.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsMatter() {
        LanguageModel lm = model(0, 1, DType.F32);
        long[] p = prompt(3, lm.config().vocabSize(), 5);
        SamplingParams s1 = new SamplingParams(12, 1.5, 0, 1, 0, 1, 42, null, null);
        SamplingParams s2 = new SamplingParams(12, 1.5, 0, 1, 0, 1, 43, null, null);
        long[] a = Generator.generate(lm, new long[][] {p}, s1, null, null).tokens()[0];
        long[] b = Generator.generate(lm, new long[][] {p}, s1, null, null).tokens()[0];
        long[] c = Generator.generate(lm, new long[][] {p}, s2, null, null).tokens()[0];
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void rejectsBadSamplingValues() {
        assertEquals("top-p must be in (0, 1], got 0.0",
                assertThrows(JvlmException.class, () -> new SamplingParams(1, 1, 0, 0, 0, 1, 0, null, null)).getMessage());
        assertEquals("temperature must be >= 0, got -1.0",
                assertThrows(JvlmException.class, () -> new SamplingParams(1, -1, 0, 1, 0, 1, 0, null, null)).getMessage());
    }
}
