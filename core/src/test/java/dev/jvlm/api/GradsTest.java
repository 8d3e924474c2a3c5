package dev.jvlm.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
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

class GradsTest {
    @TempDir
    Path tmp;

    private Path spec(String json) throws IOException {
        Path p = tmp.resolve("spec.json");
        Files.writeString(p, json);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void defaultLoraTargetsAreTheReferenceAdapterRegex(String arch) {
        String reference = Json.read(TestData.resource("training/" + arch + "/adapter/adapter_config.json")).get("target_modules").asText();
        assertEquals(reference, Grads.defaultTargets(TestData.resource("models/" + arch)));
    }

    @Test
    void fullGradientsCoverEveryKeyAndTheLossIsTheMeanOverLabelTokens() throws IOException {
        Path model = TestData.resource("models/llava");
        ForwardSpec s = ForwardSpec.read(spec("{\"input_ids\": [[1, 40, 41, 42, 43, 2]], \"labels\": [[-100, -100, -100, 42, 43, 2]]}"));
        Map<String, Tensor> out = Grads.run(model, s, new Grads.Mode.Full());
        Tensor logits = LanguageModel.load(model).forward(s.inputIds(), null, false).logits();
        double expected = 0;
        long[] next = {42, 43, 2};
        for (int i = 0; i < 3; i++) {
            int t = 2 + i;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < 512; v++) {
                max = Math.max(max, logits.getFloat(t * 512L + v));
            }
            double sum = 0;
            for (int v = 0; v < 512; v++) {
                sum += Math.exp(logits.getFloat(t * 512L + v) - max);
            }
            expected += Math.log(sum) + max - logits.getFloat(t * 512L + next[i]);
        }
        assertEquals(expected / 3, out.get("loss").getFloat(0), 1e-5);
        var keys = Safetensors.open(model.resolve("model.safetensors")).tensors();
        assertEquals(keys.size() + 2, out.size(), "loss, logits and one gradient per key");
        for (var e : keys.entrySet()) {
            assertArrayEquals(e.getValue().shape(), out.get("grad." + e.getKey()).shape(), e.getKey());
        }
        Tensor vision = out.get("grad.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight");
        for (int i = 0; i < vision.numel(); i++) {
            assertEquals(0f, vision.getFloat(i), "text-only input does not reach the vision tower");
        }
        Tensor lmHead = out.get("grad.language_model.lm_head.weight");
        double norm = 0;
        for (int i = 0; i < lmHead.numel(); i++) {
            norm += Math.abs(lmHead.getFloat(i));
        }
        assertTrue(norm > 0);
    }

    @Test
    void newLoraHasZeroBSoOnlyBGetsGradient() throws IOException {
        ForwardSpec s = ForwardSpec.read(spec("{\"input_ids\": [1, 5, 6, 7], \"labels\": [-100, 5, 6, 7]}"));
        Map<String, Tensor> out = Grads.run(TestData.resource("models/qwen2_vl"), s, new Grads.Mode.NewLora(4, 8, "q_proj,v_proj", false, List.of()));
        assertEquals(2 + 2 * 2 * 2, out.size());
        Tensor gradA = out.get("grad.base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        Tensor gradB = out.get("grad.base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");
        double a = 0;
        double b = 0;
        for (int i = 0; i < gradA.numel(); i++) {
            a += Math.abs(gradA.getFloat(i));
        }
        for (int i = 0; i < gradB.numel(); i++) {
            b += Math.abs(gradB.getFloat(i));
        }
        assertEquals(0.0, a, "B = 0 at PEFT's initialisation, so A's gradient is zero");
        assertTrue(b > 0);
    }

    @Test
    void specWithoutLabelsIsAClearError() throws IOException {
        ForwardSpec s = ForwardSpec.read(spec("{\"input_ids\": [1, 5, 6, 7]}"));
        JvlmException e = assertThrows(JvlmException.class, () -> Grads.run(TestData.resource("models/llava"), s, new Grads.Mode.Full()));
        assertTrue(e.getMessage().contains("has no \"labels\""), e.getMessage());
    }
}
