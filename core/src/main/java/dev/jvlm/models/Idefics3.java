package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.Linear;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Tensor;
import java.util.Map;

/**
 * Idefics3 / SmolVLM ({@code Idefics3ForConditionalGeneration}, {@code model_type} "idefics3"; SmolVLM2's
 * "smolvlm" is the same model under the same names): the
 * tiles of every image go through a SigLIP-style tower ({@code model.vision_model}) with a patch mask
 * for their padding; the connector ({@code model.connector}) pixel-shuffles each tile's patch grid by
 * {@code scale_factor} (folding s x s neighbours into the channels) and projects it with
 * {@code modality_projection.proj}; the features replace the {@code image_token_id} placeholders.
 */
final class Idefics3 implements VisionLanguage {

    record Config(int imageTokenId, int scaleFactor, VisionEncoder.Config vision) {
        static Config parse(ConfigNode root) {
            int scale = root.getInt("scale_factor", 2);
            if (scale <= 0) {
                throw root.error("scale_factor", "a positive integer", root.raw("scale_factor"));
            }
            return new Config(root.getInt("image_token_id", 128257), scale,
                    Siglip.config(root.child("vision_config"), Siglip.IDEFICS3_DEFAULTS));
        }
    }

    private final Config config;
    private final Siglip visionModel;
    private final Linear modalityProjection;

    private Idefics3(Config config, Siglip visionModel, Linear modalityProjection) {
        this.config = config;
        this.visionModel = visionModel;
        this.modalityProjection = modalityProjection;
    }

    static Idefics3 load(ConfigNode root, Checkpoint ckpt, TextConfig text) {
        Config c = Config.parse(root);
        int side = c.vision().patchesPerSide();
        if (side % c.scaleFactor() != 0) {
            throw new JvlmException(root.where() + ": scale_factor " + c.scaleFactor() + " does not divide the " + side
                    + " patches per side of the vision tower (image_size / patch_size)");
        }
        int in = c.vision().hiddenSize() * c.scaleFactor() * c.scaleFactor();
        return new Idefics3(c, Siglip.load(ckpt, "model.vision_model.", c.vision()),
                Linear.load(ckpt, "model.connector.modality_projection.proj", in, text.hiddenSize(), false));
    }

    @Override
    public Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs) {
        Tensor pixels = VisionLanguage.required(inputs, "pixel_values", "idefics3");
        VisionLanguage.checkShape(pixels, "pixel_values", "[batch, tiles, 3, height, width]", -1, -1, config.vision().numChannels(), -1, -1);
        int tiles = pixels.dim(0) * pixels.dim(1);
        int h = pixels.dim(3);
        int w = pixels.dim(4);
        Tensor pixelMask = inputs.get("pixel_attention_mask");
        if (pixelMask != null) {
            VisionLanguage.checkShape(pixelMask, "pixel_attention_mask", "[batch, tiles, height, width] like pixel_values",
                    pixels.dim(0), pixels.dim(1), h, w);
        }
        // Padding tiles (all pixels exactly 0) are dropped before the tower, as Idefics3Model does.
        int per = pixels.dim(2) * h * w;
        float[] src = pixels.toF32().floats();
        int[] real = new int[tiles];
        int kept = 0;
        for (int t = 0; t < tiles; t++) {
            boolean zero = true;
            for (int i = t * per; zero && i < (t + 1) * per; i++) {
                zero = src[i] == 0f;
            }
            if (!zero) {
                real[kept++] = t;
            }
        }
        if (kept == 0) {
            kept = 1; // Hugging Face keeps one (empty) tile when all are padding
        }
        float[] keptPixels = new float[kept * per];
        int p = config.vision().patchSize();
        int rows = h / p;
        int cols = w / p;
        boolean[][] patchMask = pixelMask == null ? null : new boolean[kept][rows * cols];
        for (int k = 0; k < kept; k++) {
            System.arraycopy(src, real[k] * per, keptPixels, k * per, per);
            if (patchMask != null) {
                // A patch is real when any of its pixels is (the unfold + sum > 0 of Idefics3Model).
                long base = (long) real[k] * h * w;
                for (int y = 0; y < rows * p; y++) {
                    for (int x = 0; x < cols * p; x++) {
                        if (pixelMask.getLong(base + (long) y * w + x) != 0) {
                            patchMask[k][(y / p) * cols + x / p] = true;
                        }
                    }
                }
            }
        }
        Tensor hidden = visionModel.forward(Tensor.of(keptPixels, kept, pixels.dim(2), h, w), patchMask);
        Tensor features = connector(hidden);
        Tensor embeds = VisionLanguage.embedPrompt(lm, ids, config.imageTokenId());
        embeds = VisionLanguage.merge(embeds, ids, config.imageTokenId(), features, "image");
        return lm.prefillFromEmbeddings(embeds, mask, null, features);
    }

    /** {@code Idefics3Connector}: pixel shuffle, then {@code modality_projection}; {@code [tiles, tokens, text hidden]}. */
    private Tensor connector(Tensor hidden) {
        int tiles = hidden.dim(0);
        int seq = hidden.dim(1);
        int d = hidden.dim(2);
        int side = (int) Math.sqrt(seq);
        int s = config.scaleFactor();
        if (side * side != seq || side % s != 0) {
            throw new JvlmException("idefics3: pixel shuffle needs a square patch grid divisible by scale_factor " + s + ", got "
                    + seq + " patches per tile");
        }
        int outSide = side / s;
        int width = d * s * s;
        // Output token (i, j) holds the s x s block of patches at rows i·s.., columns j·s.., row by row.
        int[] index = new int[tiles * seq];
        for (int t = 0, next = 0; t < tiles; t++) {
            for (int i = 0; i < outSide; i++) {
                for (int j = 0; j < outSide; j++) {
                    for (int dy = 0; dy < s; dy++) {
                        for (int dx = 0; dx < s; dx++) {
                            index[next++] = (t * side + i * s + dy) * side + j * s + dx;
                        }
                    }
                }
            }
        }
        Tensor shuffled = Layout.gatherRows(hidden.reshape(tiles * seq, d), index).reshape(tiles * outSide * outSide, width);
        Tensor projected = modalityProjection.forward(shuffled);
        return projected.reshape(tiles, outSide * outSide, projected.dim(-1));
    }
}
