package dev.jvlm.nn;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;

/** LayerNorm with weight and bias over the last dimension (torch.nn.LayerNorm). */
public record LayerNorm(String name, Tensor weight, Tensor bias, float eps) {

    /** Loads {@code name.weight} and {@code name.bias}, both {@code [dim]}. */
    public static LayerNorm load(Checkpoint ckpt, String name, int dim, float eps) {
        return new LayerNorm(name, ckpt.get(name + ".weight", dim).toF32(), ckpt.get(name + ".bias", dim).toF32(), eps);
    }

    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, weight, bias, eps);
    }
}
