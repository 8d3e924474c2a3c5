package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.LayerNorm;
import dev.jvlm.nn.Linear;
import dev.jvlm.tensor.Attention;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Ops.Activation;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The pre-norm transformer encoder that CLIP, SigLIP and Idefics3 share ({@code CLIPEncoder},
 * {@code SiglipEncoder}, {@code Idefics3Encoder}: identical modules under identical names):
 * {@code layers.N.{layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2, mlp.{fc1,fc2}}}, all with biases.
 */
final class VisionEncoder {

    /** The keys CLIP's and SigLIP's vision configs share; each family supplies its own defaults. */
    record Config(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numChannels, int imageSize,
                  int patchSize, Activation hiddenAct, float layerNormEps) {

        Config {
            if (hiddenSize <= 0 || numHeads <= 0 || hiddenSize % numHeads != 0) {
                throw new JvlmException("vision_config: hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads " + numHeads);
            }
            if (patchSize <= 0 || imageSize < patchSize) {
                throw new JvlmException("vision_config: image_size " + imageSize + " must be at least patch_size " + patchSize + " (> 0)");
            }
        }

        /** Reads the keys of {@code c}, taking absent ones from {@code defaults}. */
        static Config parse(ConfigNode c, Config defaults) {
            return new Config(c.getInt("hidden_size", defaults.hiddenSize), c.getInt("intermediate_size", defaults.intermediateSize),
                    c.getInt("num_hidden_layers", defaults.numLayers), c.getInt("num_attention_heads", defaults.numHeads),
                    c.getInt("num_channels", defaults.numChannels), c.getInt("image_size", defaults.imageSize),
                    c.getInt("patch_size", defaults.patchSize),
                    c.has("hidden_act") ? Activation.parse(c.getString("hidden_act", null)) : defaults.hiddenAct,
                    (float) c.getDouble("layer_norm_eps", defaults.layerNormEps));
        }

        int headDim() {
            return hiddenSize / numHeads;
        }

        int patchesPerSide() {
            return imageSize / patchSize;
        }
    }

    record Layer(LayerNorm layerNorm1, Linear qProj, Linear kProj, Linear vProj, Linear outProj, LayerNorm layerNorm2,
                 Linear fc1, Linear fc2) {
    }

    private final Config config;
    private final List<Layer> layers;

    private VisionEncoder(Config config, List<Layer> layers) {
        this.config = config;
        this.layers = layers;
    }

    /** Loads {@code prefix + "layers.N.*"} for every layer of the config. */
    static VisionEncoder load(Checkpoint ckpt, String prefix, Config c) {
        int d = c.hiddenSize();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String p = prefix + "layers." + i + ".";
            layers.add(new Layer(LayerNorm.load(ckpt, p + "layer_norm1", d, c.layerNormEps()),
                    Linear.load(ckpt, p + "self_attn.q_proj", d, d, true),
                    Linear.load(ckpt, p + "self_attn.k_proj", d, d, true),
                    Linear.load(ckpt, p + "self_attn.v_proj", d, d, true),
                    Linear.load(ckpt, p + "self_attn.out_proj", d, d, true),
                    LayerNorm.load(ckpt, p + "layer_norm2", d, c.layerNormEps()),
                    Linear.load(ckpt, p + "mlp.fc1", d, c.intermediateSize(), true),
                    Linear.load(ckpt, p + "mlp.fc2", c.intermediateSize(), d, true)));
        }
        return new VisionEncoder(c, List.copyOf(layers));
    }

    /**
     * Runs the first {@code count} layers over {@code x [images, tokens, hidden]}; each image attends
     * within itself, to the keys {@code keyValid[image·tokens + t] != 0} (null: all).
     *
     * @param hiddenStates when not null, receives the input and the output of every layer run, as
     *                     {@code output_hidden_states=True} lists them
     */
    Tensor forward(Tensor x, int[] keyValid, int count, List<Tensor> hiddenStates) {
        int images = x.dim(0);
        int tokens = x.dim(1);
        int[] cuSeqlens = new int[images + 1];
        for (int i = 0; i <= images; i++) {
            cuSeqlens[i] = i * tokens;
        }
        Tensor h = x.reshape(images * tokens, config.hiddenSize());
        if (hiddenStates != null) {
            hiddenStates.add(x);
        }
        for (int i = 0; i < count; i++) {
            Layer l = layers.get(i);
            // Training keeps only each layer's input and recomputes the layer during the backward pass.
            h = Autograd.checkpoint(in -> layer(l, in, cuSeqlens, keyValid), h);
            if (hiddenStates != null) {
                hiddenStates.add(h.reshape(images, tokens, config.hiddenSize()));
            }
        }
        return h.reshape(images, tokens, config.hiddenSize());
    }

    private Tensor layer(Layer l, Tensor x, int[] cuSeqlens, int[] keyValid) {
        Tensor n = l.layerNorm1().forward(x);
        Tensor[] qkv = Linear.forwardAll(n, l.qProj(), l.kProj(), l.vProj());
        Tensor attn = Attention.packed(qkv[0], qkv[1], qkv[2], cuSeqlens, config.numHeads(), config.headDim(),
                (float) Math.pow(config.headDim(), -0.5), keyValid);
        Tensor residual = Ops.add(l.outProj().forward(attn), x);
        Tensor m = l.fc1().forward(l.layerNorm2().forward(residual));
        return Ops.add(l.fc2().forward(Ops.activate(m, config.hiddenAct())), residual);
    }

    int numLayers() {
        return layers.size();
    }
}
