package dev.jvlm.models;

import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Ops.Activation;

/** Llama ({@code model_type} "llama"), mirroring transformers' LlamaConfig defaults. */
public final class Llama {
    private Llama() {
    }

    public static TextConfig config(ConfigNode c) {
        int hidden = c.getInt("hidden_size", 4096);
        int heads = c.getInt("num_attention_heads", 32);
        int headDim = c.getInt("head_dim", hidden / heads);
        int layers = c.getInt("num_hidden_layers", 32);
        int maxPos = c.getInt("max_position_embeddings", 2048);
        boolean attnBias = c.getBool("attention_bias", false);
        return new TextConfig("llama", c.getInt("vocab_size", 32000), hidden, c.getInt("intermediate_size", 11008), layers,
                heads, c.getInt("num_key_value_heads", heads), headDim,
                Activation.parse(c.getString("hidden_act", "silu")), (float) c.getDouble("rms_norm_eps", 1e-6),
                c.getBool("tie_word_embeddings", false), attnBias, attnBias, c.getBool("mlp_bias", false),
                RotaryEmbedding.fromConfig(c.getDouble("rope_theta", 10000), c.raw("rope_scaling"), headDim,
                        c.getDouble("partial_rotary_factor", 1.0), maxPos, c.where()),
                null, new int[layers], false, (float) (1 / Math.sqrt(headDim)), 0, 0, maxPos);
    }
}
