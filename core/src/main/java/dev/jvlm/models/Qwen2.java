package dev.jvlm.models;

import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Ops.Activation;

/**
 * Qwen2 ({@code model_type} "qwen2"): Llama blocks with biases on q, k and v. Also the text part of
 * Qwen2-VL and Qwen2.5-VL, whose configs carry the text keys at the top level with other defaults.
 */
public final class Qwen2 {
    private Qwen2() {
    }

    /** Defaults that differ between Qwen2Config and the Qwen2-VL configs. */
    record Defaults(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, double eps,
                    int maxPos, double theta, int maxWindowLayers) {
    }

    static final Defaults QWEN2 = new Defaults(151936, 4096, 22016, 32, 32, 32, 1e-6, 32768, 10000, 28);
    static final Defaults QWEN2_VL = new Defaults(152064, 8192, 29568, 80, 64, 8, 1e-5, 32768, 1000000, 80);

    public static TextConfig config(ConfigNode c) {
        return config(c, QWEN2, "qwen2");
    }

    static TextConfig config(ConfigNode c, Defaults d, String type) {
        int hidden = c.getInt("hidden_size", d.hidden);
        int heads = c.getInt("num_attention_heads", d.heads);
        int headDim = hidden / heads;
        int layers = c.getInt("num_hidden_layers", d.layers);
        int maxPos = c.getInt("max_position_embeddings", d.maxPos);
        int[] window = new int[layers];
        if (c.getBool("use_sliding_window", false)) {
            int size = c.getInt("sliding_window", 4096);
            for (int i = c.getInt("max_window_layers", d.maxWindowLayers); i < layers; i++) {
                window[i] = size;
            }
        }
        return new TextConfig(type, c.getInt("vocab_size", d.vocab), hidden, c.getInt("intermediate_size", d.intermediate),
                layers, heads, c.getInt("num_key_value_heads", d.kvHeads), headDim,
                Activation.parse(c.getString("hidden_act", "silu")), (float) c.getDouble("rms_norm_eps", d.eps),
                c.getBool("tie_word_embeddings", false), true, false, false,
                RotaryEmbedding.fromConfig(c.getDouble("rope_theta", d.theta), c.raw("rope_scaling"), headDim, 1.0, maxPos, c.where()),
                null, window, false, (float) (1 / Math.sqrt(headDim)), 0, 0, maxPos);
    }
}
