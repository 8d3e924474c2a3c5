package dev.jvlm.vision;

import java.util.Arrays;

/** A float32 tensor: {@code data} in row-major order with dimensions {@code shape}. */
public record FloatArray(float[] data, int[] shape) implements NdArray {

    public FloatArray {
        if (data.length != NdArray.elementCount(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + NdArray.elementCount(shape) + " elements, got " + data.length);
        }
    }

    @Override
    public String toString() {
        return "FloatArray" + Arrays.toString(shape);
    }
}
