package dev.jvlm.api;

import dev.jvlm.JvlmException;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link ForwardSpec} and names the outputs as the reference files do. */
public final class Forward {
    private Forward() {
    }

    /** logits, hidden_states.N, last_hidden_state, input_ids and (when asked) generated_ids. */
    public static Map<String, Tensor> run(LanguageModel lm, ForwardSpec spec) {
        if (!spec.imageInputs().isEmpty()) {
            throw new JvlmException("image inputs (" + String.join(", ", spec.imageInputs().keySet())
                    + ") are not supported yet for model_type \"" + lm.modelType() + "\"; jvlm runs its language model on text ids only");
        }
        LanguageModel.Output out = lm.forward(spec.inputIds(), spec.attentionMask(), true);
        Map<String, Tensor> result = new LinkedHashMap<>();
        result.put("logits", out.logits());
        List<Tensor> hidden = out.hiddenStates();
        for (int i = 0; i < hidden.size(); i++) {
            result.put("hidden_states." + i, hidden.get(i));
        }
        result.put("last_hidden_state", out.lastHiddenState());
        int batch = spec.inputIds().length;
        int tokens = spec.inputIds()[0].length;
        long[] ids = new long[batch * tokens];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(spec.inputIds()[b], 0, ids, b * tokens, tokens);
        }
        result.put("input_ids", Tensor.ofLongs(ids, batch, tokens));
        if (spec.generate() > 0) {
            int[][] mask = spec.attentionMask();
            if (mask == null) {
                mask = new int[batch][tokens];
                for (int[] row : mask) {
                    java.util.Arrays.fill(row, 1);
                }
            }
            Generator.Result g = Generator.generate(lm, spec.inputIds(), mask, SamplingParams.greedy(spec.generate()), null, null);
            long[] gen = new long[batch * spec.generate()];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(g.tokens()[b], 0, gen, b * spec.generate(), spec.generate());
            }
            result.put("generated_ids", Tensor.ofLongs(gen, batch, spec.generate()));
        }
        return result;
    }
}
