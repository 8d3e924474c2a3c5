package dev.jvlm.models;

import static dev.jvlm.models.VisionFixtures.argmax;
import static dev.jvlm.models.VisionFixtures.concat;
import static dev.jvlm.models.VisionFixtures.ids;
import static dev.jvlm.models.VisionFixtures.model;
import static dev.jvlm.models.VisionFixtures.relativeError;
import static dev.jvlm.models.VisionFixtures.rows;
import static dev.jvlm.models.VisionFixtures.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.api.ForwardSpec;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.ImageSummary;
import dev.jvlm.vision.ProcessedImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties every VLM must have beyond the reference fixtures: a left-padded batch of two prompts
 * with different images gives what each gives alone, greedy generation after a multimodal prefill
 * equals the argmax of one full forward pass, both Hub key layouts load, {@code jvlm init} writes the
 * reference layout, and bad inputs fail with clear errors.
 */
class VisionConsistencyTest {
    static final String[] FAMILIES = {"llava", "llava_next", "idefics3", "qwen2_vl", "qwen2_5_vl", "gemma3"};

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava_next", "idefics3", "qwen2_vl", "qwen2_5_vl", "gemma3"})
    void generationAfterImagePrefillEqualsArgmaxOfOneForwardPass(String family) {
        LanguageModel lm = model(family);
        ForwardSpec spec = sample(family);
        long[][] prompt = spec.inputIds();
        int n = 6;
        Prefill prefill = lm.prefill(prompt, null, spec.imageInputs());
        long[] generated = Generator.generate(lm, prompt, prefill, SamplingParams.greedy(n), null, null).tokens()[0];
        assertEquals(n, generated.length);
        int t = prompt[0].length;
        long[][] full = {ids(prompt[0], generated)};
        Map<String, Tensor> images = new HashMap<>(spec.imageInputs());
        if (images.containsKey("token_type_ids")) {
            images.put("token_type_ids", Tensor.ofLongs(ids(images.get("token_type_ids").toLongs(), new long[n]), 1, t + n));
        }
        float[] logits = lm.forward(lm.prefill(full, null, images), false).logits().floats();
        int vocab = lm.config().vocabSize();
        for (int i = 0; i < n; i++) {
            assertEquals(generated[i], argmax(logits, (t - 1 + i) * vocab, vocab), family + ": token " + i);
        }
    }

    /**
     * Row 0: the sample prompt and image; row 1: a shorter prompt around a synthetic image of another
     * size (other tile count, grid or aspect), left-padded. Each row must match its run alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava_next", "idefics3", "qwen2_vl", "qwen2_5_vl", "gemma3"})
    void leftPaddedBatchOfTwoEqualsEachAlone(String family) {
        LanguageModel lm = model(family);
        ForwardSpec first = sample(family);
        ProcessedImages other = VisionFixtures.process(family, VisionFixtures.image(83, 37, 5));
        ImageSummary summary = other.images().getFirst();
        long[] row1 = ids(first.inputIds()[0][0], 77, VisionFixtures.placeholders(family, summary), 91, 92);
        Map<String, Tensor> images1 = VisionFixtures.tensors(other);
        if (family.equals("gemma3")) {
            images1.put("token_type_ids", typeIds(row1, 502));
        }
        ForwardSpec second = new ForwardSpec(new long[][] {row1}, null, 0, images1, null);

        int t0 = first.inputIds()[0].length;
        int t1 = row1.length;
        int width = Math.max(t0, t1);
        long[][] ids = new long[2][width];
        int[][] mask = new int[2][width];
        long[][] rows = {first.inputIds()[0], row1};
        for (int b = 0; b < 2; b++) {
            int pad = width - rows[b].length;
            System.arraycopy(rows[b], 0, ids[b], pad, rows[b].length);
            Arrays.fill(mask[b], pad, width, 1);
        }
        Map<String, Tensor> batchImages = new LinkedHashMap<>();
        for (String name : first.imageInputs().keySet()) {
            Tensor a = first.imageInputs().get(name);
            Tensor b = images1.get(name);
            batchImages.put(name, switch (name) {
                case "token_type_ids" -> Tensor.ofLongs(leftPad(a.toLongs(), t0, width, b.toLongs(), t1), 2, width);
                default -> a.rank() == 5 || (a.rank() == 4 && family.equals("idefics3")) ? VisionFixtures.stackTiles(a, b) : concat(a, b);
            });
        }
        ForwardSpec batch = new ForwardSpec(ids, mask, 0, batchImages, null);

        Prefill both = lm.prefill(batch.inputIds(), batch.attentionMask(), batch.imageInputs());
        Tensor logits = lm.forward(both, false).logits();
        long[][] batchTokens = Generator.generate(lm, batch.inputIds(), both, SamplingParams.greedy(4), null, null).tokens();
        ForwardSpec[] alone = {first, second};
        Tensor[] features = new Tensor[2];
        for (int b = 0; b < 2; b++) {
            Prefill p = lm.prefill(alone[b].inputIds(), null, alone[b].imageInputs());
            features[b] = p.imageFeatures();
            Tensor single = lm.forward(p, false).logits();
            int len = alone[b].inputIds()[0].length;
            double err = relativeError(rows(logits, b, width - len, width), rows(single, 0, 0, len));
            assertTrue(err < 1e-4, family + " row " + b + ": relative error " + err);
            long[] gen = Generator.generate(lm, alone[b].inputIds(), p, SamplingParams.greedy(4), null, null).tokens()[0];
            assertArrayEquals(gen, batchTokens[b], family + " row " + b + " greedy tokens");
        }
        double err = relativeError(both.imageFeatures().floats(), concatFloats(features[0], features[1]));
        assertTrue(err < 1e-5, family + " image features of the batch: relative error " + err);
    }

    private static float[] concatFloats(Tensor a, Tensor b) {
        float[] x = a.floats();
        float[] out = Arrays.copyOf(x, x.length + (int) b.numel());
        System.arraycopy(b.floats(), 0, out, x.length, (int) b.numel());
        return out;
    }

    private static long[] leftPad(long[] a, int ta, int width, long[] b, int tb) {
        long[] out = new long[2 * width];
        System.arraycopy(a, 0, out, width - ta, ta);
        System.arraycopy(b, 0, out, 2 * width - tb, tb);
        return out;
    }

    private static Tensor typeIds(long[] ids, long imageToken) {
        long[] t = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            t[i] = ids[i] == imageToken ? 1 : 0;
        }
        return Tensor.ofLongs(t, 1, ids.length);
    }

    @Test
    void placeholderCountMismatchIsAClearError() {
        ForwardSpec spec = sample("llava");
        long[] ids = spec.inputIds()[0];
        long[] fewer = ids(Arrays.copyOfRange(ids, 0, 4), Arrays.copyOfRange(ids, 5, ids.length));
        LanguageModel lm = model("llava");
        JvlmException e = assertThrows(JvlmException.class, () -> lm.prefill(new long[][] {fewer}, null, spec.imageInputs()));
        assertTrue(e.getMessage().contains("15 image tokens (id 500)") && e.getMessage().contains("give 16 features"), e.getMessage());

        ForwardSpec q = sample("qwen2_vl");
        long[] noImage = ids(q.inputIds()[0][0], 7, 9);
        e = assertThrows(JvlmException.class, () -> model("qwen2_vl").prefill(new long[][] {noImage}, null, q.imageInputs()));
        assertTrue(e.getMessage().contains("0 image tokens (id 502)") && e.getMessage().contains("give 12 features"), e.getMessage());
    }

    @Test
    void malformedImageInputsAreClearErrors() {
        ForwardSpec idefics = sample("idefics3");
        Tensor pixels = idefics.imageInputs().get("pixel_values");
        Map<String, Tensor> flat = Map.of("pixel_values", pixels.reshape(5, 3, 32, 32));
        JvlmException e = assertThrows(JvlmException.class, () -> model("idefics3").prefill(idefics.inputIds(), null, flat));
        assertTrue(e.getMessage().contains("\"pixel_values\" must be [batch, tiles, 3, height, width], got [5, 3, 32, 32]"), e.getMessage());

        ForwardSpec qwen = sample("qwen2_vl");
        Map<String, Tensor> wrongGrid = Map.of("pixel_values", qwen.imageInputs().get("pixel_values"),
                "image_grid_thw", Tensor.ofLongs(new long[] {1, 8, 8}, 1, 3));
        e = assertThrows(JvlmException.class, () -> model("qwen2_vl").prefill(qwen.inputIds(), null, wrongGrid));
        assertTrue(e.getMessage().contains("holds 48 patches but the grids (t·h·w) call for 64"), e.getMessage());

        ForwardSpec next = sample("llava_next");
        Map<String, Tensor> noSizes = Map.of("pixel_values", next.imageInputs().get("pixel_values"));
        e = assertThrows(JvlmException.class, () -> model("llava_next").prefill(next.inputIds(), null, noSizes));
        assertTrue(e.getMessage().contains("llava_next: image input needs \"image_sizes\""), e.getMessage());

        LanguageModel text = LanguageModel.create(new ConfigNode(Json.parse("""
                {"model_type": "llama", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "intermediate_size": 32, "vocab_size": 600}""", "config"), "config"), new RandomWeights(1, 0.02, DType.F32));
        ForwardSpec llava = sample("llava");
        e = assertThrows(JvlmException.class, () -> text.prefill(llava.inputIds(), null, llava.imageInputs()));
        assertTrue(e.getMessage().contains("model_type \"llama\" is a text model; it takes no image inputs (given: pixel_values)"),
                e.getMessage());
    }

    /** transformers >= 4.52 saves the same weights as model.language_model.*, model.vision_tower.*, model.visual.*, lm_head. */
    @ParameterizedTest
    @ValueSource(strings = {"llava_next", "qwen2_5_vl", "gemma3"})
    void newerHubKeyLayoutGivesIdenticalOutputs(String family) throws IOException {
        Path src = VisionFixtures.dir(family);
        Map<String, Tensor> renamed = new TreeMap<>();
        Safetensors.open(src.resolve("model.safetensors")).tensors().forEach((k, v) -> renamed.put(newName(k), v));
        Path dst = tmp.resolve(family);
        Files.createDirectories(dst);
        Files.copy(src.resolve("config.json"), dst.resolve("config.json"));
        Files.copy(src.resolve("generation_config.json"), dst.resolve("generation_config.json"));
        Safetensors.write(dst.resolve("model.safetensors"), renamed, Map.of("format", "pt"));
        assertTrue(renamed.keySet().stream().anyMatch(k -> k.startsWith("model.language_model.")), renamed.keySet().toString());

        ForwardSpec spec = sample(family);
        LanguageModel moved = LanguageModel.load(dst);
        Tensor got = moved.forward(moved.prefill(spec.inputIds(), null, spec.imageInputs()), false).logits();
        Tensor want = model(family).forward(model(family).prefill(spec.inputIds(), null, spec.imageInputs()), false).logits();
        // Same weights, same arithmetic; only the order of float work split over threads may differ.
        TestData.assertClose(got, want, 1e-6, family + " logits");
    }

    private static String newName(String k) {
        for (String[] r : new String[][] {{"language_model.model.", "model.language_model."}, {"language_model.lm_head.", "lm_head."},
                {"vision_tower.", "model.vision_tower."}, {"multi_modal_projector.", "model.multi_modal_projector."},
                {"image_newline", "model.image_newline"}, {"visual.", "model.visual."}, {"model.", "model.language_model."}}) {
            if (k.startsWith(r[0])) {
                return r[1] + k.substring(r[0].length());
            }
        }
        throw new IllegalArgumentException(k);
    }

    /** {@code jvlm init} on a reference config asks for exactly the reference checkpoint's tensors, names and shapes. */
    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava_next", "idefics3", "qwen2_vl", "qwen2_5_vl", "gemma3"})
    void randomInitialisationWritesTheReferenceKeyLayout(String family) {
        Path dir = VisionFixtures.dir(family);
        RandomWeights weights = new RandomWeights(3, 0.02, DType.F32);
        LanguageModel lm = LanguageModel.create(ConfigNode.read(dir.resolve("config.json")), weights);
        assertTrue(lm.hasVision());
        Map<String, String> want = new TreeMap<>();
        Safetensors.open(dir.resolve("model.safetensors")).tensors().forEach((k, v) -> want.put(k, Arrays.toString(v.shape())));
        Map<String, String> got = new TreeMap<>();
        weights.tensors().forEach((k, v) -> got.put(k, Arrays.toString(v.shape())));
        assertEquals(want, got);
        ForwardSpec spec = sample(family);
        Tensor logits = lm.forward(lm.prefill(spec.inputIds(), null, spec.imageInputs()), false).logits();
        assertArrayEquals(new int[] {1, spec.inputIds()[0].length, lm.config().vocabSize()}, logits.shape());
    }
}
