package dev.jvlm.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A dense row-major tensor. Float32 tensors made by computation live in a heap {@code float[]};
 * tensors read from files keep their stored dtype in a {@link MemorySegment} (usually a mapped file),
 * and kernels widen BF16/F16 on the fly, so loading a checkpoint copies nothing.
 */
public final class Tensor {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final int[] shape;
    private final long size;
    private final float[] floats;
    private final MemorySegment segment;
    // Autograd state: a trainable leaf is marked requiresGrad and collects its gradient in grad; a
    // tensor computed while gradients are recorded remembers how, in node.
    private boolean requiresGrad;
    private Tensor grad;
    Autograd.Node node;

    private Tensor(DType dtype, int[] shape, float[] floats, MemorySegment segment) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = numel(shape);
        this.floats = floats;
        this.segment = segment;
    }

    /** A new float32 tensor filled with zeros. */
    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large for one heap array");
        }
        return new Tensor(DType.F32, shape, new float[(int) n], null);
    }

    /** Wraps a float array (not copied) as a float32 tensor. */
    public static Tensor of(float[] data, int... shape) {
        if (numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel(shape)
                    + " elements, got " + data.length);
        }
        return new Tensor(DType.F32, shape, data, null);
    }

    /** An integer tensor (stored as I64) from longs. */
    public static Tensor ofLongs(long[] data, int... shape) {
        if (numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel(shape)
                    + " elements, got " + data.length);
        }
        MemorySegment seg = MemorySegment.ofArray(new byte[data.length * 8]);
        for (int i = 0; i < data.length; i++) {
            seg.setAtIndex(I64_LE, i, data[i]);
        }
        return new Tensor(DType.I64, shape, null, seg);
    }

    /** A tensor over bytes in its stored dtype (e.g. a slice of a mapped safetensors file). */
    public static Tensor view(DType dtype, int[] shape, MemorySegment segment) {
        if (segment.byteSize() != numel(shape) * dtype.byteSize()) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold "
                    + dtype + Arrays.toString(shape));
        }
        return new Tensor(dtype, shape, null, segment);
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative i counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long numel() {
        return size;
    }

    /** True when the data is a heap float32 array usable directly by kernels. */
    public boolean isHeapF32() {
        return floats != null;
    }

    /** The backing float32 array (heap float32 tensors only). */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor " + describe() + " is not a heap float32 tensor");
        }
        return floats;
    }

    /** The backing bytes in the stored dtype (little-endian). */
    public MemorySegment segment() {
        return floats != null ? MemorySegment.ofArray(floats) : segment;
    }

    /** Element {@code i} (flat index) widened to float. */
    public float getFloat(long i) {
        if (floats != null) {
            return floats[(int) i];
        }
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32_LE, i);
            case BF16 -> bf16ToFloat(segment.getAtIndex(I16_LE, i));
            case F16 -> Float.float16ToFloat(segment.getAtIndex(I16_LE, i));
            case F64 -> (float) segment.getAtIndex(F64_LE, i);
            case I64 -> segment.getAtIndex(I64_LE, i);
            case I32 -> segment.getAtIndex(I32_LE, i);
            case I16 -> segment.getAtIndex(I16_LE, i);
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> segment.get(ValueLayout.JAVA_BYTE, i) & 0xff;
        };
    }

    /** Element {@code i} (flat index) as a long; integer and boolean tensors, or integral floats. */
    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> segment.getAtIndex(I64_LE, i);
            case I32 -> segment.getAtIndex(I32_LE, i);
            case I16 -> segment.getAtIndex(I16_LE, i);
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> segment.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            default -> {
                float f = getFloat(i);
                if (f != Math.rint(f)) {
                    throw new IllegalStateException("tensor " + describe() + " holds the non-integer " + f);
                }
                yield (long) f;
            }
        };
    }

    /** A heap float32 copy (or this tensor when it already is one). */
    public Tensor toF32() {
        if (floats != null) {
            return this;
        }
        float[] out = new float[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return new Tensor(DType.F32, shape, out, null);
    }

    /** All elements as longs. */
    public long[] toLongs() {
        long[] out = new long[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** The same data with another shape of equal element count. */
    public Tensor reshape(int... newShape) {
        if (numel(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + describe() + " to " + Arrays.toString(newShape));
        }
        Tensor out = new Tensor(dtype, newShape, floats, segment);
        int[] original = shape;
        return Autograd.record(out, g -> new Tensor[] {g.reshape(original)}, this);
    }

    /** Marks this tensor as a trainable leaf whose gradient {@link Autograd#backward} accumulates. */
    public Tensor requireGrad() {
        if (floats == null) {
            throw new IllegalStateException("only heap float32 tensors can be trained, not " + describe());
        }
        requiresGrad = true;
        return this;
    }

    /** True for trainable leaves and for tensors computed from them while gradients are recorded. */
    public boolean requiresGrad() {
        return requiresGrad || node != null;
    }

    boolean isLeaf() {
        return requiresGrad && node == null;
    }

    /** The accumulated gradient of a trainable leaf, or null before any backward pass. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        grad = g;
    }

    /** Rows {@code [from, to)} of the first dimension, sharing storage where the storage allows. */
    public Tensor slice0(int from, int to) {
        int[] s = shape.clone();
        long row = size / Math.max(1, shape[0]);
        s[0] = to - from;
        if (floats != null) {
            return new Tensor(DType.F32, s, Arrays.copyOfRange(floats, (int) (from * row), (int) (to * row)), null);
        }
        long b = dtype.byteSize() * row;
        return new Tensor(dtype, s, null, segment.asSlice(from * b, (to - from) * b));
    }

    /** Converts float32 data to the given storage dtype (round to nearest even for BF16/F16). */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        if (target == DType.F32) {
            return toF32();
        }
        if (!dtype.isFloatingPoint() || !(target == DType.BF16 || target == DType.F16)) {
            throw new IllegalArgumentException("cannot convert " + dtype + " to " + target);
        }
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(size * 2)]);
        for (long i = 0; i < size; i++) {
            float f = getFloat(i);
            out.setAtIndex(I16_LE, i, target == DType.BF16 ? floatToBf16(f) : Float.floatToFloat16(f));
        }
        return new Tensor(target, shape, null, out);
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float32 to bfloat16 with round-to-nearest-even, as torch's {@code .to(torch.bfloat16)}. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public String describe() {
        return dtype + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + describe();
    }
}
