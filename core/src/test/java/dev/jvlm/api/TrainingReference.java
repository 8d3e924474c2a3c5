package dev.jvlm.api;

import static dev.jvlm.models.TestData.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

/**
 * Hugging Face's training references (reference/training/README.md: one labelled example with an
 * image per architecture) and the comparisons a {@code grads} output must pass against them: loss,
 * logits on real positions and every gradient within 1e-4 relative (max |a - b| / max |b| per tensor).
 */
public final class TrainingReference {
    public static final double TOLERANCE = 1e-4;

    private TrainingReference() {
    }

    /** {@code training/<arch>}: input.json, full.safetensors, lora.safetensors, adapter/. */
    public static Path dir(String arch) {
        return TestData.resource("training/" + arch);
    }

    public static Path model(String arch) {
        return TestData.resource("models/" + arch);
    }

    public static ForwardSpec input(String arch) {
        return ForwardSpec.read(dir(arch).resolve("input.json"));
    }

    /**
     * Full fine-tuning: one {@code grad.<key>} per checkpoint key, each matching; the keys the
     * reference lists as {@code unreached} must be exactly zero. Returns the worst relative error.
     */
    public static double assertFull(String arch, Map<String, Tensor> out) {
        Safetensors.File ref = Safetensors.open(dir(arch).resolve("full.safetensors"));
        assertLossAndLogits(arch, "full", out, ref);
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
            assertNotNull(got, arch + ": no " + e.getKey());
            if (unreached.contains(e.getKey().substring("grad.".length()))) {
                assertEquals(0.0, maxAbs(got), arch + ": " + e.getKey() + " is not reached by the loss");
                continue;
            }
            double err = relativeError(got, e.getValue());
            if (keyBiasOfPlainAttention(e.getKey())) {
                // Softmax does not change when every score of a query moves by the same amount, and a key
                // bias moves them all by q·b: without RoPE its gradient is zero, and both sides hold only
                // rounding noise (~1e-9). Measure it against the gradient scale of the same projection.
                err = maxAbsDiff(got, e.getValue()) / maxAbs(ref.get(e.getKey().replace(".bias", ".weight")));
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
        return worst;
    }

    /**
     * LoRA with the reference adapter: the 28 adapter weights' gradients, under the adapter file's
     * keys (PEFT's in-memory names carry the adapter name, {@code .default}, before {@code weight}).
     */
    public static double assertLora(String arch, Map<String, Tensor> out) {
        Safetensors.File ref = Safetensors.open(dir(arch).resolve("lora.safetensors"));
        assertLossAndLogits(arch, "lora", out, ref);
        int compared = 0;
        double worst = 0;
        for (var e : ref.tensors().entrySet()) {
            if (!e.getKey().startsWith("grad.")) {
                continue;
            }
            String key = e.getKey().replace(".default.weight", ".weight");
            Tensor got = out.get(key);
            assertNotNull(got, arch + ": no " + key);
            double err = relativeError(got, e.getValue());
            worst = Math.max(worst, err);
            assertTrue(err <= TOLERANCE, arch + ": " + key + " relative error " + err);
            compared++;
        }
        assertEquals(28, compared);
        assertEquals(28, out.keySet().stream().filter(k -> k.startsWith("grad.")).count());
        System.out.printf("%s lora: worst gradient %.2e%n", arch, worst);
        return worst;
    }

    private static void assertLossAndLogits(String arch, String mode, Map<String, Tensor> out, Safetensors.File ref) {
        String what = arch + " " + mode;
        double loss = out.get("loss").getFloat(0);
        double expected = ref.get("loss").getFloat(0);
        double lossError = Math.abs(loss - expected) / Math.abs(expected);
        assertTrue(lossError <= TOLERANCE, what + ": loss " + loss + " vs " + expected);
        int[][] mask = input(arch).attentionMask();
        double logitsError = relativeError(realPositions(out.get("logits"), mask), realPositions(ref.get("logits"), mask));
        assertTrue(logitsError <= TOLERANCE, what + ": logits relative error " + logitsError);
        System.out.printf("%s: loss %.8f (reference %.8f, relative %.2e), logits %.2e%n", what, loss, expected, lossError, logitsError);
    }

    /** The rows of {@code logits [batch, tokens, vocab]} at positions whose attention mask is 1, as {@code [rows, vocab]}. */
    private static Tensor realPositions(Tensor logits, int[][] mask) {
        int tokens = logits.dim(1);
        int vocab = logits.dim(2);
        float[] all = logits.toF32().floats();
        float[] kept = new float[all.length];
        int rows = 0;
        for (int r = 0; r < all.length / vocab; r++) {
            if (mask == null || mask[r / tokens][r % tokens] == 1) {
                System.arraycopy(all, r * vocab, kept, rows++ * vocab, vocab);
            }
        }
        return Tensor.of(Arrays.copyOf(kept, rows * vocab), rows, vocab);
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
}
