package dev.jvlm.io;

import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Weights made up on demand: a model loaded from these gets seeded random tensors of exactly the names
 * and shapes it asks for, which can then be written as an ordinary checkpoint ({@code jvlm init}).
 * Matrices are drawn from N(0, std²) as Hugging Face's {@code _init_weights} does; vectors (norm
 * weights and biases) are 1 for norms and 0 for biases.
 */
public final class RandomWeights implements Checkpoint {
    private final SplittableRandom random;
    private final double std;
    private final DType dtype;
    private final Map<String, Tensor> made = new LinkedHashMap<>();

    public RandomWeights(long seed, double std, DType dtype) {
        this.random = new SplittableRandom(seed);
        this.std = std;
        this.dtype = dtype;
    }

    @Override
    public String source() {
        return "random weights";
    }

    @Override
    public boolean has(String name) {
        return made.containsKey(name);
    }

    @Override
    public Tensor get(String name, int... shape) {
        Tensor existing = made.get(name);
        if (existing != null) {
            return existing;
        }
        Tensor t = Tensor.zeros(shape);
        float[] a = t.floats();
        if (shape.length >= 2) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (random.nextGaussian() * std);
            }
        } else if (!name.endsWith(".bias")) {
            java.util.Arrays.fill(a, 1f);
        }
        Tensor stored = t.to(dtype);
        made.put(name, stored);
        return stored;
    }

    /** Everything made so far, in the order the model asked for it. */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(made);
    }
}
