package dev.jvlm.models;

import static dev.jvlm.models.VisionFixtures.argmax;
import static dev.jvlm.models.VisionFixtures.ids;
import static dev.jvlm.models.VisionFixtures.model;
import static dev.jvlm.models.VisionFixtures.relativeError;
import static dev.jvlm.models.VisionFixtures.times;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.Idefics3ImageProcessor;
import dev.jvlm.vision.ImageLoader;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.ProcessedImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images the reference fixtures do not have, through the real processors and the reference models:
 * a 2x3-tile Idefics3 image, LLaVA-NeXT images whose padding margin is odd or whose best resolution
 * is tall, two images in one prompt, Qwen grids of other shapes and Qwen2.5-VL's window attention.
 */
class VisionInputsTest {
    @TempDir
    Path tmp;

    /** Embeddings {@code hidden_states.0} of a prompt, as [tokens][hidden]. */
    private static float[][] inputEmbeddings(LanguageModel lm, long[] ids, Map<String, Tensor> images) {
        Tensor e = lm.prefill(new long[][] {ids}, null, images).inputsEmbeds();
        int d = e.dim(2);
        float[][] out = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            out[t] = Arrays.copyOfRange(e.floats(), t * d, (t + 1) * d);
        }
        return out;
    }

    private static float[] row(Tensor t, int... index) {
        int d = t.dim(-1);
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            flat = flat * t.dim(i) + index[i];
        }
        return Arrays.copyOfRange(t.floats(), flat * d, (flat + 1) * d);
    }

    @Test
    void idefics3TwoByThreeTilesLandAtTheirPlaceholdersAndMatchEachTileAlone() throws IOException {
        Path dir = VisionFixtures.dir("idefics3");
        String pre = Files.readString(dir.resolve("preprocessor_config.json")).replace("\"longest_edge\": 64", "\"longest_edge\": 96");
        ImageProcessor processor = ImageProcessor.fromJson(pre, null, Files.readString(dir.resolve("config.json")));
        ProcessedImages processed = processor.process(java.util.List.of(VisionFixtures.image(90, 40, 11)));
        Idefics3ImageProcessor.Summary summary = (Idefics3ImageProcessor.Summary) processed.images().getFirst();
        assertEquals(2, summary.rows());
        assertEquals(3, summary.cols());
        Map<String, Tensor> images = VisionFixtures.tensors(processed);
        Tensor mask = images.get("pixel_attention_mask");

        LanguageModel lm = model("idefics3");
        long[] prompt = ids(1, 41, VisionFixtures.standInIds(summary.prompt()), 60, 61);
        Prefill prefill = lm.prefill(new long[][] {prompt}, null, images);
        Tensor features = prefill.imageFeatures();
        assertArrayEquals(new int[] {7, 4, 64}, features.shape());
        float[][] embeds = inputEmbeddings(lm, prompt, images);
        int next = 0;
        for (int t = 0; t < prompt.length; t++) {
            if (prompt[t] == 500) {
                assertArrayEquals(row(features, next / 4, next % 4), embeds[t], "image token " + next);
                next++;
            }
        }
        assertEquals(28, next);

        Tensor pixels = images.get("pixel_values");
        for (int k = 0; k < 7; k++) {
            Map<String, Tensor> one = Map.of(
                    "pixel_values", Tensor.of(Arrays.copyOfRange(pixels.floats(), k * 3 * 32 * 32, (k + 1) * 3 * 32 * 32), 1, 1, 3, 32, 32),
                    "pixel_attention_mask", Tensor.ofLongs(Arrays.copyOfRange(mask.toLongs(), k * 32 * 32, (k + 1) * 32 * 32), 1, 1, 32, 32));
            Tensor alone = lm.prefill(new long[][] {ids(1, 490, times(500, 4), 490)}, null, one).imageFeatures();
            float[] expected = Arrays.copyOfRange(features.floats(), k * 4 * 64, (k + 1) * 4 * 64);
            double err = relativeError(alone.floats(), expected);
            assertTrue(err < 1e-5, "tile " + k + ": relative error " + err);
        }
    }

    /**
     * A tile padded at the bottom (Idefics3 pads smaller images of a batch) with its pixel mask gives
     * its real patches what the unpadded pixels give alone: padding keys are masked, and the real
     * 2x4 patches take the bucketed position ids of rows 0 and 2 of the 4x4 grid either way.
     */
    @Test
    void siglipPaddedTileWithMaskEqualsTheUnpaddedPixels() {
        var ckpt = dev.jvlm.io.Checkpoint.open(VisionFixtures.dir("idefics3"));
        var config = Siglip.config(dev.jvlm.io.ConfigNode.read(VisionFixtures.dir("idefics3").resolve("config.json")).child("vision_config"),
                Siglip.IDEFICS3_DEFAULTS);
        Siglip tower = Siglip.load(ckpt, "model.vision_model.", config);
        float[] pixels = new float[3 * 32 * 32];
        float[] cropped = new float[3 * 16 * 32];
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 14; y++) {
                for (int x = 0; x < 32; x++) {
                    float v = (float) r.nextGaussian();
                    pixels[(c * 32 + y) * 32 + x] = v;
                    cropped[(c * 16 + y) * 32 + x] = v;
                }
            }
        }
        boolean[][] mask = new boolean[1][16];
        for (int p = 0; p < 8; p++) {
            mask[0][p] = true; // pixel rows 0..13 touch patch rows 0 and 1
        }
        Tensor padded = tower.forward(Tensor.of(pixels, 1, 3, 32, 32), mask);
        Tensor alone = tower.forward(Tensor.of(cropped, 1, 3, 16, 32), null);
        double err = relativeError(Arrays.copyOf(padded.floats(), 8 * 32), alone.floats());
        assertTrue(err < 1e-5, "relative error " + err);
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 9, 10, 11}, tower.positionIds(null, 2, 4));
    }

    /**
     * 67x45 fits 64x64 as 64x43: an odd margin of 21 pixels, and a feature grid of 8 rows cut by
     * {@code int(round(45·8/67, 7))} = 5 to 6 rows ((8 - 5) // 2 = 1 from each side). 30x97 takes the
     * 96x32 pinpoint: 12 rows of 4 columns, of which the unpadding keeps all 4 ((4 - 3) // 2 = 0).
     */
    @ParameterizedTest
    @ValueSource(strings = {"67x45:6x8", "30x97:12x4"})
    void llavaNextUnpadsTheTileGridAsHuggingFaceAndEndsEveryRowWithTheNewline(String c) {
        String[] parts = c.split("[x:]");
        int width = Integer.parseInt(parts[0]);
        int height = Integer.parseInt(parts[1]);
        int rows = Integer.parseInt(parts[2]);
        int cols = Integer.parseInt(parts[3]);
        ProcessedImages processed = VisionFixtures.process("llava_next", VisionFixtures.image(width, height, 3));
        int tokens = processed.images().getFirst().numImageTokens();
        assertEquals(16 + rows * (cols + 1), tokens, "the processor's count, from the same formula");

        LanguageModel lm = model("llava_next");
        Map<String, Tensor> images = VisionFixtures.tensors(processed);
        long[] prompt = ids(1, 170, times(500, tokens), 214);
        Tensor features = lm.prefill(new long[][] {prompt}, null, images).imageFeatures();
        float[][] embeds = inputEmbeddings(lm, prompt, images);
        float[] newline = Safetensors.open(VisionFixtures.dir("llava_next").resolve("model.safetensors")).get("image_newline").toF32().floats();
        for (int p = 0; p < 16; p++) {
            assertArrayEquals(row(features, 0, p), embeds[2 + p], "base image patch " + p);
        }
        int[] crop = LlavaNext.unpad(height, width, features.dim(0) == 5 ? 8 : 12, features.dim(0) == 5 ? 8 : 4);
        int gridCols = features.dim(0) == 5 ? 2 : 1;
        for (int r = 0; r < rows; r++) {
            int start = 2 + 16 + r * (cols + 1);
            for (int x = 0; x < cols; x++) {
                int y = crop[0] + r;
                int gx = crop[2] + x;
                int tile = 1 + (y / 4) * gridCols + gx / 4;
                assertArrayEquals(row(features, tile, (y % 4) * 4 + gx % 4), embeds[start + x], "row " + r + " column " + x);
            }
            assertArrayEquals(newline, embeds[start + cols], "newline after row " + r);
        }
    }

    @Test
    void unpadRoundsToSevenDecimalsBeforeTruncatingAsPython() {
        // Expected values from transformers' unpad_image formula evaluated in Python.
        assertArrayEquals(new int[] {1, 7, 0, 8}, LlavaNext.unpad(45, 67, 8, 8));
        assertArrayEquals(new int[] {0, 4, 1, 11}, LlavaNext.unpad(26, 65, 4, 12));
        assertArrayEquals(new int[] {1, 8, 0, 12}, LlavaNext.unpad(47, 94, 9, 12));
        // 47·(12/94) = 5.999999999999999: round(x, 7) gives 6, plain truncation would give 5 and crop a row
        assertArrayEquals(new int[] {0, 7, 0, 12}, LlavaNext.unpad(47, 94, 7, 12));
        assertArrayEquals(new int[] {0, 12, 0, 7}, LlavaNext.unpad(94, 47, 12, 7));
    }

    @Test
    void llavaNextTwoImagesInOnePromptEachGetTheirOwnTiles() {
        DecodedImage a = VisionFixtures.image(67, 45, 1);
        DecodedImage b = VisionFixtures.image(30, 97, 2);
        ProcessedImages both = VisionFixtures.process("llava_next", a, b);
        int na = both.images().get(0).numImageTokens();
        int nb = both.images().get(1).numImageTokens();
        LanguageModel lm = model("llava_next");
        long[] prompt = ids(1, times(500, na), 33, times(500, nb), 34);
        float[][] together = inputEmbeddings(lm, prompt, VisionFixtures.tensors(both));
        float[][] first = inputEmbeddings(lm, ids(1, times(500, na), 33), VisionFixtures.tensors(VisionFixtures.process("llava_next", a)));
        float[][] second = inputEmbeddings(lm, ids(times(500, nb), 34), VisionFixtures.tensors(VisionFixtures.process("llava_next", b)));
        for (int t = 0; t < first.length; t++) {
            assertTrue(relativeError(together[t], first[t]) < 1e-5, "first image, token " + t);
        }
        for (int t = 0; t < second.length; t++) {
            assertTrue(relativeError(together[first.length + t], second[t]) < 1e-5, "second image, token " + t);
        }
    }

    /**
     * Two images of different grids (8x6 and 10x4 patches) in one prompt: each image's tokens equal
     * those it gets alone, positions follow get_rope_index (worked out by hand below), and greedy
     * generation continues from the rope deltas.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
    void qwenTwoImagesOfDifferentGridsInOnePrompt(String family) throws IOException {
        DecodedImage a = new ImageLoader().load(VisionFixtures.dir(family).resolve("sample_image.png"));
        DecodedImage b = VisionFixtures.image(60, 150, 4);
        ProcessedImages both = VisionFixtures.process(family, a, b);
        Map<String, Tensor> images = VisionFixtures.tensors(both);
        assertArrayEquals(new long[] {1, 8, 6, 1, 10, 4}, images.get("image_grid_thw").toLongs());
        LanguageModel lm = model(family);
        long[] prompt = ids(104, 394, 500, times(502, 12), 501, 166, 500, times(502, 10), 501, 201, 171);
        Prefill prefill = lm.prefill(new long[][] {prompt}, null, images);

        int[] t = new int[prompt.length];
        int[] h = new int[prompt.length];
        int[] w = new int[prompt.length];
        int i = 0;
        for (int p = 0; p < 3; p++, i++) {
            t[i] = h[i] = w[i] = p; // two text tokens and vision_start
        }
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 3; x++, i++) {
                t[i] = 3;
                h[i] = 3 + y;
                w[i] = 3 + x;
            }
        }
        for (int p = 7; p < 10; p++, i++) {
            t[i] = h[i] = w[i] = p; // vision_end, text, vision_start: after the largest position 6
        }
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 2; x++, i++) {
                t[i] = 10;
                h[i] = 10 + y;
                w[i] = 10 + x;
            }
        }
        for (int p = 15; p < 18; p++, i++) {
            t[i] = h[i] = w[i] = p;
        }
        assertEquals(prompt.length, i);
        assertArrayEquals(t, prefill.positions()[0][0], "temporal");
        assertArrayEquals(h, prefill.positions()[1][0], "height");
        assertArrayEquals(w, prefill.positions()[2][0], "width");
        assertArrayEquals(new int[] {18 - prompt.length}, prefill.ropeDeltas());

        float[][] together = inputEmbeddings(lm, prompt, images);
        float[][] first = inputEmbeddings(lm, ids(500, times(502, 12)), VisionFixtures.tensors(VisionFixtures.process(family, a)));
        float[][] second = inputEmbeddings(lm, ids(500, times(502, 10)), VisionFixtures.tensors(VisionFixtures.process(family, b)));
        for (int k = 1; k < 13; k++) {
            assertTrue(relativeError(together[2 + k], first[k]) < 1e-5, "first image, token " + k);
        }
        for (int k = 1; k < 11; k++) {
            assertTrue(relativeError(together[17 + k], second[k]) < 1e-5, "second image, token " + k);
        }

        long[] generated = Generator.generate(lm, new long[][] {prompt}, prefill, SamplingParams.greedy(4), null, null).tokens()[0];
        float[] logits = lm.forward(lm.prefill(new long[][] {ids(prompt, generated)}, null, images), false).logits().floats();
        for (int k = 0; k < 4; k++) {
            assertEquals(generated[k], argmax(logits, (prompt.length - 1 + k) * 512, 512), "generated token " + k);
        }
    }

    /**
     * With no full-attention block, Qwen2.5-VL's tower attends only within windows of 2x2 merged
     * blocks: changing the pixels of block 0 changes the blocks of its window {0, 1, 3, 4} of the 4x3
     * grid and no other. With the reference config (block 1 attends fully) the change reaches all.
     */
    @Test
    void qwen25WindowAttentionStaysInsideWindows() throws IOException {
        Path src = VisionFixtures.dir("qwen2_5_vl");
        Path windowed = tmp.resolve("windowed");
        Files.createDirectories(windowed);
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) Json.read(src.resolve("config.json"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("vision_config")).putArray("fullatt_block_indexes");
        Files.writeString(windowed.resolve("config.json"), config.toString());
        Files.copy(src.resolve("model.safetensors"), windowed.resolve("model.safetensors"));

        var spec = VisionFixtures.sample("qwen2_5_vl");
        Tensor pixels = spec.imageInputs().get("pixel_values").toF32();
        float[] changed = pixels.floats().clone();
        for (int k = 0; k < 4 * 1176; k++) {
            changed[k] += 0.5f; // the four patches of merge block 0 come first
        }
        Map<String, Tensor> original = new HashMap<>(spec.imageInputs());
        Map<String, Tensor> perturbed = new HashMap<>(spec.imageInputs());
        perturbed.put("pixel_values", Tensor.of(changed, pixels.shape()));
        long[] prompt = spec.inputIds()[0];

        LanguageModel local = LanguageModel.load(windowed);
        float[][] before = inputEmbeddings(local, prompt, original);
        float[][] after = inputEmbeddings(local, prompt, perturbed);
        for (int block = 0; block < 12; block++) {
            double diff = relativeError(after[5 + block], before[5 + block]);
            boolean inWindow = block == 0 || block == 1 || block == 3 || block == 4;
            assertTrue(inWindow ? diff > 1e-3 : diff < 1e-6, "block " + block + " changed by " + diff);
        }
        LanguageModel full = model("qwen2_5_vl");
        float[][] fullBefore = inputEmbeddings(full, prompt, original);
        float[][] fullAfter = inputEmbeddings(full, prompt, perturbed);
        assertTrue(relativeError(fullAfter[5 + 11], fullBefore[5 + 11]) > 1e-3, "a full-attention block reaches every window");
    }
}
