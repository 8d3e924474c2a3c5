package dev.jvlm.models;

import static dev.jvlm.models.TestData.assertClose;
import static dev.jvlm.models.TestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvlm.api.Forward;
import dev.jvlm.api.ForwardSpec;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reference VLM with its sample image against Hugging Face's outputs. */
class ReferenceImageTest {

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava_next", "idefics3", "idefics3-bf16", "qwen2_vl", "qwen2_5_vl", "gemma3"})
    void imageForwardMatchesHuggingFace(String family) {
        Path dir = TestData.resource("models/" + family);
        LanguageModel lm = LanguageModel.load(dir);
        Map<String, Tensor> out = Forward.run(lm, ForwardSpec.read(dir.resolve("sample_input.json")));
        Safetensors.File ref = Safetensors.open(dir.resolve("reference.safetensors"));
        System.out.printf("%s: image_features %.2e, logits %.2e%n", family,
                relativeError(out.get("image_features"), ref.get("image_features")), relativeError(out.get("logits"), ref.get("logits")));
        assertClose(out.get("image_features"), ref.get("image_features"), 1e-4, family + " image_features");
        int layers = lm.config().numLayers();
        for (int i = 0; i <= layers; i++) {
            assertClose(out.get("hidden_states." + i), ref.get("hidden_states." + i), 1e-4, family + " hidden_states." + i);
        }
        assertEquals(layers + 1, out.keySet().stream().filter(k -> k.startsWith("hidden_states.")).count());
        assertClose(out.get("last_hidden_state"), ref.get("last_hidden_state"), 1e-4, family + " last_hidden_state");
        assertClose(out.get("logits"), ref.get("logits"), 1e-4, family + " logits");
        assertArrayEquals(ref.get("input_ids").toLongs(), out.get("input_ids").toLongs());
        assertArrayEquals(ref.get("generated_ids").shape(), out.get("generated_ids").shape());
        assertArrayEquals(ref.get("generated_ids").toLongs(), out.get("generated_ids").toLongs(), family + " greedy tokens");
    }
}
