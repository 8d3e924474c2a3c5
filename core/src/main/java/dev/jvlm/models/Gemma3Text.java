package dev.jvlm.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Ops.Activation;

/**
 * Gemma 3's text model ({@code model_type} "gemma3_text"): (1 + w) RMSNorms around attention and MLP,
 * q/k norms, embeddings scaled by sqrt(hidden), and interleaved sliding-window layers with their own
 * (local) RoPE base.
 */
public final class Gemma3Text {
    private Gemma3Text() {
    }

    public static TextConfig config(ConfigNode c) {
        int hidden = c.getInt("hidden_size", 2304);
        int heads = c.getInt("num_attention_heads", 8);
        int headDim = c.getInt("head_dim", 256);
        int layers = c.getInt("num_hidden_layers", 26);
        int maxPos = c.getInt("max_position_embeddings", 131072);
        int windowSize = c.getInt("sliding_window", 4096);
        int[] window = new int[layers];
        JsonNode layerTypes = c.raw("layer_types");
        for (int i = 0; i < layers; i++) {
            boolean sliding;
            if (layerTypes != null) {
                if (!layerTypes.isArray() || layerTypes.size() != layers) {
                    throw new JvlmException(c.where() + ": \"layer_types\" must list one type per layer (" + layers + ")");
                }
                sliding = layerTypes.get(i).asText().equals("sliding_attention");
            } else {
                sliding = (i + 1) % c.getInt("sliding_window_pattern", 6) != 0;
            }
            window[i] = sliding ? windowSize : 0;
        }
        RotaryEmbedding global = RotaryEmbedding.fromConfig(c.getDouble("rope_theta", 1_000_000), c.raw("rope_scaling"),
                headDim, 1.0, maxPos, c.where());
        RotaryEmbedding local = RotaryEmbedding.fromConfig(c.getDouble("rope_local_base_freq", 10_000), null,
                headDim, 1.0, maxPos, c.where());
        boolean attnBias = c.getBool("attention_bias", false);
        return new TextConfig("gemma3_text", c.getInt("vocab_size", 262208), hidden, c.getInt("intermediate_size", 9216),
                layers, heads, c.getInt("num_key_value_heads", 4), headDim,
                Activation.parse(c.getString("hidden_activation", c.getString("hidden_act", "gelu_pytorch_tanh"))),
                (float) c.getDouble("rms_norm_eps", 1e-6), c.getBool("tie_word_embeddings", true), attnBias, attnBias, false,
                global, local, window, true, (float) Math.pow(c.getDouble("query_pre_attn_scalar", 256), -0.5),
                (float) c.getDouble("attn_logit_softcapping", 0), (float) c.getDouble("final_logit_softcapping", 0), maxPos);
    }
}
