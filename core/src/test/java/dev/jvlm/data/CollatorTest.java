package dev.jvlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.Tokenizer;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.NdArray;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollatorTest {

    private static List<Message> describe(String answer) {
        return List.of(Message.parts("user", new Part.Image(), new Part.Text("Describe.")), Message.parts("assistant", new Part.Text(answer)));
    }

    private static SampleEncoder qwen() {
        return SampleEncoder.of(DataFixtures.tokenizer("qwen3"), DataFixtures.template("text/templates/qwen2_5_vl.jinja",
                ChatTemplate.specialTokens(TestData.tokenizerDir("qwen3"))), DataFixtures.processor("qwen2_5_vl"), "qwen2_5_vl", Map.of());
    }

    @Test
    void rightPaddingMasksAndLabels() {
        SampleEncoder encoder = qwen();
        EncodedSample longer = encoder.encode(DataFixtures.sample(describe("A long gradient from red to green."), DataFixtures.image(40, 30)));
        EncodedSample shorter = encoder.encode(DataFixtures.sample(List.of(Message.text("user", "Hi"), Message.text("assistant", "Hello"))));
        Batch batch = encoder.collator(512).collate(List.of(shorter, longer));

        assertEquals(2, batch.size());
        assertEquals(longer.length(), batch.length());
        for (int t = 0; t < batch.length(); t++) {
            boolean real = t < shorter.length();
            assertEquals(real ? shorter.inputIds()[t] : encoder.padId(), batch.inputIds()[0][t]);
            assertEquals(real ? 1 : 0, batch.attentionMask()[0][t]);
            assertEquals(real ? shorter.labels()[t] : Ops.IGNORE_INDEX, batch.labels()[0][t]);
            assertEquals(longer.inputIds()[t], batch.inputIds()[1][t]);
            assertEquals(1, batch.attentionMask()[1][t]);
        }
        assertEquals(DataFixtures.tokenizer("qwen3").tokenId("<|endoftext|>"), encoder.padId(), "Qwen's pad token");
        Tensor pixels = batch.imageInputs().get("pixel_values");
        assertArrayEquals(longer.images().pixelValues().shape(), pixels.shape(), "only the sample with an image contributes");
        assertArrayEquals(((LongArray) longer.images().tensor("image_grid_thw")).data(), batch.imageInputs().get("image_grid_thw").toLongs());
        assertEquals(List.of("test", "test"), batch.origins());
    }

    @Test
    void qwenImageTensorsConcatenateAlongPatches() {
        SampleEncoder encoder = qwen();
        EncodedSample a = encoder.encode(DataFixtures.sample(describe("A."), DataFixtures.image(40, 30)));
        EncodedSample b = encoder.encode(DataFixtures.sample(describe("B."), DataFixtures.image(60, 60)));
        Batch batch = encoder.collator(512).collate(List.of(a, b));
        int[] pa = a.images().pixelValues().shape();
        int[] pb = b.images().pixelValues().shape();
        assertArrayEquals(new int[] {pa[0] + pb[0], pa[1]}, batch.imageInputs().get("pixel_values").shape());
        long[] grids = batch.imageInputs().get("image_grid_thw").toLongs();
        long[] expected = new long[6];
        System.arraycopy(((LongArray) a.images().tensor("image_grid_thw")).data(), 0, expected, 0, 3);
        System.arraycopy(((LongArray) b.images().tensor("image_grid_thw")).data(), 0, expected, 3, 3);
        assertArrayEquals(expected, grids);
    }

    @Test
    void idefics3PadsTilesPerSampleAndGivesTextOnlySamplesAnEmptyRow() {
        Tokenizer tok = DataFixtures.tokenizerWithSpecialTokens("gpt2", List.of("<end_of_utterance>", "<image>", "<fake_token_around_image>", "<global-img>"));
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("data/templates/smolvlm.jinja", Map.of()),
                DataFixtures.processor("idefics3"), "idefics3", Map.of());
        EncodedSample split = encoder.encode(DataFixtures.sample(describe("Wide."), DataFixtures.image(40, 30)));
        EncodedSample small = encoder.encode(DataFixtures.sample(List.of(
                Message.parts("user", new Part.Image(), new Part.Image(), new Part.Text("Compare.")),
                Message.parts("assistant", new Part.Text("Two."))), DataFixtures.image(6, 6), DataFixtures.image(9, 4)));
        EncodedSample text = encoder.encode(DataFixtures.sample(List.of(
                Message.parts("user", new Part.Text("Hi")), Message.parts("assistant", new Part.Text("Hello")))));
        Batch batch = encoder.collator(512).collate(List.of(small, text, split));

        int[] one = split.images().pixelValues().shape();
        int[] two = small.images().pixelValues().shape();
        assertTrue(two[1] > one[1], "two images have more tiles than one");
        int tiles = two[1];
        Tensor pixels = batch.imageInputs().get("pixel_values");
        assertArrayEquals(new int[] {3, tiles, 3, one[3], one[4]}, pixels.shape());
        Tensor mask = batch.imageInputs().get("pixel_attention_mask");
        assertArrayEquals(new int[] {3, tiles, one[3], one[4]}, mask.shape());
        long[] m = mask.toLongs();
        int row = tiles * one[3] * one[4];
        assertEquals(Arrays.stream(((LongArray) small.images().tensor("pixel_attention_mask")).data()).sum(),
                Arrays.stream(m, 0, row).sum());
        assertEquals(0, Arrays.stream(m, row, 2 * row).sum(), "the text-only sample's row is all padding");
        assertEquals(Arrays.stream(((LongArray) split.images().tensor("pixel_attention_mask")).data()).sum(),
                Arrays.stream(m, 2 * row, 3 * row).sum(), "the one-image sample's missing tiles are padding");
        assertEquals(0f, pixels.getFloat(3L * tiles * 3 * one[3] * one[4] - 1), "padding tiles are zeros");
    }

    @Test
    void concatenationZeroPadsEveryDimensionButTheFirst() {
        NdArray a = new FloatArray(new float[] {1, 2, 3, 4, 5, 6}, new int[] {1, 2, 3});
        NdArray b = new FloatArray(new float[] {7, 8, 9, 10, 11, 12, 13, 14}, new int[] {2, 1, 4});
        Tensor t = Collator.concatenate(Arrays.asList(a, null, b));
        assertArrayEquals(new int[] {4, 2, 4}, t.shape());
        float[] expected = {
                1, 2, 3, 0, 4, 5, 6, 0,
                0, 0, 0, 0, 0, 0, 0, 0,
                7, 8, 9, 10, 0, 0, 0, 0,
                11, 12, 13, 14, 0, 0, 0, 0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], t.getFloat(i), "element " + i);
        }
        Tensor longs = Collator.concatenate(List.of(new LongArray(new long[] {1, 2}, new int[] {1, 2}), new LongArray(new long[] {3}, new int[] {1, 1})));
        assertArrayEquals(new long[] {1, 2, 3, 0}, longs.toLongs());
    }

    @Test
    void gemma3BatchesCarryTokenTypeIdsPaddedWithZeros() {
        Tokenizer tok = DataFixtures.tokenizer("gemma3");
        SampleEncoder encoder = SampleEncoder.of(tok, ChatTemplate.load(TestData.tokenizerDir("gemma3")), DataFixtures.processor("gemma3"), "gemma3", Map.of());
        EncodedSample a = encoder.encode(DataFixtures.sample(describe("A long answer for this one."), DataFixtures.image(40, 30)));
        EncodedSample b = encoder.encode(DataFixtures.sample(describe("Short."), DataFixtures.image(20, 20)));
        Batch batch = encoder.collator(512).collate(List.of(a, b));
        Tensor types = batch.imageInputs().get("token_type_ids");
        assertArrayEquals(new int[] {2, a.length()}, types.shape());
        assertEquals(8, Arrays.stream(types.toLongs()).sum(), "4 image soft tokens per image");
        assertArrayEquals(new int[] {2, 3, 32, 32}, batch.imageInputs().get("pixel_values").shape());
        assertEquals(tok.padId(), (int) batch.inputIds()[1][a.length() - 1]);
    }

    @Test
    void overLongSamplesAreTruncatedAfterTheirImagesOrDropped() {
        SampleEncoder encoder = qwen();
        EncodedSample s = encoder.encode(DataFixtures.sample(describe("One two three four five six seven eight nine ten."),
                DataFixtures.image(40, 30)));
        Collator fitsAll = encoder.collator(s.length());
        assertEquals(s, fitsAll.fit(s));

        int cut = s.imageTokensEnd() + 8;
        EncodedSample truncated = encoder.collator(cut).fit(s);
        assertEquals(cut, truncated.length());
        assertArrayEquals(Arrays.copyOf(s.inputIds(), cut), truncated.inputIds());
        assertTrue(truncated.labelledTokens() > 0 && truncated.labelledTokens() < s.labelledTokens());

        SampleException throughImage = assertThrows(SampleException.class, () -> encoder.collator(s.imageTokensEnd() - 1).fit(s));
        assertEquals("test: " + s.length() + " tokens, and its image tokens end at token " + s.imageTokensEnd()
                + ", beyond the maximum length " + (s.imageTokensEnd() - 1) + "; dropped", throughImage.getMessage());
        SampleException noLabels = assertThrows(SampleException.class, () -> encoder.collator(s.imageTokensEnd() + 1).fit(s));
        assertTrue(noLabels.getMessage().contains("no labelled token is left within the maximum length"), noLabels.getMessage());
        assertThrows(IllegalArgumentException.class, () -> encoder.collator(cut).collate(List.of(s)), "collate refuses unfitted samples");
    }
}
