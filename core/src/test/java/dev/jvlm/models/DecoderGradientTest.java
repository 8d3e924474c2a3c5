package dev.jvlm.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole text decoders of every family: the loss gradient of each weight kind against finite differences. */
class DecoderGradientTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void lossGradientMatchesFiniteDifferences(int index) {
        ConfigNode cfg = new ConfigNode(Json.parse(TestData.TEXT_CONFIGS[index], "config"), "config");
        RandomWeights weights = new RandomWeights(21 + index, 0.3, DType.F32);
        LanguageModel lm = LanguageModel.create(cfg, weights);
        long[][] ids = {{3, 9, 14, 2, 7, 11}, {0, 0, 5, 6, 1, 8}};
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
        int[] labels = {9, 14, 2, 7, 11, Ops.IGNORE_INDEX, Ops.IGNORE_INDEX, Ops.IGNORE_INDEX, 6, 1, 8, Ops.IGNORE_INDEX};
        List<String> names = weights.tensors().keySet().stream()
                .filter(n -> n.contains("layers.0.") || n.contains("embed_tokens") || n.endsWith("norm.weight") && !n.contains("layers"))
                .toList();
        for (String n : names) {
            weights.tensors().get(n).requireGrad();
        }
        Autograd.backward(loss(lm, ids, mask, labels));
        for (String n : names) {
            Tensor w = weights.tensors().get(n);
            assertNotNull(w.grad(), n + " has a gradient");
            float[] a = w.floats();
            for (int i = 0; i < a.length; i += Math.max(1, a.length / 3)) {
                float saved = a[i];
                float h = 2e-2f;
                a[i] = saved + h;
                double up = Autograd.noGrad(() -> loss(lm, ids, mask, labels)).getFloat(0);
                a[i] = saved - h;
                double down = Autograd.noGrad(() -> loss(lm, ids, mask, labels)).getFloat(0);
                a[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, w.grad().getFloat(i), 3e-3 + 3e-2 * Math.abs(numeric), n + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void activationRecomputationGivesIdenticalGradients(int index) {
        ConfigNode cfg = new ConfigNode(Json.parse(TestData.TEXT_CONFIGS[index], "config"), "config");
        RandomWeights weights = new RandomWeights(5, 0.3, DType.F32);
        LanguageModel lm = LanguageModel.create(cfg, weights);
        weights.tensors().values().forEach(Tensor::requireGrad);
        long[][] ids = {{3, 9, 14, 2, 7, 11}};
        int[] labels = {9, 14, 2, 7, 11, Ops.IGNORE_INDEX};
        Autograd.backward(loss(lm, ids, null, labels));
        java.util.Map<String, float[]> plain = new java.util.HashMap<>();
        weights.tensors().forEach((n, t) -> {
            plain.put(n, t.grad().floats().clone());
            t.setGrad(null);
        });
        lm.decoder().setActivationCheckpointing(true);
        Autograd.backward(loss(lm, ids, null, labels));
        weights.tensors().forEach((n, t) -> org.junit.jupiter.api.Assertions.assertArrayEquals(plain.get(n), t.grad().floats(), n));
    }

    private static Tensor loss(LanguageModel lm, long[][] ids, int[][] mask, int[] labels) {
        int batch = ids.length;
        int tokens = ids[0].length;
        KVCache cache = new KVCache(lm.config(), batch, tokens);
        Tensor hidden = lm.decoder().forward(lm.embed(ids), lm.positions(LanguageModel.PositionStyle.MASK_CUMSUM, mask, batch, tokens),
                mask, null, cache, null);
        return Ops.crossEntropy(lm.decoder().logits(hidden), labels, 7f);
    }
}
