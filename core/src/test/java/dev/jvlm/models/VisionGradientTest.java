package dev.jvlm.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.api.ForwardSpec;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.train.Losses;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole vision-language models with an image, for the families without a Hugging Face training
 * reference: the loss gradient of vision, projector and merge weights against central finite
 * differences. Each model is the reference config over random weights drawn wider than Hugging
 * Face's initialisation, so that the image visibly moves the loss; its sample image input is used.
 */
class VisionGradientTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            llava_next | 500 | embeddings.patch_embedding.weight,embeddings.class_embedding,embeddings.position_embedding.weight,\
            encoder.layers.0.self_attn.q_proj.weight,encoder.layers.1.mlp.fc1.bias,pre_layrnorm.weight,multi_modal_projector.linear_1.weight,image_newline
            qwen2_5_vl | 502 | visual.patch_embed.proj.weight,visual.blocks.0.attn.qkv.weight,visual.blocks.1.attn.qkv.bias,\
            visual.blocks.0.mlp.gate_proj.weight,visual.blocks.1.norm2.weight,visual.merger.ln_q.weight,visual.merger.mlp.0.weight
            gemma3 | 502 | embeddings.patch_embedding.weight,embeddings.position_embedding.weight,encoder.layers.0.self_attn.k_proj.weight,\
            encoder.layers.1.mlp.fc2.weight,post_layernorm.bias,mm_soft_emb_norm.weight,mm_input_projection_weight
            """)
    void imageLossGradientMatchesFiniteDifferences(String family, long imageToken, String weightSuffixes) {
        ConfigNode config = ConfigNode.read(TestData.resource("models/" + family).resolve("config.json"));
        RandomWeights weights = new RandomWeights(7, 0.25, DType.F32);
        LanguageModel lm = LanguageModel.create(config, weights);
        ForwardSpec spec = ForwardSpec.read(TestData.resource("models/" + family).resolve("sample_input.json"));
        long[][] labels = textAfterImage(spec.inputIds(), imageToken);
        List<String> names = weights.tensors().keySet().stream()
                .filter(n -> List.of(weightSuffixes.split(",")).stream().anyMatch(n::endsWith)).toList();
        assertEquals(weightSuffixes.split(",").length, names.size(), "one weight per suffix: " + names);
        for (String n : names) {
            weights.tensors().get(n).requireGrad();
        }
        Autograd.backward(loss(lm, spec, labels));
        for (String n : names) {
            Tensor w = weights.tensors().get(n);
            assertNotNull(w.grad(), n + " has a gradient");
            float[] a = w.floats();
            float[] g = w.grad().floats();
            // The largest gradients and one arbitrary element: finite differences in float32 resolve
            // gradients well above the loss's rounding noise.
            List<Integer> elements = IntStream.range(0, a.length).boxed()
                    .sorted(Comparator.comparingDouble(i -> -Math.abs(g[i]))).limit(3).toList();
            for (int i : concat(elements, a.length / 2)) {
                float saved = a[i];
                float h = 1e-2f;
                a[i] = saved + h;
                double up = Autograd.noGrad(() -> loss(lm, spec, labels)).getFloat(0);
                a[i] = saved - h;
                double down = Autograd.noGrad(() -> loss(lm, spec, labels)).getFloat(0);
                a[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, g[i], 2e-3 + 3e-2 * Math.abs(numeric), family + " " + n + "[" + i + "]");
            }
            assertTrue(Math.abs(g[elements.getFirst()]) > 1e-3, family + " " + n + ": the image reaches the loss");
        }
    }

    private static List<Integer> concat(List<Integer> list, int extra) {
        return list.contains(extra) ? list : java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(extra)).toList();
    }

    /** Labels on the text after the last image placeholder (the ids repeated there), -100 elsewhere. */
    private static long[][] textAfterImage(long[][] ids, long imageToken) {
        long[] row = ids[0];
        int last = 0;
        for (int t = 0; t < row.length; t++) {
            if (row[t] == imageToken) {
                last = t;
            }
        }
        long[][] labels = new long[1][row.length];
        for (int t = 0; t < row.length; t++) {
            labels[0][t] = t > last + 1 ? row[t] : Ops.IGNORE_INDEX;
        }
        return labels;
    }

    private static Tensor loss(LanguageModel lm, ForwardSpec spec, long[][] labels) {
        Tensor logits = lm.forward(lm.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs()), false).logits();
        return Losses.causalLm(logits, labels, Losses.labelTokens(labels));
    }
}
