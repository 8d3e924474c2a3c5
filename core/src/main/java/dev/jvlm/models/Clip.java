package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.LayerNorm;
import dev.jvlm.nn.PatchEmbedding;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Ops.Activation;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's vision transformer ({@code CLIPVisionTransformer}, {@code model_type} "clip_vision_model"):
 * {@code embeddings.{class_embedding, patch_embedding, position_embedding}}, {@code pre_layrnorm} (sic),
 * {@code encoder.layers.N.*}, {@code post_layernorm}. LLaVA reads its hidden states, not its pooled output.
 */
final class Clip {
    /** CLIPVisionConfig's defaults. */
    static final VisionEncoder.Config DEFAULTS = new VisionEncoder.Config(768, 3072, 12, 12, 3, 224, 32,
            Activation.QUICK_GELU, 1e-5f);

    private final VisionEncoder.Config config;
    private final Tensor classEmbedding;
    private final PatchEmbedding patchEmbedding;
    private final Tensor positionEmbedding;
    private final LayerNorm preLayrnorm;
    private final VisionEncoder encoder;

    private Clip(VisionEncoder.Config config, Tensor classEmbedding, PatchEmbedding patchEmbedding, Tensor positionEmbedding,
                 LayerNorm preLayrnorm, VisionEncoder encoder) {
        this.config = config;
        this.classEmbedding = classEmbedding;
        this.patchEmbedding = patchEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.preLayrnorm = preLayrnorm;
        this.encoder = encoder;
    }

    static VisionEncoder.Config config(ConfigNode visionConfig) {
        return VisionEncoder.Config.parse(visionConfig, DEFAULTS);
    }

    /** Loads the tower under {@code prefix} (e.g. "vision_tower.vision_model."). */
    static Clip load(Checkpoint ckpt, String prefix, VisionEncoder.Config c) {
        int d = c.hiddenSize();
        int positions = c.patchesPerSide() * c.patchesPerSide() + 1;
        String e = prefix + "embeddings.";
        Clip clip = new Clip(c, ckpt.get(e + "class_embedding", d).toF32(),
                PatchEmbedding.load(ckpt, e + "patch_embedding", c.numChannels(), c.patchSize(), d, false),
                ckpt.get(e + "position_embedding.weight", positions, d),
                LayerNorm.load(ckpt, prefix + "pre_layrnorm", d, c.layerNormEps()),
                VisionEncoder.load(ckpt, prefix + "encoder.", c));
        // Feature layers stop before post_layernorm, but it is part of the checkpoint: asking for it
        // checks its shape and makes `jvlm init` write it.
        LayerNorm.load(ckpt, prefix + "post_layernorm", d, c.layerNormEps());
        return clip;
    }

    /**
     * The first {@code count + 1} entries of {@code hidden_states} for {@code pixels [images, 3, H, W]}:
     * entry 0 is the embeddings after {@code pre_layrnorm}, entry i the output of encoder layer i;
     * each {@code [images, 1 + patches, hidden]} with the class token first.
     */
    List<Tensor> hiddenStates(Tensor pixels, int count) {
        int size = config.imageSize();
        if (pixels.rank() != 4 || pixels.dim(1) != config.numChannels() || pixels.dim(2) != size || pixels.dim(3) != size) {
            throw new JvlmException("pixel_values: the CLIP vision tower takes [images, " + config.numChannels() + ", " + size
                    + ", " + size + "], got " + java.util.Arrays.toString(pixels.shape()));
        }
        int images = pixels.dim(0);
        int d = config.hiddenSize();
        Tensor patches = patchEmbedding.forward(pixels);
        int tokens = patches.dim(1) + 1;
        // cat(class_embedding per image, patch embeddings) + position_embedding(arange(tokens))
        Tensor classTokens = Layout.gatherRows(classEmbedding.reshape(1, d), new int[images]).reshape(images, 1, d);
        int[] positionIds = new int[images * tokens];
        for (int i = 0; i < positionIds.length; i++) {
            positionIds[i] = i % tokens;
        }
        Tensor x = Ops.add(Layout.concat(1, classTokens, patches), Layout.gatherRows(positionEmbedding, positionIds));
        Tensor embeddings = preLayrnorm.forward(x);
        List<Tensor> hidden = new ArrayList<>();
        encoder.forward(embeddings, null, count, hidden);
        return hidden;
    }

    int numLayers() {
        return encoder.numLayers();
    }
}
