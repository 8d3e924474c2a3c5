package dev.jvlm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.api.ForwardSpec;
import dev.jvlm.models.KVCache;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched decode step and continuous batching: every sequence of a batch, whatever joins or
 * leaves around it, gets the logits and tokens it gets decoded alone.
 */
class ContinuousBatchTest {
    /** The decode of one sequence alone, one token per forward, as {@link Generator} runs it: logits per step. */
    private static List<float[]> decodeAlone(LanguageModel lm, long[] prompt, long[] fed) {
        int vocab = lm.config().vocabSize();
        KVCache cache = new KVCache(lm.config(), 1, prompt.length + fed.length);
        lm.decoder().forward(lm.embed(new long[][] {prompt}), lm.positions(LanguageModel.PositionStyle.MASK_CUMSUM, null, 1,
                prompt.length), null, null, cache, null);
        List<float[]> logits = new ArrayList<>();
        for (int i = 0; i < fed.length; i++) {
            int[][][] pos = new int[lm.config().rope().isMultimodal() ? 3 : 1][1][1];
            for (int[][] axis : pos) {
                axis[0][0] = prompt.length + i;
            }
            Tensor hidden = lm.decoder().forward(lm.embed(new long[][] {{fed[i]}}), pos, new int[][] {{1}}, null, cache, null);
            logits.add(Arrays.copyOf(lm.decoder().logits(hidden.reshape(1, lm.config().hiddenSize())).floats(), vocab));
        }
        return logits;
    }

    /** One sequence of a hand-made schedule: it joins before step {@code joinsAt} and feeds {@code fed}. */
    private record Planned(long[] prompt, long[] fed, int joinsAt) {
    }

    /**
     * Runs the schedule through {@link LanguageModel#decode}: at each step the sequences that have
     * joined and not yet fed all their tokens form the batch. Returns each one's logits per step.
     */
    private static List<List<float[]>> decodeBatched(LanguageModel lm, List<Planned> plan, int[] largestBatch) {
        int vocab = lm.config().vocabSize();
        KVCache[] caches = new KVCache[plan.size()];
        List<List<float[]>> logits = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            logits.add(new ArrayList<>());
        }
        int[] done = new int[plan.size()];
        for (int step = 0; ; step++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                Planned p = plan.get(i);
                if (p.joinsAt == step) {
                    KVCache cache = new KVCache(lm.config(), 1, p.prompt.length + 1);
                    lm.decoder().forward(lm.embed(new long[][] {p.prompt}), lm.positions(LanguageModel.PositionStyle.MASK_CUMSUM,
                            null, 1, p.prompt.length), null, null, cache, null);
                    caches[i] = cache;
                }
                if (p.joinsAt <= step && done[i] < p.fed.length) {
                    rows.add(i);
                }
            }
            if (rows.isEmpty() && step > plan.stream().mapToInt(Planned::joinsAt).max().orElse(0)) {
                return logits;
            }
            largestBatch[0] = Math.max(largestBatch[0], rows.size());
            long[] tokens = new long[rows.size()];
            int[] positions = new int[rows.size()];
            List<KVCache> stepCaches = new ArrayList<>();
            for (int r = 0; r < rows.size(); r++) {
                int i = rows.get(r);
                Planned p = plan.get(i);
                tokens[r] = p.fed[done[i]];
                positions[r] = p.prompt.length + done[i];
                KVCache cache = caches[i];
                // Caches grow as the engine grows them: a step of this test reallocates every other time.
                cache.reserve(cache.length() + 1 + done[i] % 2);
                stepCaches.add(cache);
            }
            if (!rows.isEmpty()) {
                float[] out = lm.decode(tokens, positions, stepCaches).floats();
                for (int r = 0; r < rows.size(); r++) {
                    int i = rows.get(r);
                    logits.get(i).add(Arrays.copyOfRange(out, r * vocab, (r + 1) * vocab));
                    done[i]++;
                }
            }
        }
    }

    private static List<Planned> schedule(int sequences, int vocab, long seed) {
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < sequences; i++) {
            long[] prompt = GeneratorTest.prompt(1 + (int) ((seed + 5L * i) % 11), vocab, seed + i);
            long[] fed = GeneratorTest.prompt(2 + (i * 7) % 9, vocab, seed + 100 + i);
            plan.add(new Planned(prompt, fed, (i * 3) % 7));
        }
        return plan;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aBatchedStepGivesEverySequenceBitwiseTheLogitsItGetsAlone(int family) {
        LanguageModel lm = GeneratorTest.model(family, 60 + family, family % 2 == 0 ? DType.F32 : DType.BF16);
        List<Planned> plan = schedule(7, lm.config().vocabSize(), family);
        int[] largest = {0};
        List<List<float[]>> batched = decodeBatched(lm, plan, largest);
        assertTrue(largest[0] >= 4, "the schedule batches sequences (largest batch " + largest[0] + ")");
        for (int i = 0; i < plan.size(); i++) {
            List<float[]> alone = decodeAlone(lm, plan.get(i).prompt, plan.get(i).fed);
            assertEquals(alone.size(), batched.get(i).size());
            for (int t = 0; t < alone.size(); t++) {
                assertArrayEquals(alone.get(t), batched.get(i).get(t), "sequence " + i + " step " + t);
            }
        }
    }

    @Test
    void beyondTheWeightStreamingRowsTheBlockedKernelAgreesWithinRounding() {
        LanguageModel lm = GeneratorTest.model(0, 3, DType.F32);
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            plan.add(new Planned(GeneratorTest.prompt(2 + i % 5, lm.config().vocabSize(), i),
                    GeneratorTest.prompt(3, lm.config().vocabSize(), 50 + i), 0));
        }
        int[] largest = {0};
        List<List<float[]>> batched = decodeBatched(lm, plan, largest);
        assertEquals(24, largest[0]);
        for (int i = 0; i < plan.size(); i++) {
            List<float[]> alone = decodeAlone(lm, plan.get(i).prompt, plan.get(i).fed);
            for (int t = 0; t < alone.size(); t++) {
                float[] a = alone.get(t);
                float[] b = batched.get(i).get(t);
                double max = 0;
                double diff = 0;
                for (int v = 0; v < a.length; v++) {
                    max = Math.max(max, Math.abs(a[v]));
                    diff = Math.max(diff, Math.abs(a[v] - b[v]));
                }
                assertTrue(diff <= 1e-5 * max, "sequence " + i + " step " + t + ": " + diff + " against " + max);
            }
        }
    }

    /** A request for the engine: prompt, sampling, and when it joins (before which step). */
    private record Request(long[] prompt, SamplingParams params, int joinsAt) {
    }

    private static Function<long[], String> bracketed() {
        return ids -> Arrays.stream(ids).mapToObj(id -> "<" + id + ">").reduce("", String::concat);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void sequencesJoiningAndLeavingGetTheTokensTheyGetAloneWithTheirOwnSampling(int family) {
        LanguageModel lm = GeneratorTest.model(family, 20 + family, DType.F32);
        int vocab = lm.config().vocabSize();
        long[] p = GeneratorTest.prompt(6, vocab, 1);
        long[] free = Generator.generate(lm, new long[][] {p}, SamplingParams.greedy(12), null, null).tokens()[0];
        List<Request> requests = List.of(
                new Request(p, SamplingParams.greedy(12), 0),
                new Request(GeneratorTest.prompt(3, vocab, 2), new SamplingParams(15, 1.3, 0, 0.9, 0, 1, 7, null, null), 0),
                new Request(GeneratorTest.prompt(9, vocab, 3), new SamplingParams(10, 0.8, 5, 1, 0, 1.3, 99, null, null), 2),
                new Request(p, SamplingParams.greedy(12).withStops(new int[] {(int) free[4]}, null), 3),
                new Request(p, SamplingParams.greedy(12).withStops(null, List.of("<" + free[6] + ">")), 3),
                new Request(GeneratorTest.prompt(1, vocab, 4), new SamplingParams(20, 1.0, 0, 1, 0.1, 1, 5, null, null), 5),
                new Request(GeneratorTest.prompt(4, vocab, 5), SamplingParams.greedy(1), 6));
        ContinuousBatch batch = new ContinuousBatch(lm);
        Map<Integer, Sequence> sequences = new HashMap<>();
        Map<Integer, List<Long>> streamed = new HashMap<>();
        int largest = 0;
        for (int step = 0; step < 8 || batch.size() > 0; step++) {
            for (int i = 0; i < requests.size(); i++) {
                Request r = requests.get(i);
                if (r.joinsAt == step) {
                    List<Long> heard = new ArrayList<>();
                    streamed.put(i, heard);
                    sequences.put(i, batch.add(r.prompt, lm.prefill(new long[][] {r.prompt}, null, null), r.params,
                            id -> heard.add((long) id), bracketed()));
                }
            }
            largest = Math.max(largest, batch.size());
            List<Sequence> finished = batch.step();
            for (Sequence s : finished) {
                assertTrue(s.finished() && !batch.sequences().contains(s), "a finished sequence leaves the batch");
            }
        }
        assertTrue(largest >= 5, "largest batch " + largest);
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            Generator.Result alone = Generator.generate(lm, new long[][] {r.prompt}, r.params, null, bracketed());
            Sequence s = sequences.get(i);
            assertArrayEquals(alone.tokens()[0], s.tokens(), "request " + i);
            assertEquals(alone.finishReasons()[0], s.finishReason(), "request " + i);
            assertArrayEquals(s.tokens(), streamed.get(i).stream().mapToLong(Long::longValue).toArray(), "streamed " + i);
            assertEquals(r.prompt.length, s.promptTokens());
        }
        assertEquals(Generator.FinishReason.STOP_TOKEN, sequences.get(3).finishReason());
        assertEquals(Generator.FinishReason.STOP_STRING, sequences.get(4).finishReason());
        assertEquals(Generator.FinishReason.LENGTH, sequences.get(6).finishReason());
    }

    @Test
    void aRemovedSequenceLeavesWithoutDisturbingTheOthers() {
        LanguageModel lm = GeneratorTest.model(1, 8, DType.F32);
        int vocab = lm.config().vocabSize();
        long[] a = GeneratorTest.prompt(5, vocab, 1);
        long[] b = GeneratorTest.prompt(8, vocab, 2);
        long[] c = GeneratorTest.prompt(2, vocab, 3);
        ContinuousBatch batch = new ContinuousBatch(lm);
        Sequence sa = batch.add(a, lm.prefill(new long[][] {a}, null, null), SamplingParams.greedy(10), null, null);
        Sequence sb = batch.add(b, lm.prefill(new long[][] {b}, null, null), SamplingParams.greedy(10), null, null);
        Sequence sc = batch.add(c, lm.prefill(new long[][] {c}, null, null), SamplingParams.greedy(10), null, null);
        for (int i = 0; i < 4; i++) {
            batch.step();
        }
        long cacheBefore = batch.cacheBytes();
        batch.remove(sb);
        assertEquals(cacheBefore - sb.cacheBytes(), batch.cacheBytes());
        assertEquals(List.of(sa, sc), batch.sequences());
        while (batch.size() > 0) {
            batch.step();
        }
        assertEquals(0, batch.cacheBytes());
        for (Sequence s : List.of(sa, sc)) {
            long[] prompt = s == sa ? a : c;
            assertArrayEquals(Generator.generate(lm, new long[][] {prompt}, SamplingParams.greedy(10), null, null).tokens()[0],
                    s.tokens());
        }
        long[] aloneB = Generator.generate(lm, new long[][] {b}, SamplingParams.greedy(10), null, null).tokens()[0];
        assertArrayEquals(Arrays.copyOf(aloneB, 5), sb.tokens(), "the removed sequence stopped after the prefill and 4 steps");
        assertEquals(null, sb.finishReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2_vl", "gemma3", "idefics3"})
    void imagePromptsJoinARunningTextBatch(String family) {
        LanguageModel lm = LanguageModel.load(TestData.resource("models/" + family));
        ForwardSpec spec = ForwardSpec.read(TestData.resource("models/" + family + "/sample_input.json"));
        ForwardSpec text = ForwardSpec.read(TestData.resource("models/" + family + "/sample_text_input.json"));
        long[] image = spec.inputIds()[0];
        long[] words = text.inputIds()[0];
        ContinuousBatch batch = new ContinuousBatch(lm);
        Sequence first = batch.add(words, lm.prefill(new long[][] {words}, null, null), SamplingParams.greedy(9), null, null);
        batch.step();
        batch.step();
        Prefill imagePrefill = lm.prefill(new long[][] {image}, null, spec.imageInputs());
        Sequence second = batch.add(image, imagePrefill, SamplingParams.greedy(8), null, null);
        batch.step();
        Sequence third = batch.add(image, lm.prefill(new long[][] {image}, null, spec.imageInputs()),
                new SamplingParams(6, 1.1, 0, 0.95, 0, 1, 3, null, null), null, null);
        assertEquals(3, batch.size());
        while (batch.size() > 0) {
            batch.step();
        }
        assertArrayEquals(Generator.generate(lm, new long[][] {words}, SamplingParams.greedy(9), null, null).tokens()[0],
                first.tokens());
        assertArrayEquals(Generator.generate(lm, new long[][] {image}, lm.prefill(new long[][] {image}, null, spec.imageInputs()),
                SamplingParams.greedy(8), null, null).tokens()[0], second.tokens());
        assertArrayEquals(Generator.generate(lm, new long[][] {image}, lm.prefill(new long[][] {image}, null, spec.imageInputs()),
                new SamplingParams(6, 1.1, 0, 0.95, 0, 1, 3, null, null), null, null).tokens()[0], third.tokens());
    }
}
