package dev.jvlm.api;

import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link ForwardSpec} and names the outputs as the reference files do. */
public final class Forward {
    private Forward() {
    }

    /**
     * logits, hidden_states.N, last_hidden_state, image_features (when the spec has images), input_ids
     * and (when asked) generated_ids, which continue from the same prefill, images included.
     */
    public static Map<String, Tensor> run(LanguageModel lm, ForwardSpec spec) {
        Prefill prefill = lm.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs());
        LanguageModel.Output out = lm.forward(prefill, true);
        Map<String, Tensor> result = new LinkedHashMap<>();
        result.put("logits", out.logits());
        List<Tensor> hidden = out.hiddenStates();
        for (int i = 0; i < hidden.size(); i++) {
            result.put("hidden_states." + i, hidden.get(i));
        }
        result.put("last_hidden_state", out.lastHiddenState());
        if (prefill.imageFeatures() != null) {
            result.put("image_features", prefill.imageFeatures());
        }
        int batch = spec.inputIds().length;
        int tokens = spec.inputIds()[0].length;
        long[] ids = new long[batch * tokens];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(spec.inputIds()[b], 0, ids, b * tokens, tokens);
        }
        result.put("input_ids", Tensor.ofLongs(ids, batch, tokens));
        if (spec.generate() > 0) {
            Generator.Result g = Generator.generate(lm, spec.inputIds(), prefill, SamplingParams.greedy(spec.generate()), null, null);
            long[] gen = new long[batch * spec.generate()];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(g.tokens()[b], 0, gen, b * spec.generate(), spec.generate());
            }
            result.put("generated_ids", Tensor.ofLongs(gen, batch, spec.generate()));
        }
        return result;
    }
}
