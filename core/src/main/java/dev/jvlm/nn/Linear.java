package dev.jvlm.nn;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Tensor;

/** A linear layer {@code y = x Wᵀ + b} whose weight stays in its stored dtype. */
public record Linear(String name, Tensor weight, Tensor bias) {

    /** Loads {@code name.weight} [out, in] and, when {@code withBias}, {@code name.bias} [out]. */
    public static Linear load(Checkpoint ckpt, String name, int in, int out, boolean withBias) {
        Tensor w = ckpt.get(name + ".weight", out, in);
        Tensor b = withBias ? ckpt.get(name + ".bias", out).toF32() : null;
        return new Linear(name, w, b);
    }

    public Tensor forward(Tensor x) {
        return MatMul.linear(x, weight, bias);
    }

    /** Several layers applied to the same input in one pool job (q/k/v, gate/up). */
    public static Tensor[] forwardAll(Tensor x, Linear... layers) {
        Tensor[] w = new Tensor[layers.length];
        Tensor[] b = new Tensor[layers.length];
        for (int i = 0; i < layers.length; i++) {
            w[i] = layers[i].weight;
            b[i] = layers[i].bias;
        }
        return MatMul.linear(x, w, b);
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
