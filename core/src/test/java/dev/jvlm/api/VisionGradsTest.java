package dev.jvlm.api;

import static dev.jvlm.models.TestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.io.Safetensors;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loss, logits and gradients of one labelled example with an image against Hugging Face's training
 * references (reference/training/README.md): every weight of the model (full fine-tuning), and the
 * weights of a PEFT adapter (LoRA).
 */
class VisionGradsTest {
    private static final double TOLERANCE = 1e-4;

    private static Path training(String arch) {
        return TestData.resource("training/" + arch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void fullFineTuningMatchesHuggingFace(String arch) {
        ForwardSpec spec = ForwardSpec.read(training(arch).resolve("input.json"));
        Map<String, Tensor> out = Grads.run(TestData.resource("models/" + arch), spec, new Grads.Mode.Full());
        Safetensors.File ref = Safetensors.open(training(arch).resolve("full.safetensors"));
        assertLossAndLogits(arch, spec, out, ref);
        Set<String> unreached = Arrays.stream(ref.metadata().getOrDefault("unreached", "").split(","))
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        Set<String> expectedKeys = new TreeSet<>();
        double worst = 0;
        String worstKey = null;
        for (var e : ref.tensors().entrySet()) {
            if (!e.getKey().startsWith("grad.")) {
                continue;
            }
            expectedKeys.add(e.getKey());
            Tensor got = out.get(e.getKey());
            assertTrue(got != null, arch + ": no " + e.getKey());
            if (unreached.contains(e.getKey().substring("grad.".length()))) {
                for (long i = 0; i < got.numel(); i++) {
                    assertEquals(0f, got.getFloat(i), arch + ": " + e.getKey() + " is not reached by the loss");
                }
                continue;
            }
            double err = relativeError(got, e.getValue());
            if (keyBiasOfPlainAttention(e.getKey())) {
                // Softmax does not change when every score of a query moves by the same amount, and a key
                // bias moves them all by q·b: without RoPE its gradient is zero, and both sides hold only
                // rounding noise (~1e-9). Measure it against the gradient scale of the same projection.
                Tensor weight = ref.get(e.getKey().replace(".bias", ".weight"));
                err = maxAbsDiff(got, e.getValue()) / maxAbs(weight);
            }
            if (err > worst) {
                worst = err;
                worstKey = e.getKey();
            }
            assertTrue(err <= TOLERANCE, arch + ": " + e.getKey() + " relative error " + err);
        }
        assertEquals(expectedKeys, out.keySet().stream().filter(k -> k.startsWith("grad.")).collect(Collectors.toCollection(TreeSet::new)));
        System.out.printf("%s full: %d gradients (%d unreached), worst %.2e at %s%n", arch, expectedKeys.size(), unreached.size(),
                worst, worstKey);
    }

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void loraAdapterGradientsMatchPeft(String arch) {
        ForwardSpec spec = ForwardSpec.read(training(arch).resolve("input.json"));
        Map<String, Tensor> out = Grads.run(TestData.resource("models/" + arch), spec, new Grads.Mode.Adapter(training(arch).resolve("adapter")));
        Safetensors.File ref = Safetensors.open(training(arch).resolve("lora.safetensors"));
        assertLossAndLogits(arch + " lora", spec, out, ref);
        int compared = 0;
        double worst = 0;
        for (var e : ref.tensors().entrySet()) {
            if (!e.getKey().startsWith("grad.")) {
                continue;
            }
            // PEFT's in-memory names carry the adapter name; the adapter file's keys do not.
            String key = e.getKey().replace(".default.weight", ".weight");
            Tensor got = out.get(key);
            assertTrue(got != null, arch + ": no " + key);
            double err = relativeError(got, e.getValue());
            worst = Math.max(worst, err);
            assertTrue(err <= TOLERANCE, arch + ": " + key + " relative error " + err);
            compared++;
        }
        assertEquals(28, compared);
        assertEquals(28, out.keySet().stream().filter(k -> k.startsWith("grad.")).count());
        System.out.printf("%s lora: worst gradient %.2e%n", arch, worst);
    }

    /** The key projection biases of the CLIP / SigLIP towers, whose attention has no rotary embedding. */
    private static boolean keyBiasOfPlainAttention(String key) {
        return key.contains("vision_model.encoder.") && key.endsWith("self_attn.k_proj.bias");
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        for (long i = 0; i < b.numel(); i++) {
            m = Math.max(m, Math.abs(a.getFloat(i) - b.getFloat(i)));
        }
        return m;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (long i = 0; i < t.numel(); i++) {
            m = Math.max(m, Math.abs(t.getFloat(i)));
        }
        return m;
    }

    static void assertLossAndLogits(String what, ForwardSpec spec, Map<String, Tensor> out, Safetensors.File ref) {
        double loss = out.get("loss").getFloat(0);
        double expected = ref.get("loss").getFloat(0);
        double lossError = Math.abs(loss - expected) / Math.abs(expected);
        assertTrue(lossError <= TOLERANCE, what + ": loss " + loss + " vs " + expected);
        double logitsError = relativeError(realPositions(out.get("logits"), spec), realPositions(ref.get("logits"), spec));
        assertTrue(logitsError <= TOLERANCE, what + ": logits relative error " + logitsError);
        System.out.printf("%s: loss %.8f (ref %.8f, rel %.2e), logits %.2e%n", what, loss, expected, lossError, logitsError);
    }

    /** The logits rows of positions whose attention mask is 1, as {@code [rows, vocab]}. */
    static Tensor realPositions(Tensor logits, ForwardSpec spec) {
        int vocab = logits.dim(-1);
        int tokens = spec.inputIds()[0].length;
        float[] all = logits.toF32().floats();
        float[] kept = new float[all.length];
        int rows = 0;
        for (int r = 0; r < all.length / vocab; r++) {
            int[][] mask = spec.attentionMask();
            if (mask == null || mask[r / tokens][r % tokens] == 1) {
                System.arraycopy(all, r * vocab, kept, rows++ * vocab, vocab);
            }
        }
        return Tensor.of(Arrays.copyOf(kept, rows * vocab), rows, vocab);
    }
}
