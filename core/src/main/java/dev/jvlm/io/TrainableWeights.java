package dev.jvlm.io;

import dev.jvlm.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A checkpoint whose selected tensors are handed out as float32 master copies that collect
 * gradients (full fine-tuning); the others stay mapped in their stored dtype, frozen.
 */
public final class TrainableWeights implements Checkpoint {
    private final Checkpoint.Mapped base;
    private final Predicate<String> trainable;
    private final Map<String, Tensor> copies = new LinkedHashMap<>();

    public TrainableWeights(Checkpoint.Mapped base, Predicate<String> trainable) {
        this.base = base;
        this.trainable = trainable;
    }

    @Override
    public String source() {
        return base.source();
    }

    @Override
    public boolean has(String name) {
        return base.has(name);
    }

    @Override
    public Tensor get(String name, int... shape) {
        Tensor t = base.get(name, shape);
        if (!trainable.test(name)) {
            return t;
        }
        return copies.computeIfAbsent(name, n -> Tensor.of(t.toF32().floats().clone(), t.shape()).requireGrad());
    }

    /** The trainable copies handed out so far, by checkpoint key. */
    public Map<String, Tensor> trainable() {
        return Collections.unmodifiableMap(copies);
    }

    public Checkpoint.Mapped base() {
        return base;
    }
}
