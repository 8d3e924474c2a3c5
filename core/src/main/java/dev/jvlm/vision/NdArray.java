package dev.jvlm.vision;

/**
 * A processor output tensor: a flat row-major array and its shape. Kept minimal and local to
 * this package; callers adapt it to the project's tensor type.
 */
public sealed interface NdArray permits FloatArray, LongArray {

    /** The dimensions, outermost first. */
    int[] shape();

    /** The number of elements the shape describes. */
    static int elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many elements: " + n);
        }
        return (int) n;
    }
}
