package dev.jvlm.tensor;

import java.util.Arrays;

/**
 * Differentiable data movement: picking rows by index, concatenating and narrowing along a
 * dimension. Vision towers and connectors are built from these (class tokens, position embeddings,
 * feature selection, pixel shuffle, window order, merging image features into text embeddings), so
 * one forward serves inference and training; like every op, they record nothing unless an input
 * needs a gradient.
 */
public final class Layout {
    private Layout() {
    }

    /**
     * {@code out[i] = src[index[i]]} along the first dimension ({@code index_select(0, index)}):
     * {@code [index.length, ...]} from {@code src [n, ...]} in any float dtype. The gradient adds each
     * output row back onto the row it came from.
     */
    public static Tensor gatherRows(Tensor src, int[] index) {
        int n = src.dim(0);
        int width = n == 0 ? 0 : (int) (src.numel() / n);
        int[] shape = src.shape();
        shape[0] = index.length;
        Tensor out = Tensor.zeros(shape);
        float[] o = out.floats();
        for (int i = 0; i < index.length; i++) {
            int r = index[i];
            if (r < 0 || r >= n) {
                throw new IndexOutOfBoundsException("gatherRows: row " + r + " of " + src.describe());
            }
            if (src.isHeapF32()) {
                System.arraycopy(src.floats(), r * width, o, i * width, width);
            } else {
                for (int j = 0; j < width; j++) {
                    o[i * width + j] = src.getFloat((long) r * width + j);
                }
            }
        }
        return Autograd.record(out, g -> {
            Tensor d = Tensor.zeros(src.shape());
            float[] da = d.floats();
            float[] go = g.floats();
            for (int i = 0; i < index.length; i++) {
                int base = index[i] * width;
                for (int j = 0; j < width; j++) {
                    da[base + j] += go[i * width + j];
                }
            }
            return new Tensor[] {d};
        }, src);
    }

    /** {@code torch.cat(parts, dim)}: float32 tensors equal in every dimension but {@code dim}. */
    public static Tensor concat(int dim, Tensor... parts) {
        int[] shape = parts[0].shape();
        int axis = dim < 0 ? shape.length + dim : dim;
        int outer = outer(shape, axis);
        int inner = inner(shape, axis);
        int total = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            s[axis] = shape[axis];
            if (!Arrays.equals(s, shape)) {
                throw new IllegalArgumentException("concat along " + dim + ": " + parts[0].describe() + " and " + p.describe() + " differ");
            }
            total += p.dim(axis);
        }
        int[] outShape = shape.clone();
        outShape[axis] = total;
        Tensor out = Tensor.zeros(outShape);
        float[] o = out.floats();
        int rowOut = total * inner;
        for (int offset = 0, i = 0; i < parts.length; offset += parts[i].dim(axis), i++) {
            float[] src = parts[i].floats();
            int row = parts[i].dim(axis) * inner;
            for (int b = 0; b < outer; b++) {
                System.arraycopy(src, b * row, o, b * rowOut + offset * inner, row);
            }
        }
        return Autograd.record(out, g -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int offset = 0, i = 0; i < parts.length; offset += parts[i].dim(axis), i++) {
                grads[i] = parts[i].requiresGrad() ? narrow(g, axis, offset, parts[i].dim(axis)) : null;
            }
            return grads;
        }, parts);
    }

    /**
     * {@code x.narrow(dim, start, length)} as a new float32 tensor: indices {@code [start, start + length)}
     * of dimension {@code dim}. The gradient is zero outside the window.
     */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int[] shape = x.shape();
        int axis = dim < 0 ? shape.length + dim : dim;
        if (start < 0 || length < 0 || start + length > shape[axis]) {
            throw new IndexOutOfBoundsException("narrow: [" + start + ", " + (start + length) + ") of dimension " + dim + " of " + x.describe());
        }
        int outer = outer(shape, axis);
        int inner = inner(shape, axis);
        int rowIn = shape[axis] * inner;
        int rowOut = length * inner;
        int[] outShape = shape.clone();
        outShape[axis] = length;
        Tensor out = Tensor.zeros(outShape);
        float[] src = x.floats();
        float[] o = out.floats();
        for (int b = 0; b < outer; b++) {
            System.arraycopy(src, b * rowIn + start * inner, o, b * rowOut, rowOut);
        }
        return Autograd.record(out, g -> {
            Tensor d = Tensor.zeros(shape);
            float[] go = g.floats();
            float[] da = d.floats();
            for (int b = 0; b < outer; b++) {
                System.arraycopy(go, b * rowOut, da, b * rowIn + start * inner, rowOut);
            }
            return new Tensor[] {d};
        }, x);
    }

    private static int outer(int[] shape, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) {
            n *= shape[i];
        }
        return n;
    }

    private static int inner(int[] shape, int axis) {
        int n = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }
}
