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

/**
 * SigLIP's vision transformer ({@code SiglipVisionTransformer}; Idefics3's {@code Idefics3VisionTransformer}
 * is the same module tree): {@code embeddings.{patch_embedding, position_embedding}} (no class token),
 * {@code encoder.layers.N.*}, {@code post_layernorm}. Images may be smaller than {@code image_size}
 * (Idefics3's variable-size tiles): only the patches a mask marks as real take part, and their
 * position ids are bucketed onto the full grid as {@code Idefics3VisionEmbeddings} does. For a
 * full-size image that bucketing is the identity, which is SigLIP's {@code position_ids}.
 */
final class Siglip {
    /** SiglipVisionConfig's defaults (Gemma 3's tower). */
    static final VisionEncoder.Config SIGLIP_DEFAULTS = new VisionEncoder.Config(768, 3072, 12, 12, 3, 224, 16,
            Activation.GELU_TANH, 1e-6f);
    /** Idefics3VisionConfig's defaults. */
    static final VisionEncoder.Config IDEFICS3_DEFAULTS = new VisionEncoder.Config(1152, 3072, 12, 16, 3, 224, 32,
            Activation.GELU_TANH, 1e-6f);

    private final VisionEncoder.Config config;
    private final PatchEmbedding patchEmbedding;
    private final Tensor positionEmbedding;
    private final VisionEncoder encoder;
    private final LayerNorm postLayernorm;
    private final float[] boundaries;

    private Siglip(VisionEncoder.Config config, PatchEmbedding patchEmbedding, Tensor positionEmbedding, VisionEncoder encoder,
                   LayerNorm postLayernorm) {
        this.config = config;
        this.patchEmbedding = patchEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.encoder = encoder;
        this.postLayernorm = postLayernorm;
        this.boundaries = arange(1.0 / config.patchesPerSide(), 1.0, 1.0 / config.patchesPerSide());
    }

    static VisionEncoder.Config config(ConfigNode visionConfig, VisionEncoder.Config defaults) {
        return VisionEncoder.Config.parse(visionConfig, defaults);
    }

    /** Loads the tower under {@code prefix} (e.g. "model.vision_model.", "vision_tower.vision_model."). */
    static Siglip load(Checkpoint ckpt, String prefix, VisionEncoder.Config c) {
        int d = c.hiddenSize();
        int n = c.patchesPerSide();
        return new Siglip(c,
                PatchEmbedding.load(ckpt, prefix + "embeddings.patch_embedding", c.numChannels(), c.patchSize(), d, true),
                ckpt.get(prefix + "embeddings.position_embedding.weight", n * n, d),
                VisionEncoder.load(ckpt, prefix + "encoder.", c),
                LayerNorm.load(ckpt, prefix + "post_layernorm", d, c.layerNormEps()));
    }

    /**
     * {@code last_hidden_state [images, patches, hidden]} of {@code pixels [images, 3, H, W]}.
     *
     * @param patchMask per image, per patch (row-major), whether it holds real pixels; null: all do
     */
    Tensor forward(Tensor pixels, boolean[][] patchMask) {
        int images = pixels.dim(0);
        int rows = pixels.dim(2) / config.patchSize();
        int cols = pixels.dim(3) / config.patchSize();
        int patches = rows * cols;
        int n = config.patchesPerSide();
        if (rows > n || cols > n) {
            throw new JvlmException("pixel_values: images of " + pixels.dim(2) + "x" + pixels.dim(3) + " pixels exceed the vision tower's "
                    + config.imageSize() + "x" + config.imageSize());
        }
        int[] keyValid = patchMask == null ? null : new int[images * patches];
        int[] positionIds = new int[images * patches];
        for (int img = 0; img < images; img++) {
            boolean[] mask = patchMask == null ? null : patchMask[img];
            System.arraycopy(positionIds(mask, rows, cols), 0, positionIds, img * patches, patches);
            for (int p = 0; keyValid != null && p < patches; p++) {
                keyValid[img * patches + p] = mask[p] ? 1 : 0;
            }
        }
        Tensor x = Ops.add(patchEmbedding.forward(pixels), Layout.gatherRows(positionEmbedding, positionIds));
        // Hugging Face passes no mask at all when every patch is real; both give the same attention.
        Tensor h = encoder.forward(x, keyValid, encoder.numLayers(), null);
        return postLayernorm.forward(h);
    }

    /**
     * {@code Idefics3VisionEmbeddings}' position ids: the real patches form an h x w block at the top
     * left; their fractional coordinates {@code arange(0, 1 - 1e-6, 1/h)} are bucketed into the full
     * grid's boundaries {@code arange(1/n, 1, 1/n)}. Padding patches keep id 0.
     */
    int[] positionIds(boolean[] mask, int rows, int cols) {
        int h = rows;
        int w = cols;
        if (mask != null) {
            h = 0;
            w = 0;
            for (int r = 0; r < rows; r++) {
                h += mask[r * cols] ? 1 : 0;
            }
            for (int c = 0; c < cols; c++) {
                w += mask[c] ? 1 : 0;
            }
        }
        int[] bucketH = bucketize(arange(0, 1 - 1e-6, 1f / h));
        int[] bucketW = bucketize(arange(0, 1 - 1e-6, 1f / w));
        int n = config.patchesPerSide();
        int[] ids = new int[rows * cols];
        int real = 0;
        for (int p = 0; p < ids.length; p++) {
            real += mask == null || mask[p] ? 1 : 0;
        }
        if (real != h * w) {
            throw new JvlmException("pixel_attention_mask: the " + real + " real patches of a tile do not form the " + h + "x" + w
                    + " block at its top left that its first row and column describe");
        }
        for (int p = 0, next = 0; p < ids.length; p++) {
            if (mask == null || mask[p]) {
                ids[p] = bucketH[next / w] * n + bucketW[next % w];
                next++;
            }
        }
        return ids;
    }

    /** {@code torch.bucketize(x, boundaries, right=True)}: how many boundaries are <= x. */
    private int[] bucketize(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            int k = 0;
            while (k < boundaries.length && boundaries[k] <= x[i]) {
                k++;
            }
            out[i] = k;
        }
        return out;
    }

    /**
     * {@code torch.arange(start, end, step)} in float32 as torch's CPU kernel computes it: the length
     * {@code ceil((end - start) / step)} and each value {@code start + i·step} in double, rounded once.
     */
    static float[] arange(double start, double end, double step) {
        int size = (int) Math.ceil((end - start) / step);
        float[] out = new float[Math.max(0, size)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (start + step * i);
        }
        return out;
    }
}
