package dev.jvlm.nn;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Tensor;

/**
 * A vision transformer's patch convolution ({@code Conv2d} with kernel = stride = patch, no padding;
 * also Qwen2-VL's {@code Conv3d} over patches its processor already flattened): since the patches do
 * not overlap, it is a linear layer over each patch unfolded in (channel, [frame,] row, column) order,
 * with the weight {@code [hidden, channels, [frames,] patch, patch]} viewed as {@code [hidden, rest]}.
 * The weight keeps its checkpoint shape and is viewed anew by every forward, so that a trainable
 * weight receives its gradient in every step.
 */
public record PatchEmbedding(String name, Tensor weight, Tensor bias, int channels, int patch) {

    /** Loads {@code name.weight} {@code [hidden, channels, patch, patch]} and, when asked, {@code name.bias}. */
    public static PatchEmbedding load(Checkpoint ckpt, String name, int channels, int patch, int hidden, boolean withBias) {
        Tensor w = ckpt.get(name + ".weight", hidden, channels, patch, patch);
        Tensor b = withBias ? ckpt.get(name + ".bias", hidden).toF32() : null;
        return new PatchEmbedding(name, w, b, channels, patch);
    }

    /** Embeddings {@code [n, hidden]} of patches already unfolded as {@code [n, channels·[frames·]patch·patch]}. */
    public Tensor project(Tensor unfolded) {
        int hidden = weight.dim(0);
        return MatMul.linear(unfolded, weight.reshape(hidden, (int) (weight.numel() / hidden)), bias);
    }

    /**
     * Patch embeddings {@code [images, rows·cols, hidden]} of {@code pixels [images, channels, H, W]},
     * patches in row-major order; trailing pixels that fill no whole patch are dropped, as the
     * convolution drops them.
     */
    public Tensor forward(Tensor pixels) {
        if (pixels.rank() != 4 || pixels.dim(1) != channels) {
            throw new IllegalArgumentException(name + ": expected pixels [images, " + channels + ", H, W], got " + pixels.describe());
        }
        int images = pixels.dim(0);
        int h = pixels.dim(2);
        int w = pixels.dim(3);
        int rows = h / patch;
        int cols = w / patch;
        int k = channels * patch * patch;
        float[] src = pixels.toF32().floats();
        float[] unfolded = new float[images * rows * cols * k];
        for (int n = 0; n < images; n++) {
            for (int c = 0; c < channels; c++) {
                int plane = (n * channels + c) * h * w;
                for (int y = 0; y < rows * patch; y++) {
                    int py = y / patch;
                    int ky = y % patch;
                    for (int px = 0; px < cols; px++) {
                        int dst = ((n * rows + py) * cols + px) * k + (c * patch + ky) * patch;
                        System.arraycopy(src, plane + y * w + px * patch, unfolded, dst, patch);
                    }
                }
            }
        }
        return project(Tensor.of(unfolded, images * rows * cols, k)).reshape(images, rows * cols, weight.dim(0));
    }
}
