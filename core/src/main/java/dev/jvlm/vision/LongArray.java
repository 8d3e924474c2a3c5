package dev.jvlm.vision;

import java.util.Arrays;

/** An int64 tensor: {@code data} in row-major order with dimensions {@code shape}. */
public record LongArray(long[] data, int[] shape) implements NdArray {

    public LongArray {
        if (data.length != NdArray.elementCount(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + NdArray.elementCount(shape) + " elements, got " + data.length);
        }
    }

    @Override
    public String toString() {
        return "LongArray" + Arrays.toString(shape);
    }
}
