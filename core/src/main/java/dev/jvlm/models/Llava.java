package dev.jvlm.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.Linear;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Ops.Activation;
import dev.jvlm.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * LLaVA ({@code LlavaForConditionalGeneration}, {@code model_type} "llava"): a CLIP vision tower whose
 * hidden states at {@code vision_feature_layer} (one layer, or several concatenated) go through
 * {@code multi_modal_projector.{linear_1, act, linear_2}} and replace the {@code image_token_index}
 * placeholders, one feature per placeholder.
 */
final class Llava implements VisionLanguage {

    /**
     * @param featureLayers      {@code vision_feature_layer}: hidden-state indices (negative count from the end)
     * @param dropClassToken     {@code vision_feature_select_strategy} "default" (true) or "full" (false)
     */
    record Config(int imageTokenIndex, int[] featureLayers, boolean dropClassToken, Activation projectorHiddenAct,
                  boolean projectorBias, VisionEncoder.Config vision) {

        static Config parse(ConfigNode root) {
            ConfigNode v = root.child("vision_config");
            String visionType = v.getString("model_type", "clip_vision_model");
            if (!visionType.equals("clip_vision_model")) {
                throw new JvlmException(v.where() + ": vision model_type \"" + visionType + "\" is not supported (supported: clip_vision_model)");
            }
            VisionEncoder.Config vision = root.has("vision_config") ? Clip.config(v) : LLAVA_VISION_DEFAULTS;
            String strategy = root.getString("vision_feature_select_strategy", "default");
            if (!strategy.equals("default") && !strategy.equals("full")) {
                throw root.error("vision_feature_select_strategy", "\"default\" or \"full\"", root.raw("vision_feature_select_strategy"));
            }
            return new Config(root.getInt("image_token_index", root.getInt("image_token_id", 32000)), featureLayers(root),
                    strategy.equals("default"), Activation.parse(root.getString("projector_hidden_act", "gelu")),
                    root.getBool("multimodal_projector_bias", true), vision);
        }

        private static int[] featureLayers(ConfigNode root) {
            JsonNode n = root.raw("vision_feature_layer");
            if (n == null) {
                return new int[] {-2};
            }
            if (n.isIntegralNumber()) {
                return new int[] {n.asInt()};
            }
            if (n.isArray() && !n.isEmpty()) {
                int[] out = new int[n.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!n.get(i).isIntegralNumber()) {
                        throw root.error("vision_feature_layer", "an integer or a list of integers", n);
                    }
                    out[i] = n.get(i).asInt();
                }
                return out;
            }
            throw root.error("vision_feature_layer", "an integer or a list of integers", n);
        }
    }

    /** LlavaConfig's vision tower when config.json has no vision_config (CLIP ViT-L/14 at 336 pixels). */
    static final VisionEncoder.Config LLAVA_VISION_DEFAULTS = new VisionEncoder.Config(1024, 4096, 24, 16, 3, 336, 14,
            Activation.QUICK_GELU, 1e-5f);

    private final Config config;
    private final Clip visionTower;
    private final Linear linear1;
    private final Linear linear2;
    private final int[] layerIndices;

    private Llava(Config config, Clip visionTower, Linear linear1, Linear linear2) {
        this.config = config;
        this.visionTower = visionTower;
        this.linear1 = linear1;
        this.linear2 = linear2;
        int states = visionTower.numLayers() + 1;
        this.layerIndices = new int[config.featureLayers().length];
        for (int i = 0; i < layerIndices.length; i++) {
            int l = config.featureLayers()[i];
            layerIndices[i] = l < 0 ? states + l : l;
            if (layerIndices[i] < 0 || layerIndices[i] >= states) {
                throw new JvlmException("vision_feature_layer " + l + " is outside the " + states
                        + " hidden states of a " + visionTower.numLayers() + "-layer vision tower");
            }
        }
    }

    static Llava load(ConfigNode root, Checkpoint ckpt, TextConfig text) {
        Config c = Config.parse(root);
        String vision = VisionLanguage.prefix(ckpt, "vision_model.embeddings.patch_embedding.weight", "vision_tower.", "model.vision_tower.");
        String projector = VisionLanguage.prefix(ckpt, "linear_1.weight", "multi_modal_projector.", "model.multi_modal_projector.");
        int in = c.vision().hiddenSize() * c.featureLayers().length;
        int d = text.hiddenSize();
        return new Llava(c, Clip.load(ckpt, vision + "vision_model.", c.vision()),
                Linear.load(ckpt, projector + "linear_1", in, d, c.projectorBias()),
                Linear.load(ckpt, projector + "linear_2", d, d, c.projectorBias()));
    }

    Config config() {
        return config;
    }

    /** Patches per side of one image (or tile). */
    int patchesPerSide() {
        return config.vision().patchesPerSide();
    }

    /**
     * {@code get_image_features}: projector output {@code [images, tokens, text hidden]} for
     * {@code pixels [images, 3, H, W]}, tokens = patches (+1 with the "full" strategy).
     */
    Tensor imageFeatures(Tensor pixels) {
        int deepest = 0;
        for (int i : layerIndices) {
            deepest = Math.max(deepest, i);
        }
        List<Tensor> hidden = visionTower.hiddenStates(pixels, deepest);
        int images = pixels.dim(0);
        int skip = config.dropClassToken() ? 1 : 0;
        int kept = hidden.getFirst().dim(1) - skip;
        Tensor[] selected = new Tensor[layerIndices.length];
        for (int l = 0; l < layerIndices.length; l++) {
            selected[l] = Layout.narrow(hidden.get(layerIndices[l]), 1, skip, kept);
        }
        Tensor features = selected.length == 1 ? selected[0] : Layout.concat(-1, selected);
        Tensor x = linear1.forward(features.reshape(images * kept, features.dim(-1)));
        Tensor out = linear2.forward(Ops.activate(x, config.projectorHiddenAct()));
        return out.reshape(images, kept, out.dim(-1));
    }

    @Override
    public Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs) {
        Tensor pixels = VisionLanguage.required(inputs, "pixel_values", "llava");
        VisionLanguage.checkShape(pixels, "pixel_values", "[images, 3, height, width]", -1, -1, -1, -1);
        Tensor features = imageFeatures(pixels);
        Tensor embeds = VisionLanguage.embedPrompt(lm, ids, config.imageTokenIndex());
        embeds = VisionLanguage.merge(embeds, ids, config.imageTokenIndex(), features, "image");
        return lm.prefillFromEmbeddings(embeds, mask, null, features);
    }
}
