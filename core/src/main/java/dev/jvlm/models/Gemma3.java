package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.RMSNorm;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.util.Map;

/**
 * Gemma 3 ({@code Gemma3ForConditionalGeneration}, {@code model_type} "gemma3"): a SigLIP tower, then
 * {@code Gemma3MultiModalProjector} (average pooling of the patch grid down to {@code mm_tokens_per_image},
 * {@code mm_soft_emb_norm} with Gemma's (1 + w), {@code x @ mm_input_projection_weight}); the features
 * replace the {@code image_token_index} placeholders unscaled (text embeddings carry sqrt(hidden)). Tokens
 * with {@code token_type_ids} 1 attend to each other in both directions: in transformers 4.50 all image
 * tokens of a sequence form one group; sliding-window layers still apply their window.
 */
final class Gemma3 implements VisionLanguage {

    record Config(int imageTokenIndex, int mmTokensPerImage, VisionEncoder.Config vision) {
        static Config parse(ConfigNode root) {
            return new Config(root.getInt("image_token_index", 262144), root.getInt("mm_tokens_per_image", 256),
                    Siglip.config(root.child("vision_config"), Siglip.SIGLIP_DEFAULTS));
        }
    }

    private final Config config;
    private final Siglip visionTower;
    private final RMSNorm mmSoftEmbNorm;
    private final Tensor mmInputProjectionWeight;
    private final int kernel;

    private Gemma3(Config config, Siglip visionTower, RMSNorm mmSoftEmbNorm, Tensor mmInputProjectionWeight) {
        this.config = config;
        this.visionTower = visionTower;
        this.mmSoftEmbNorm = mmSoftEmbNorm;
        this.mmInputProjectionWeight = mmInputProjectionWeight;
        int tokensPerSide = (int) Math.sqrt(config.mmTokensPerImage());
        this.kernel = config.vision().patchesPerSide() / Math.max(1, tokensPerSide);
        if (tokensPerSide * tokensPerSide != config.mmTokensPerImage() || kernel == 0) {
            throw new JvlmException("gemma3: mm_tokens_per_image " + config.mmTokensPerImage() + " must be a square of at most "
                    + config.vision().patchesPerSide() + "² (the patches per side of the vision tower)");
        }
    }

    static Gemma3 load(ConfigNode root, Checkpoint ckpt, TextConfig text) {
        Config c = Config.parse(root);
        String vision = VisionLanguage.prefix(ckpt, "vision_model.embeddings.patch_embedding.weight", "vision_tower.", "model.vision_tower.");
        String projector = VisionLanguage.prefix(ckpt, "mm_input_projection_weight", "multi_modal_projector.", "model.multi_modal_projector.");
        int dv = c.vision().hiddenSize();
        int dt = text.hiddenSize();
        return new Gemma3(c, Siglip.load(ckpt, vision + "vision_model.", c.vision()),
                RMSNorm.load(ckpt, projector + "mm_soft_emb_norm", dv, c.vision().layerNormEps(), 1f),
                ckpt.get(projector + "mm_input_projection_weight", dv, dt));
    }

    @Override
    public Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs) {
        Tensor embeds = VisionLanguage.embedPrompt(lm, ids, config.imageTokenIndex());
        Tensor features = null;
        if (inputs.containsKey("pixel_values")) {
            Tensor pixels = inputs.get("pixel_values");
            int size = config.vision().imageSize();
            VisionLanguage.checkShape(pixels, "pixel_values", "[images, 3, " + size + ", " + size + "]", -1,
                    config.vision().numChannels(), size, size);
            features = imageFeatures(pixels);
            embeds = VisionLanguage.merge(embeds, ids, config.imageTokenIndex(), features, "image");
        }
        int[][] groups = new int[ids.length][ids[0].length];
        Tensor types = inputs.get("token_type_ids");
        if (types != null) {
            int[][] t = VisionLanguage.intRows(types, "token_type_ids", ids[0].length);
            if (t.length != ids.length) {
                throw new JvlmException("\"token_type_ids\" has " + t.length + " rows but \"input_ids\" has " + ids.length);
            }
            groups = t;
        } else {
            // Gemma3's processor marks the image tokens; without token_type_ids the model would be causal there.
            for (int b = 0; b < ids.length; b++) {
                for (int i = 0; i < ids[b].length; i++) {
                    groups[b][i] = ids[b][i] == config.imageTokenIndex() ? 1 : 0;
                }
            }
        }
        return lm.prefillFromEmbeddings(embeds, mask, groups, features);
    }

    /** {@code get_image_features}: {@code [images, mm_tokens_per_image, text hidden]}. */
    private Tensor imageFeatures(Tensor pixels) {
        Tensor hidden = visionTower.forward(pixels, null);
        int side = config.vision().patchesPerSide();
        Tensor normed = mmSoftEmbNorm.forward(Ops.avgPool2d(hidden, side, side, kernel));
        // Stored [vision, text]: the projector computes x @ W.
        return MatMul.matmul(normed, mmInputProjectionWeight);
    }
}
