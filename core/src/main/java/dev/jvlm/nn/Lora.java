package dev.jvlm.nn;

import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The LoRA factors of one linear layer: {@code a [r, in]}, {@code b [out, r]}, the output scaling
 * ({@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA) and the input dropout
 * probability, applied only while training (when {@code random} is set).
 */
public record Lora(Tensor a, Tensor b, float scaling, float dropoutP, SplittableRandom random) {

    public int rank() {
        return a.dim(0);
    }

    /** PEFT's scaling for a rank and alpha. */
    public static float scaling(int r, double alpha, boolean rslora) {
        return (float) (rslora ? alpha / Math.sqrt(r) : alpha / r);
    }

    Tensor dropout(Tensor x) {
        return random == null || dropoutP == 0 ? x : Ops.dropout(x, dropoutP, random);
    }
}
