package dev.jvlm.models;

import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Ops.Activation;
import java.util.Arrays;

/** Mistral ({@code model_type} "mistral"): Llama blocks with a sliding window on every layer. */
public final class Mistral {
    private Mistral() {
    }

    public static TextConfig config(ConfigNode c) {
        int hidden = c.getInt("hidden_size", 4096);
        int heads = c.getInt("num_attention_heads", 32);
        int headDim = c.getInt("head_dim", hidden / heads);
        int layers = c.getInt("num_hidden_layers", 32);
        int maxPos = c.getInt("max_position_embeddings", 4096 * 32);
        int[] window = new int[layers];
        Integer sliding = c.getIntOrNull("sliding_window", 4096);
        if (sliding != null) {
            Arrays.fill(window, sliding);
        }
        return new TextConfig("mistral", c.getInt("vocab_size", 32000), hidden, c.getInt("intermediate_size", 14336), layers,
                heads, c.getInt("num_key_value_heads", 8), headDim,
                Activation.parse(c.getString("hidden_act", "silu")), (float) c.getDouble("rms_norm_eps", 1e-6),
                c.getBool("tie_word_embeddings", false), false, false, false,
                RotaryEmbedding.fromConfig(c.getDouble("rope_theta", 10000), c.raw("rope_scaling"), headDim, 1.0, maxPos, c.where()),
                null, window, false, (float) (1 / Math.sqrt(headDim)), 0, 0, maxPos);
    }
}
