package dev.jvlm.nn;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;

/**
 * A linear layer {@code y = x Wᵀ + b} whose weight stays in its stored dtype, with an optional LoRA
 * adapter: {@code y += scaling · dropout(x) Aᵀ Bᵀ} as PEFT's LoRA layer computes it.
 */
public final class Linear {
    private final String name;
    private final Tensor weight;
    private final Tensor bias;
    private Lora lora;

    public Linear(String name, Tensor weight, Tensor bias) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code name.weight} [out, in] and, when {@code withBias}, {@code name.bias} [out]. */
    public static Linear load(Checkpoint ckpt, String name, int in, int out, boolean withBias) {
        Tensor w = ckpt.get(name + ".weight", out, in);
        Tensor b = withBias ? ckpt.get(name + ".bias", out) : null;
        return new Linear(name, w, b == null ? null : b.isHeapF32() ? b : b.toF32());
    }

    /** The module name in the checkpoint (its weight key without ".weight"). */
    public String name() {
        return name;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Lora lora() {
        return lora;
    }

    /** Attaches (or, with null, removes) a LoRA adapter. */
    public void setLora(Lora lora) {
        if (lora != null && (lora.a().dim(1) != inFeatures() || lora.b().dim(0) != outFeatures() || lora.a().dim(0) != lora.b().dim(1))) {
            throw new dev.jvlm.JvlmException("LoRA for " + name + ": A " + lora.a().describe() + " and B " + lora.b().describe()
                    + " do not fit a layer of " + inFeatures() + " inputs and " + outFeatures() + " outputs");
        }
        this.lora = lora;
    }

    public Tensor forward(Tensor x) {
        return withLora(x, MatMul.linear(x, weight, bias));
    }

    private Tensor withLora(Tensor x, Tensor y) {
        if (lora == null) {
            return y;
        }
        Tensor delta = MatMul.linear(MatMul.linear(lora.dropout(x), lora.a(), null), lora.b(), null);
        return Ops.add(y, Ops.scale(delta, lora.scaling()));
    }

    /** Several layers applied to the same input in one pool job (q/k/v, gate/up). */
    public static Tensor[] forwardAll(Tensor x, Linear... layers) {
        Tensor[] w = new Tensor[layers.length];
        Tensor[] b = new Tensor[layers.length];
        for (int i = 0; i < layers.length; i++) {
            w[i] = layers[i].weight;
            b[i] = layers[i].bias;
        }
        Tensor[] y = MatMul.linear(x, w, b);
        for (int i = 0; i < layers.length; i++) {
            y[i] = layers[i].withLora(x, y[i]);
        }
        return y;
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
