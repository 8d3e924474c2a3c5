package dev.jvlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.models.TestData;
import dev.jvlm.text.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void epochOrderIsAPermutationFixedBySeedAndEpoch() {
        int[] a = EpochOrder.permutation(7, 0, 50);
        assertArrayEquals(a, EpochOrder.permutation(7, 0, 50));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
        assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.permutation(7, 1, 50)), "epochs differ");
        assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.permutation(8, 0, 50)), "seeds differ");
        assertNotEquals(Arrays.toString(EpochOrder.permutation(7, 1, 50)), Arrays.toString(EpochOrder.permutation(8, 0, 50)),
                "seed and epoch are not simply added");
        assertArrayEquals(new int[0], EpochOrder.permutation(1, 0, 0));
    }

    private static Dataset dataset(int n) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Message> messages = i == 3
                    ? List.of(Message.text("user", "no answer here"))
                    : List.of(Message.text("user", "Question " + i), Message.text("assistant", "Answer " + i));
            samples.add(new Sample(messages, List.of(), "sample " + i));
        }
        return new Dataset("memory", samples, new SkipLog());
    }

    private static SampleEncoder encoder() {
        return SampleEncoder.of(DataFixtures.tokenizer("qwen3"), DataFixtures.template("text/templates/qwen2.jinja",
                ChatTemplate.specialTokens(TestData.tokenizerDir("qwen3"))), null, "qwen2", Map.of());
    }

    @Test
    void batchesFollowTheEpochOrderSkipUnusableSamplesAndResumeExactly() {
        Dataset data = dataset(7);
        SampleEncoder encoder = encoder();
        Batches run = new Batches(data, encoder, 256, 2, 42, 0, 0);
        List<List<String>> seen = new ArrayList<>();
        int[] resumeEpoch = new int[1];
        int[] resumePosition = new int[1];
        for (int b = 0; b < 6; b++) {
            if (b == 3) {
                resumeEpoch[0] = run.epoch();
                resumePosition[0] = run.position();
            }
            seen.add(run.next().origins());
        }
        int[] order = EpochOrder.permutation(42, 0, 7);
        List<String> expectedEpoch0 = Arrays.stream(order).filter(i -> i != 3).mapToObj(i -> "sample " + i).toList();
        List<String> firstEpoch = seen.subList(0, 3).stream().flatMap(List::stream).toList();
        assertEquals(expectedEpoch0, firstEpoch, "6 usable samples in 3 batches of 2, sample 3 skipped");
        assertEquals(2, run.skipped().count(), "sample 3, once per epoch");
        assertTrue(run.skipped().firstReasons().getFirst().startsWith("sample 3: the conversation has no assistant message"));

        Batches resumed = new Batches(data, encoder, 256, 2, 42, resumeEpoch[0], resumePosition[0]);
        for (int b = 3; b < 6; b++) {
            assertEquals(seen.get(b), resumed.next().origins(), "batch " + b + " after resuming");
        }
        List<String> secondEpoch = seen.subList(3, 6).stream().flatMap(List::stream).toList();
        assertEquals(Arrays.stream(EpochOrder.permutation(42, 1, 7)).filter(i -> i != 3).mapToObj(i -> "sample " + i).toList(), secondEpoch);
    }

    @Test
    void skipLogKeepsTheFirstReasonsAndCountsAll() {
        SkipLog log = new SkipLog();
        for (int i = 0; i < 8; i++) {
            log.skip("r" + i);
        }
        assertEquals(8, log.count());
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), log.firstReasons());
        assertEquals("skipped 8 samples, first 5: r0; r1; r2; r3; r4", log.summary());
        SkipLog other = new SkipLog();
        other.skip("x");
        SkipLog total = new SkipLog();
        total.addAll(other);
        total.addAll(log);
        assertEquals(9, total.count());
        assertEquals(List.of("x", "r0", "r1", "r2", "r3"), total.firstReasons());
        assertEquals("no samples skipped", new SkipLog().summary());
    }
}
