package dev.jvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
import dev.jvlm.nn.Linear;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoraAdapterTest {
    @TempDir
    Path tmp;

    static final long[][] IDS = {{1, 17, 250, 3, 99, 402, 7, 7, 31, 2}};

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void referenceAdapterAttachesToEveryTargetedModuleAndMergesExactly(String arch) {
        LanguageModel lm = LanguageModel.load(TestData.resource("models/" + arch));
        Map<String, Linear> modules = lm.decoder().linears();
        LoraAdapter adapter = LoraAdapter.load(TestData.resource("training/" + arch + "/adapter"), modules, false);
        assertEquals(14, adapter.modules().size());
        assertEquals(28, adapter.tensors().size());
        for (String name : adapter.modules().keySet()) {
            assertTrue(adapter.config().targets(name), name);
            assertEquals(2f, modules.get(name).lora().scaling());
        }
        assertNull(modules.values().stream().filter(l -> l.name().endsWith("lm_head") || l.name().endsWith("embed_tokens"))
                .findFirst().orElseThrow().lora(), "lm_head is not adapted");
        Tensor withAdapter = lm.forward(IDS, null, false).logits();
        adapter.detach();
        Tensor base = lm.forward(IDS, null, false).logits();
        assertTrue(TestData.relativeError(base, withAdapter) > 1e-3, "the adapter changes the logits");
        Path out = tmp.resolve("merged");
        assertEquals(14, Merge.write(TestData.resource("models/" + arch), TestData.resource("training/" + arch + "/adapter"), out));
        Tensor mergedLogits = LanguageModel.load(out).forward(IDS, null, false).logits();
        TestData.assertClose(mergedLogits, withAdapter, 1e-5, arch + " merged vs adapter");
        assertEquals(Safetensors.open(TestData.resource("models/" + arch).resolve("model.safetensors")).tensors().keySet(),
                Safetensors.open(out.resolve("model.safetensors")).tensors().keySet(), "same keys as the base checkpoint");
    }

    @Test
    void savedAdapterReadsBackAsPeftWritesIt() throws IOException {
        Path src = TestData.resource("training/llava/adapter");
        LanguageModel lm = LanguageModel.load(TestData.resource("models/llava"));
        LoraAdapter adapter = LoraAdapter.load(src, lm.decoder().linears(), true);
        Path out = tmp.resolve("copy");
        adapter.save(out);
        var original = Json.read(src.resolve("adapter_config.json"));
        var written = Json.read(out.resolve("adapter_config.json"));
        for (String key : List.of("r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "peft_type", "bias", "task_type")) {
            assertEquals(original.get(key), written.get(key), key);
        }
        Safetensors.File a = Safetensors.open(src.resolve("adapter_model.safetensors"));
        Safetensors.File b = Safetensors.open(out.resolve("adapter_model.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        assertEquals("pt", b.metadata().get("format"));
        for (String k : a.tensors().keySet()) {
            TestData.assertClose(b.get(k), a.get(k), 0, k);
        }
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }

    @Test
    void adapterForAnotherKeyLayoutIsAClearError() {
        LanguageModel llava = LanguageModel.load(TestData.resource("models/llava"));
        JvlmException e = assertThrows(JvlmException.class,
                () -> LoraAdapter.load(TestData.resource("training/qwen2_vl/adapter"), llava.decoder().linears(), false));
        assertTrue(e.getMessage().contains("14 adapter modules are not in the model, e.g. model.layers.0."), e.getMessage());
        assertTrue(llava.decoder().linears().values().stream().allMatch(l -> l.lora() == null), "nothing left attached");
    }

    @Test
    void newAdaptersFollowPeftInitialisationAndTargetMatching() {
        LanguageModel lm = LanguageModel.load(TestData.resource("models/qwen2_vl"));
        LoraConfig listTargets = new LoraConfig(8, 16, 0, false, List.of("q_proj", "v_proj"), null, null, null, null, null);
        LoraAdapter a = LoraAdapter.create(lm.decoder().linears(), listTargets, 1, null);
        assertEquals(4, a.modules().size());
        assertTrue(a.modules().keySet().stream().allMatch(n -> n.endsWith("q_proj") || n.endsWith("v_proj")));
        Linear q = a.modules().get("model.layers.0.self_attn.q_proj");
        assertEquals(8, q.lora().rank());
        float bound = (float) (1 / Math.sqrt(64));
        for (int i = 0; i < q.lora().a().numel(); i++) {
            assertTrue(Math.abs(q.lora().a().getFloat(i)) <= bound);
            assertEquals(0f, q.lora().b().getFloat(i % q.lora().b().numel()));
        }
        assertTrue(q.lora().a().requiresGrad());
        a.detach();
        LoraConfig rs = new LoraConfig(4, 8, 0, true, List.of("proj"), null, Map.of("down_proj", 2), null, null, null);
        assertFalse(rs.targets("model.layers.0.mlp.down_proj"), "a list entry must match a whole name component");
        assertEquals(2, rs.rankFor("model.layers.1.mlp.down_proj"));
        assertEquals(4, rs.rankFor("model.layers.1.mlp.up_proj"));
        assertEquals(4f, dev.jvlm.nn.Lora.scaling(4, 8, true));
        JvlmException none = assertThrows(JvlmException.class, () -> LoraAdapter.create(lm.decoder().linears(), rs, 1, null));
        assertTrue(none.getMessage().contains("match no linear layer"), none.getMessage());
        assertNotNull(lm);
    }
}
