package dev.jvlm.nn;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;

/** RMSNorm; {@code offset} 1 gives Gemma's {@code (1 + w)} scaling. */
public record RMSNorm(String name, Tensor weight, float eps, float offset) {

    public static RMSNorm load(Checkpoint ckpt, String name, int dim, float eps, float offset) {
        return new RMSNorm(name, ckpt.get(name + ".weight", dim).toF32(), eps, offset);
    }

    public Tensor forward(Tensor x) {
        return Ops.rmsNorm(x, weight, eps, offset);
    }
}
