package dev.jvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.api.ForwardSpec;
import dev.jvlm.api.Grads;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PEFT's modules_to_save: which modules an entry selects, the file keys PEFT 0.15 writes for them
 * (get_peft_model_state_dict removes the wrapper's "modules_to_save.default." from
 * base_model.model.&lt;module&gt;.modules_to_save.default.&lt;param&gt;), loading, gradients, merging,
 * and tied embeddings.
 */
class ModulesToSaveTest {
    @TempDir
    Path tmp;

    static final long[][] IDS = {{1, 17, 250, 3, 99, 402, 7, 7, 31, 2}};

    static Path model(String arch) {
        return TestData.resource("models/" + arch);
    }

    static LoraConfig config(List<String> modulesToSave) {
        return new LoraConfig(4, 8, 0, false, List.of("q_proj", "v_proj"), null, null, null, modulesToSave, null);
    }

    /** Moves every trainable tensor off its initial value, as training would. */
    static void perturb(LoraAdapter adapter, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Tensor t : adapter.parameters().values()) {
            float[] f = t.floats();
            for (int i = 0; i < f.length; i++) {
                f[i] += (float) (0.05 * r.nextGaussian());
            }
        }
    }

    static Set<String> savedKeys(Path adapterDir) {
        return Safetensors.open(adapterDir.resolve("adapter_model.safetensors")).tensors().keySet().stream()
                .filter(k -> !k.contains(".lora_")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The keys PEFT writes: base_model.model. + module path + the module's own state-dict keys. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "idefics3 | lm_head,connector | lm_head.weight model.connector.modality_projection.proj.weight",
        "llava | lm_head,multi_modal_projector | language_model.lm_head.weight multi_modal_projector.linear_1.bias "
            + "multi_modal_projector.linear_1.weight multi_modal_projector.linear_2.bias multi_modal_projector.linear_2.weight",
        "qwen2_vl | lm_head,merger | lm_head.weight visual.merger.ln_q.bias visual.merger.ln_q.weight visual.merger.mlp.0.bias "
            + "visual.merger.mlp.0.weight visual.merger.mlp.2.bias visual.merger.mlp.2.weight",
        "gemma3 | embed_tokens,lm_head | language_model.lm_head.weight language_model.model.embed_tokens.weight",
    })
    void savedKeysFollowPeftNamingInEachLayout(String arch, String entries, String modules) throws IOException {
        List<String> names = List.of(entries.split(","));
        LoraAdapter.Attached a = LoraAdapter.create(model(arch), config(names), 1);
        Path out = tmp.resolve(arch);
        a.adapter().save(out);
        Set<String> expected = new TreeSet<>();
        for (String m : modules.split(" ")) {
            expected.add("base_model.model." + m);
        }
        assertEquals(expected, savedKeys(out));
        assertEquals(names, Json.MAPPER.convertValue(Json.read(out.resolve("adapter_config.json")).get("modules_to_save"), List.class));
        assertTrue(Safetensors.open(out.resolve("adapter_model.safetensors")).tensors().keySet().stream()
                .filter(k -> k.contains(".lora_")).allMatch(k -> k.matches("base_model\\.model\\..*\\.(q|v)_proj\\.lora_[AB]\\.weight")));
    }

    @Test
    void savedAdapterLoadsBackToTheSameModelAndFile() throws IOException {
        LoraAdapter.Attached trained = LoraAdapter.create(model("idefics3"), config(List.of("lm_head", "connector")), 2);
        Tensor base = trained.model().forward(IDS, null, false).logits();
        perturb(trained.adapter(), 5);
        Tensor expected = trained.model().forward(IDS, null, false).logits();
        assertTrue(TestData.relativeError(expected, base) > 1e-3, "the saved modules and LoRA change the logits");
        Path dir = tmp.resolve("adapter");
        trained.adapter().save(dir);

        LoraAdapter.Attached loaded = LoraAdapter.load(model("idefics3"), dir, false);
        TestData.assertClose(loaded.model().forward(IDS, null, false).logits(), expected, 0, "adapter loaded for inference");
        assertEquals(Set.of("lm_head.weight", "model.connector.modality_projection.proj.weight"), loaded.adapter().savedWeights().keySet());

        LoraAdapter.Attached again = LoraAdapter.load(model("idefics3"), dir, true);
        assertEquals(2 * 2 * 2 + 2, again.adapter().parameters().size(), "LoRA pairs of 2 modules x 2 layers, and 2 saved weights");
        Path copy = tmp.resolve("copy");
        again.adapter().save(copy);
        Safetensors.File a = Safetensors.open(dir.resolve("adapter_model.safetensors"));
        Safetensors.File b = Safetensors.open(copy.resolve("adapter_model.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String k : a.tensors().keySet()) {
            TestData.assertClose(b.get(k), a.get(k), 0, k);
        }
    }

    /** With B = 0 the adapter leaves the forward unchanged, so a saved module's gradient is full fine-tuning's. */
    @Test
    void savedModuleGradientsEqualFullFineTuningGradients() {
        ForwardSpec spec = ForwardSpec.read(TestData.resource("training/idefics3/input.json"));
        Map<String, Tensor> full = Grads.run(model("idefics3"), spec, new Grads.Mode.Full());
        Map<String, Tensor> lora = Grads.run(model("idefics3"), spec,
                new Grads.Mode.NewLora(4, 8, null, false, List.of("lm_head", "connector")));
        TestData.assertClose(lora.get("loss"), full.get("loss"), 0, "loss");
        for (String key : List.of("lm_head.weight", "model.connector.modality_projection.proj.weight")) {
            Tensor g = lora.get("grad.base_model.model." + key);
            assertTrue(maxAbs(g) > 0, key + " gets a gradient");
            TestData.assertClose(g, full.get("grad." + key), 1e-6, key);
        }
        assertEquals(28 + 2, lora.keySet().stream().filter(k -> k.startsWith("grad.")).count());
    }

    /**
     * Qwen2-VL ties lm_head to the embeddings. Saving both, as PEFT does, trains two separate copies: the
     * input side's gradient goes to embed_tokens, the output side's to lm_head, and together they are
     * full fine-tuning's gradient of the one tied weight.
     */
    @Test
    void tiedEmbeddingsSplitIntoTwoCopiesWhoseGradientsSumToTheTiedGradient() {
        ForwardSpec spec = ForwardSpec.read(TestData.resource("training/qwen2_vl/input.json"));
        Map<String, Tensor> full = Grads.run(model("qwen2_vl"), spec, new Grads.Mode.Full());
        Map<String, Tensor> lora = Grads.run(model("qwen2_vl"), spec,
                new Grads.Mode.NewLora(4, 8, null, false, List.of("embed_tokens", "lm_head")));
        Tensor input = lora.get("grad.base_model.model.model.embed_tokens.weight");
        Tensor output = lora.get("grad.base_model.model.lm_head.weight");
        assertTrue(maxAbs(input) > 0 && maxAbs(output) > 0);
        assertTrue(TestData.relativeError(output, full.get("grad.model.embed_tokens.weight")) > 1e-3, "each copy has only its part");
        TestData.assertClose(Ops.add(input, output), full.get("grad.model.embed_tokens.weight"), 1e-6, "input + output = tied");
    }

    @Test
    void loadingUntiesAsTrainingDid() throws IOException {
        LoraAdapter.Attached trained = LoraAdapter.create(model("qwen2_vl"), config(List.of("embed_tokens")), 3);
        LanguageModel lm = trained.model();
        assertNotSame(lm.decoder().lmHead().weight(), lm.decoder().embedTokens().weight(), "the copy unties the embeddings");
        assertFalse(lm.decoder().lmHead().weight().requiresGrad(), "lm_head keeps the frozen base weight");
        perturb(trained.adapter(), 7);
        Tensor expected = lm.forward(IDS, null, false).logits();
        Path dir = tmp.resolve("adapter");
        trained.adapter().save(dir);
        assertEquals(Set.of("base_model.model.model.embed_tokens.weight"), savedKeys(dir));
        LoraAdapter.Attached loaded = LoraAdapter.load(model("qwen2_vl"), dir, false);
        TestData.assertClose(loaded.model().forward(IDS, null, false).logits(), expected, 0, "loaded");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "idefics3 | lm_head,connector | false",
        "llava | multi_modal_projector,embed_tokens | false",
        "qwen2_vl | lm_head,merger | true",
        "qwen2_vl | embed_tokens | true",
    })
    void mergedCheckpointComputesWhatTheAdapterComputes(String arch, String entries, boolean untied) throws IOException {
        LoraAdapter.Attached trained = LoraAdapter.create(model(arch), config(List.of(entries.split(","))), 6);
        perturb(trained.adapter(), 11);
        Path dir = tmp.resolve("adapter");
        trained.adapter().save(dir);
        ForwardSpec spec = ForwardSpec.read(TestData.resource("training/" + arch + "/input.json"));
        LanguageModel withAdapter = LoraAdapter.load(model(arch), dir, false).model();
        Tensor expected = withAdapter.forward(withAdapter.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs()), false).logits();

        Path out = tmp.resolve("merged");
        Merge.write(model(arch), dir, out);
        LanguageModel merged = LanguageModel.load(out);
        Tensor logits = merged.forward(merged.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs()), false).logits();
        TestData.assertClose(logits, expected, 1e-5, arch + " merged vs adapter");
        var config = Json.read(out.resolve("config.json"));
        if (untied) {
            assertFalse(config.get("tie_word_embeddings").asBoolean(), "the merged head has its own weight");
        } else {
            assertEquals(Json.read(model(arch).resolve("config.json")), config, "config.json copied unchanged");
        }
        Set<String> baseKeys = Safetensors.open(model(arch).resolve("model.safetensors")).tensors().keySet();
        Set<String> mergedKeys = new TreeSet<>(Safetensors.open(out.resolve("model.safetensors")).tensors().keySet());
        Set<String> expectedKeys = new TreeSet<>(baseKeys);
        if (untied) {
            expectedKeys.add("lm_head.weight");
        }
        assertEquals(expectedKeys, mergedKeys);
    }

    /** Saved modules are trainer parameters: optimizer state, checkpoints and resume cover them. */
    @Test
    void killedRunWithSavedModulesResumesToTheSameLossCurve() throws IOException {
        LoraConfig cfg = new LoraConfig(4, 8, 0.1, false, List.of("q_proj", "v_proj"), null, null, null,
                List.of("lm_head", "embed_tokens"), null);
        Trainer.Options opts = TrainerTest.options(7, "adamw", 3e-3);
        LoraAdapter.Attached a = LoraAdapter.create(model("llava"), cfg, 3);
        Tensor head = a.adapter().savedWeights().get("language_model.lm_head.weight");
        float before = head.getFloat(0);
        List<Trainer.StepMetrics> straight = new Trainer(a.model(), new Trainer.Trainable.Lora(a.adapter()), opts,
                TrainerTest.counting(10, 0), null, tmp.resolve("a"), null).run(false);
        assertTrue(head.getFloat(0) != before, "lm_head trains");

        LoraAdapter.Attached b = LoraAdapter.create(model("llava"), cfg, 3);
        Trainer.Listener killAtFive = TrainerTest.killAt(5);
        assertThrows(IllegalStateException.class, () -> new Trainer(b.model(), new Trainer.Trainable.Lora(b.adapter()), opts,
                TrainerTest.counting(10, 0), null, tmp.resolve("b"), killAtFive).run(false));
        assertTrue(savedKeys(tmp.resolve("b/checkpoint-4")).contains("base_model.model.language_model.lm_head.weight"));
        assertTrue(Safetensors.open(tmp.resolve("b/checkpoint-4/optimizer.safetensors")).tensors().keySet().stream()
                .anyMatch(k -> k.contains("language_model.model.embed_tokens.weight")), "optimizer state of the saved modules");

        LoraAdapter.Attached c = LoraAdapter.create(model("llava"), cfg, 3);
        List<Trainer.StepMetrics> resumed = new Trainer(c.model(), new Trainer.Trainable.Lora(c.adapter()), opts,
                TrainerTest.counting(10, 0), null, tmp.resolve("b"), null).run(true);
        assertEquals(3, resumed.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(straight.get(4 + i).loss(), resumed.get(i).loss(), 0.0, "step " + (5 + i));
        }
        TestData.assertClose(c.adapter().savedWeights().get("language_model.lm_head.weight"), head, 0, "final lm_head");
    }

    @Test
    void badSelectionsAndFilesAreClearErrors() throws IOException {
        JvlmException none = assertThrows(JvlmException.class, () -> LoraAdapter.create(model("llava"), config(List.of("connector")), 1));
        assertTrue(none.getMessage().contains("\"connector\" selects no module"), none.getMessage());
        JvlmException nested = assertThrows(JvlmException.class,
                () -> LoraAdapter.create(model("llava"), config(List.of("language_model", "lm_head")), 1));
        assertTrue(nested.getMessage().contains("selects both language_model and language_model.lm_head"), nested.getMessage());
        JvlmException tiedInOne = assertThrows(JvlmException.class, () -> LoraAdapter.create(model("gemma3"), config(List.of("language_model")), 1));
        assertTrue(tiedInOne.getMessage().contains("is both a LoRA target and part of modules_to_save [language_model]"), tiedInOne.getMessage());
        JvlmException overlap = assertThrows(JvlmException.class, () -> LoraAdapter.create(model("llava"),
                new LoraConfig(4, 8, 0, false, List.of("q_proj", "lm_head"), null, null, null, List.of("lm_head"), null), 1));
        assertTrue(overlap.getMessage().contains("language_model.lm_head is both a LoRA target and part of modules_to_save"),
                overlap.getMessage());

        LoraAdapter.Attached a = LoraAdapter.create(model("llava"), config(List.of("multi_modal_projector")), 1);
        Path dir = tmp.resolve("adapter");
        a.adapter().save(dir);
        JvlmException attachOnly = assertThrows(JvlmException.class,
                () -> LoraAdapter.load(dir, LanguageModel.load(model("llava")).decoder().linears(), false));
        assertTrue(attachOnly.getMessage().contains("load it together with its model"), attachOnly.getMessage());

        Map<String, Tensor> missing = new LinkedHashMap<>(Safetensors.open(dir.resolve("adapter_model.safetensors")).tensors());
        missing.remove("base_model.model.multi_modal_projector.linear_2.bias");
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(dir.resolve("adapter_config.json"), broken.resolve("adapter_config.json"));
        Safetensors.write(broken.resolve("adapter_model.safetensors"), missing, Map.of("format", "pt"));
        JvlmException e = assertThrows(JvlmException.class, () -> LoraAdapter.load(model("llava"), broken, false));
        assertTrue(e.getMessage().contains("has no \"base_model.model.multi_modal_projector.linear_2.bias\""), e.getMessage());

        JvlmException layout = assertThrows(JvlmException.class, () -> LoraAdapter.load(model("idefics3"), dir, false));
        assertTrue(layout.getMessage().contains("\"multi_modal_projector\" selects no module"), layout.getMessage());
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.numel(); i++) {
            m = Math.max(m, Math.abs(t.getFloat(i)));
        }
        return m;
    }
}
