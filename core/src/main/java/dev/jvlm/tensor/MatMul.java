package dev.jvlm.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y = x · wᵀ + b} for a float32 activation {@code x [M, K]} and a weight {@code w [N, K]} stored
 * as F32, BF16 or F16 (the layout of every Hugging Face linear layer).
 *
 * <p>Few rows (decoding) are memory-bound: each weight row is streamed once and dotted with every
 * row of x. Many rows (prefill, vision, training) are compute-bound: weight panels of {@link #NR}
 * columns are widened and transposed into a thread-local buffer, then a register-blocked
 * {@link #MR}×{@link #NR} micro-kernel broadcasts rows of x against them.
 */
public final class MatMul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** L bfloat16 values: half a float vector's bits, widened lane for lane into {@link #I}. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Panel width: two vectors. */
    static final int NR = 2 * L;
    /** Rows of x per micro-kernel call. */
    static final int MR = 6;
    /**
     * Up to this many rows the weight-streaming (GEMV) path is used. Its cost is the weight stream
     * plus the rows' dot products, while the blocked path first packs every weight panel, which costs
     * about three weight streams: a SmolVLM-256M decode step of 8 rows took 85 ms streaming against
     * 169 ms blocked, 16 rows 137 against 188 ms (F32), and the two meet between 24 and 48 rows
     * (docs/PERFORMANCE.md). Each row's result depends only on that row here, whatever the number
     * of rows, so a batched decode step gives every sequence bitwise what it gets decoded alone.
     */
    static final int GEMV_MAX_ROWS = 16;
    /**
     * About this many bytes of weights per GEMV chunk (rounded to the four-row kernels), and at least
     * this many rows: a chunk's fixed costs are a claim and the kernel's set-up, and the last chunk is
     * what the other thread may wait for.
     */
    private static final long GEMV_CHUNK_BYTES = 16 << 10;
    private static final int GEMV_MIN_CHUNK_ROWS = 16;

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

    private MatMul() {
    }

    /** {@code x [..., K] · w[N, K]ᵀ + bias[N]} → {@code [..., N]}; bias may be null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return linear(x, new Tensor[] {w}, new Tensor[] {bias})[0];
    }

    /**
     * Several projections of the same input (q/k/v, gate/up) computed in one pool job, which halves
     * the hand-offs per decoded token. {@code biases} may be null or hold nulls.
     */
    public static Tensor[] linear(Tensor x, Tensor[] weights, Tensor[] biases) {
        int k = x.dim(-1);
        int m = (int) (x.numel() / Math.max(1, k));
        float[][] b = new float[weights.length][];
        Tensor[] outs = new Tensor[weights.length];
        float[][] o = new float[weights.length][];
        for (int g = 0; g < weights.length; g++) {
            Tensor w = weights[g];
            if (w.rank() != 2 || w.dim(1) != k) {
                throw new IllegalArgumentException("linear: input " + x.describe() + " does not match weight " + w.describe());
            }
            Tensor bias = biases == null ? null : biases[g];
            if (bias != null && bias.numel() != w.dim(0)) {
                throw new IllegalArgumentException("linear: bias " + bias.describe() + " does not match weight " + w.describe());
            }
            b[g] = bias == null ? null : bias.toF32().floats();
            int[] outShape = x.shape();
            outShape[outShape.length - 1] = w.dim(0);
            outs[g] = Tensor.zeros(outShape);
            o[g] = outs[g].floats();
        }
        if (m <= GEMV_MAX_ROWS) {
            gemv(x.floats(), m, k, weights, b, o);
        } else {
            gemm(x.floats(), m, k, weights, false, b, o);
        }
        for (int g = 0; g < weights.length; g++) {
            Tensor w = weights[g];
            Tensor bias = biases == null ? null : biases[g];
            // dX = dY·W, dW = dYᵀ·X, db = Σ_rows dY
            Autograd.record(outs[g], dy -> new Tensor[] {
                    x.requiresGrad() ? matmul(dy, w).reshape(x.shape()) : null,
                    w.requiresGrad() ? matmul(transpose(dy.reshape(m, w.dim(0))), x.reshape(m, k)) : null,
                    bias != null && bias.requiresGrad() ? columnSums(dy, w.dim(0)) : null}, x, w, bias);
        }
        return outs;
    }

    private static Tensor columnSums(Tensor t, int n) {
        float[] a = t.floats();
        float[] s = new float[n];
        for (int i = 0; i < a.length; i++) {
            s[i % n] += a[i];
        }
        return Tensor.of(s, n);
    }

    /** {@code a [..., K] · b [K, N]} → {@code [..., N]}, b in any float dtype (backward passes need this form). */
    public static Tensor matmul(Tensor a, Tensor b) {
        int k = a.dim(-1);
        if (b.rank() != 2 || b.dim(0) != k) {
            throw new IllegalArgumentException("matmul: " + a.describe() + " cannot multiply " + b.describe());
        }
        int m = (int) (a.numel() / Math.max(1, k));
        int[] outShape = a.shape();
        outShape[outShape.length - 1] = b.dim(1);
        Tensor out = Tensor.zeros(outShape);
        gemm(a.floats(), m, k, new Tensor[] {b}, true, new float[1][], new float[][] {out.floats()});
        return Autograd.record(out, dc -> new Tensor[] {
                a.requiresGrad() ? linear(dc, b, null).reshape(a.shape()) : null,
                b.requiresGrad() ? matmul(transpose(a.reshape(m, k)), dc.reshape(m, b.dim(1))) : null}, a, b);
    }

    /** The transpose of a 2-D tensor, as a new float32 tensor. */
    public static Tensor transpose(Tensor a) {
        int r = a.dim(0);
        int c = a.dim(1);
        Tensor out = Tensor.zeros(c, r);
        float[] o = out.floats();
        if (a.isHeapF32()) {
            float[] x = a.floats();
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    o[j * r + i] = x[i * c + j];
                }
            }
        } else {
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    o[j * r + i] = a.getFloat((long) i * c + j);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- GEMV: stream each weight row once

    private static void gemv(float[] x, int m, int k, Tensor[] weights, float[][] bias, float[][] out) {
        int[] firstRow = new int[weights.length + 1];
        for (int g = 0; g < weights.length; g++) {
            firstRow[g + 1] = firstRow[g] + weights[g].dim(0);
        }
        // Each thread streams its own contiguous range of the rows (of all the weights in turn), and one
        // out of work takes over half of what is left of another's (Parallel.forEachRange). Chunks handed
        // out to whichever thread came next broke every thread's stream at each chunk and restarted the
        // prefetchers: a decode token's GEMVs read 10-20 % slower that way (docs/PERFORMANCE.md,
        // "Decode, session 5").
        long rowBytes = (long) k * weights[0].dtype().byteSize();
        int chunk = (int) Math.max(GEMV_MIN_CHUNK_ROWS, Math.min(1 << 16, GEMV_CHUNK_BYTES / rowBytes) & ~3);
        Parallel.forEachRange(firstRow[weights.length], chunk, 4, (from, to) -> {
            for (int g = 0; g < weights.length; g++) {
                int n0 = Math.max(from, firstRow[g]) - firstRow[g];
                int n1 = Math.min(to, firstRow[g + 1]) - firstRow[g];
                if (n0 < n1) {
                    Tensor w = weights[g];
                    gemvRows(w, x, m, k, n0, n1, bias[g], out[g], w.dim(0));
                }
            }
        });
    }

    private static void gemvRows(Tensor w, float[] x, int m, int k, int n0, int n1, float[] bias, float[] out, int n) {
        DType dt = w.dtype();
        // Heap weights (trained copies) go through the same segment kernels as mapped ones, so that a
        // row's result does not depend on where its weights live.
        MemorySegment seg = w.isHeapF32() ? MemorySegment.ofArray(w.floats()) : w.segment();
        int j = n0;
        // Fewer than four rows of x (decoding one to three sequences) on short weight rows: one weight row
        // after another, a single sequential stream the prefetchers follow (27 against 19 GB/s for four
        // interleaved rows on SmolVLM-256M's 576-wide matrices; docs/PERFORMANCE.md); long rows keep four
        // interleaved streams (the 4096-wide benchmark GEMV: 29 against 18 GB/s). Every kernel here adds
        // a row in the same order, so the choice never changes a result.
        boolean sequentialRows = m < 4 && (long) k * dt.byteSize() < 8192;
        if ((dt == DType.F32 || dt == DType.BF16) && !sequentialRows) {
            float[] four = new float[4];
            float[] sixteen = new float[16];
            float[] lanes = new float[16 * L];
            // Four weight rows at a time, read as four interleaved streams.
            for (; j + 4 <= n1; j += 4) {
                int i = 0;
                // Four rows of x at a time (a batched decode step): each weight vector loaded serves all four.
                for (; i + 4 <= m; i += 4) {
                    dot4x4(dt == DType.BF16, x, i * k, k, seg, (long) j * k * dt.byteSize(), lanes, sixteen);
                    for (int a = 0; a < 4; a++) {
                        for (int r = 0; r < 4; r++) {
                            float v = sixteen[4 * a + r];
                            out[(i + a) * n + j + r] = bias == null ? v : v + bias[j + r];
                        }
                    }
                }
                for (; i < m; i++) {
                    if (dt == DType.F32) {
                        dot4F32(x, i * k, seg, (long) j * k * 4, k, lanes, four);
                    } else {
                        dot4Bf16(x, i * k, seg, (long) j * k * 2, k, lanes, four);
                    }
                    for (int r = 0; r < 4; r++) {
                        out[i * n + j + r] = bias == null ? four[r] : four[r] + bias[j + r];
                    }
                }
            }
        }
        switch (dt) {
            case F32 -> dotRowsF32(x, m, k, seg, j, n1, bias, out, n);
            case BF16 -> dotRowsBf16(x, m, k, seg, j, n1, bias, out, n);
            case F16 -> {
                for (; j < n1; j++) {
                    for (int i = 0; i < m; i++) {
                        float s = dotF16(x, i * k, seg, (long) j * k * 2, k);
                        out[i * n + j] = bias == null ? s : s + bias[j];
                    }
                }
            }
            default -> throw new IllegalArgumentException("linear: weight dtype " + dt + " is not a float type");
        }
    }

    private static void dot4F32(float[] x, int xo, MemorySegment w, long wByte, int k, float[] lanes, float[] out) {
        long rs = 4L * k;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= k; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            long b = wByte + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, w, b, ByteOrder.LITTLE_ENDIAN).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, w, b + rs, ByteOrder.LITTLE_ENDIAN).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, w, b + 2 * rs, ByteOrder.LITTLE_ENDIAN).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, w, b + 3 * rs, ByteOrder.LITTLE_ENDIAN).fma(xv, a3);
        }
        // Reduced from memory: these kernels are large enough that C2 stops inlining calls in them, and a
        // vector passed to a call that is not inlined is boxed (allocated) on every call.
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        float s0 = Lanes.sum(lanes, 0), s1 = Lanes.sum(lanes, L);
        float s2 = Lanes.sum(lanes, 2 * L), s3 = Lanes.sum(lanes, 3 * L);
        for (; i < k; i++) {
            float xv = x[xo + i];
            long b = wByte + 4L * i;
            s0 += xv * w.get(Tensor.F32_LE, b);
            s1 += xv * w.get(Tensor.F32_LE, b + rs);
            s2 += xv * w.get(Tensor.F32_LE, b + 2 * rs);
            s3 += xv * w.get(Tensor.F32_LE, b + 3 * rs);
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /**
     * Four float32 or bfloat16 weight rows against four rows of x (at {@code xo}, {@code xo + k}, ...),
     * with sixteen accumulators so that each weight vector loaded (and widened) serves four rows of x:
     * the many-row GEMV of a batched decode step does half the loads per multiply-add of
     * {@link #dot4F32}. Every (row of x, weight row) pair adds in {@link #dot4F32}'s order, so a row's
     * result does not depend on the rows that came with it. {@code out[4 * a + r]}: row a of x with
     * weight row r.
     */
    private static void dot4x4(boolean bf16, float[] x, int xo, int k, MemorySegment w, long wByte, float[] lanes, float[] out) {
        long width = bf16 ? 2 : 4;
        long rs = width * k;
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F), c03 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F), c13 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F), c23 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c32 = FloatVector.zero(F), c33 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= k; i += L) {
            long b = wByte + width * i;
            FloatVector w0, w1, w2, w3;
            // Widened in place rather than by a helper: a vector returned from a call C2 does not inline is boxed.
            if (bf16) {
                w0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                w1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + rs, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                w2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + 2 * rs, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                w3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + 3 * rs, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            } else {
                w0 = FloatVector.fromMemorySegment(F, w, b, ByteOrder.LITTLE_ENDIAN);
                w1 = FloatVector.fromMemorySegment(F, w, b + rs, ByteOrder.LITTLE_ENDIAN);
                w2 = FloatVector.fromMemorySegment(F, w, b + 2 * rs, ByteOrder.LITTLE_ENDIAN);
                w3 = FloatVector.fromMemorySegment(F, w, b + 3 * rs, ByteOrder.LITTLE_ENDIAN);
            }
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            c00 = w0.fma(x0, c00);
            c01 = w1.fma(x0, c01);
            c02 = w2.fma(x0, c02);
            c03 = w3.fma(x0, c03);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + k + i);
            c10 = w0.fma(x1, c10);
            c11 = w1.fma(x1, c11);
            c12 = w2.fma(x1, c12);
            c13 = w3.fma(x1, c13);
            FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * k + i);
            c20 = w0.fma(x2, c20);
            c21 = w1.fma(x2, c21);
            c22 = w2.fma(x2, c22);
            c23 = w3.fma(x2, c23);
            FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * k + i);
            c30 = w0.fma(x3, c30);
            c31 = w1.fma(x3, c31);
            c32 = w2.fma(x3, c32);
            c33 = w3.fma(x3, c33);
        }
        // Stored here rather than in a helper: a vector passed to a call C2 does not inline is boxed.
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, L);
        c02.intoArray(lanes, 2 * L);
        c03.intoArray(lanes, 3 * L);
        c10.intoArray(lanes, 4 * L);
        c11.intoArray(lanes, 5 * L);
        c12.intoArray(lanes, 6 * L);
        c13.intoArray(lanes, 7 * L);
        c20.intoArray(lanes, 8 * L);
        c21.intoArray(lanes, 9 * L);
        c22.intoArray(lanes, 10 * L);
        c23.intoArray(lanes, 11 * L);
        c30.intoArray(lanes, 12 * L);
        c31.intoArray(lanes, 13 * L);
        c32.intoArray(lanes, 14 * L);
        c33.intoArray(lanes, 15 * L);
        for (int p = 0; p < 16; p++) {
            out[p] = Lanes.sum(lanes, p * L);
        }
        for (; i < k; i++) {
            long b = wByte + width * i;
            for (int a = 0; a < 4; a++) {
                float xv = x[xo + a * k + i];
                for (int r = 0; r < 4; r++) {
                    float wv = bf16 ? Tensor.bf16ToFloat(w.get(Tensor.I16_LE, b + r * rs)) : w.get(Tensor.F32_LE, b + r * rs);
                    out[4 * a + r] += xv * wv;
                }
            }
        }
    }

    /** {@link #dot4F32} for bfloat16 weights, in its order: four rows streamed side by side against one row of x. */
    private static void dot4Bf16(float[] x, int xo, MemorySegment w, long wByte, int k, float[] lanes, float[] out) {
        long rs = 2L * k;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= k; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            long b = wByte + 2L * i;
            a0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a0);
            a1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + rs, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a1);
            a2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + 2 * rs, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a2);
            a3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b + 3 * rs, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a3);
        }
        // Reduced from memory: these kernels are large enough that C2 stops inlining calls in them, and a
        // vector passed to a call that is not inlined is boxed (allocated) on every call.
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        float s0 = Lanes.sum(lanes, 0), s1 = Lanes.sum(lanes, L);
        float s2 = Lanes.sum(lanes, 2 * L), s3 = Lanes.sum(lanes, 3 * L);
        for (; i < k; i++) {
            float xv = x[xo + i];
            long b = wByte + 2L * i;
            s0 += xv * Tensor.bf16ToFloat(w.get(Tensor.I16_LE, b));
            s1 += xv * Tensor.bf16ToFloat(w.get(Tensor.I16_LE, b + rs));
            s2 += xv * Tensor.bf16ToFloat(w.get(Tensor.I16_LE, b + 2 * rs));
            s3 += xv * Tensor.bf16ToFloat(w.get(Tensor.I16_LE, b + 3 * rs));
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /**
     * Weight rows {@code [j0, j1)} one after another against each row of x, each in the order of
     * {@link #dot4F32}'s rows: one accumulator, then the fixed lane sum and the tail. The row loop is
     * inside the kernel so that one row's lane sum overlaps the next row's loads.
     */
    private static void dotRowsF32(float[] x, int m, int k, MemorySegment w, int j0, int j1, float[] bias, float[] out, int n) {
        for (int j = j0; j < j1; j++) {
            long wByte = 4L * j * k;
            for (int r = 0; r < m; r++) {
                int xo = r * k;
                FloatVector a0 = FloatVector.zero(F);
                int i = 0;
                for (; i + L <= k; i += L) {
                    a0 = FloatVector.fromMemorySegment(F, w, wByte + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i), a0);
                }
                float s = Lanes.sum(a0);
                for (; i < k; i++) {
                    s += x[xo + i] * w.get(Tensor.F32_LE, wByte + 4L * i);
                }
                out[r * n + j] = bias == null ? s : s + bias[j];
            }
        }
    }

    /**
     * {@link #dotRowsF32} for bfloat16 weights, in its order. Each L weights are loaded as half a
     * vector and widened lane for lane (zero-extended, shifted into the high half); the earlier form,
     * a full vector of 2L weights split into its even and odd halves by a shift and a mask against a
     * deinterleaved copy of x, read a decoded token's weights about 5 % slower (docs/PERFORMANCE.md,
     * session 6).
     */
    private static void dotRowsBf16(float[] x, int m, int k, MemorySegment w, int j0, int j1, float[] bias, float[] out, int n) {
        for (int j = j0; j < j1; j++) {
            long wByte = 2L * j * k;
            for (int r = 0; r < m; r++) {
                int xo = r * k;
                FloatVector a0 = FloatVector.zero(F);
                int i = 0;
                for (; i + L <= k; i += L) {
                    FloatVector wv = ((IntVector) ShortVector.fromMemorySegment(S, w, wByte + 2L * i, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                    a0 = wv.fma(FloatVector.fromArray(F, x, xo + i), a0);
                }
                float s = Lanes.sum(a0);
                for (; i < k; i++) {
                    s += x[xo + i] * Tensor.bf16ToFloat(w.get(Tensor.I16_LE, wByte + 2L * i));
                }
                out[r * n + j] = bias == null ? s : s + bias[j];
            }
        }
    }

    private static float dotF16(float[] x, int xo, MemorySegment w, long wByte, int k) {
        // The Vector API has no half-float conversion; Float.float16ToFloat is an intrinsic (vcvtph2ps).
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= k; i += 4) {
            long b = wByte + 2L * i;
            s0 += x[xo + i] * Float.float16ToFloat(w.get(Tensor.I16_LE, b));
            s1 += x[xo + i + 1] * Float.float16ToFloat(w.get(Tensor.I16_LE, b + 2));
            s2 += x[xo + i + 2] * Float.float16ToFloat(w.get(Tensor.I16_LE, b + 4));
            s3 += x[xo + i + 3] * Float.float16ToFloat(w.get(Tensor.I16_LE, b + 6));
        }
        for (; i < k; i++) {
            s0 += x[xo + i] * Float.float16ToFloat(w.get(Tensor.I16_LE, wByte + 2L * i));
        }
        return (s0 + s1) + (s2 + s3);
    }

    // ---------------------------------------------------------------- GEMM: packed panels, register blocking

    /** {@code plain}: the weights are {@code [K, N]} (b of {@link #matmul}) instead of {@code [N, K]}. */
    private static void gemm(float[] x, int m, int k, Tensor[] weights, boolean plain, float[][] bias, float[][] out) {
        int threads = Parallel.threads();
        int[] firstPanel = new int[weights.length + 1];
        for (int g = 0; g < weights.length; g++) {
            firstPanel[g + 1] = firstPanel[g] + (weights[g].dim(plain ? 1 : 0) + NR - 1) / NR;
        }
        int panels = firstPanel[weights.length];
        // Split rows too when there are too few panels to keep every thread busy.
        int rowChunks = panels >= 4 * threads ? 1 : Math.min((m + MR - 1) / MR, (4 * threads + panels - 1) / panels);
        int rowsPerChunk = ((m + rowChunks - 1) / rowChunks + MR - 1) / MR * MR;
        int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
        Parallel.forEach(panels * chunks, t -> {
            int p = t / chunks;
            int c = t % chunks;
            int g = 0;
            while (p >= firstPanel[g + 1]) {
                g++;
            }
            Tensor w = weights[g];
            int n = w.dim(plain ? 1 : 0);
            int n0 = (p - firstPanel[g]) * NR;
            int cols = Math.min(NR, n - n0);
            float[] panel = threadBuffer(PANEL, k * NR);
            if (plain) {
                packPlainPanel(w, n0, cols, k, n, panel);
            } else {
                packPanel(w, n0, cols, k, panel);
            }
            int m0 = c * rowsPerChunk;
            int m1 = Math.min(m, m0 + rowsPerChunk);
            float[] o = out[g];
            float[] b = bias[g];
            int i = m0;
            for (; i + MR <= m1; i += MR) {
                kernel6(x, i * k, k, panel, o, i * n + n0, n, cols, b, n0);
            }
            for (; i < m1; i++) {
                kernel1(x, i * k, k, panel, o, i * n + n0, cols, b, n0);
            }
        });
    }

    /** The calling thread's buffer from {@code buffers}, grown to at least {@code size}. */
    private static float[] threadBuffer(ThreadLocal<float[]> buffers, int size) {
        float[] b = buffers.get();
        if (b.length < size) {
            b = new float[size];
            buffers.set(b);
        }
        return b;
    }

    /** panel[kk*NR + j] = w[n0 + j, kk] widened to float, zero for j ≥ cols. */
    static void packPanel(Tensor w, int n0, int cols, int k, float[] panel) {
        if (cols < NR) {
            Arrays.fill(panel, 0, k * NR, 0f);
        }
        if (w.isHeapF32()) {
            float[] a = w.floats();
            for (int j = 0; j < cols; j++) {
                int row = (n0 + j) * k;
                for (int kk = 0; kk < k; kk++) {
                    panel[kk * NR + j] = a[row + kk];
                }
            }
            return;
        }
        MemorySegment seg = w.segment();
        switch (w.dtype()) {
            case F32 -> {
                for (int j = 0; j < cols; j++) {
                    long row = (long) (n0 + j) * k * 4;
                    for (int kk = 0; kk < k; kk++) {
                        panel[kk * NR + j] = seg.get(Tensor.F32_LE, row + 4L * kk);
                    }
                }
            }
            case BF16 -> {
                for (int j = 0; j < cols; j++) {
                    long row = (long) (n0 + j) * k * 2;
                    for (int kk = 0; kk < k; kk++) {
                        panel[kk * NR + j] = Float.intBitsToFloat((seg.get(Tensor.I16_LE, row + 2L * kk) & 0xffff) << 16);
                    }
                }
            }
            case F16 -> {
                for (int j = 0; j < cols; j++) {
                    long row = (long) (n0 + j) * k * 2;
                    for (int kk = 0; kk < k; kk++) {
                        panel[kk * NR + j] = Float.float16ToFloat(seg.get(Tensor.I16_LE, row + 2L * kk));
                    }
                }
            }
            default -> throw new IllegalArgumentException("linear: weight dtype " + w.dtype() + " is not a float type");
        }
    }

    /** panel[kk*NR + j] = b[kk, n0 + j] for b {@code [K, N]}, zero for j ≥ cols. */
    static void packPlainPanel(Tensor b, int n0, int cols, int k, int n, float[] panel) {
        if (cols < NR) {
            Arrays.fill(panel, 0, k * NR, 0f);
        }
        if (b.isHeapF32()) {
            float[] a = b.floats();
            for (int kk = 0; kk < k; kk++) {
                System.arraycopy(a, kk * n + n0, panel, kk * NR, cols);
            }
            return;
        }
        for (int kk = 0; kk < k; kk++) {
            long row = (long) kk * n + n0;
            for (int j = 0; j < cols; j++) {
                panel[kk * NR + j] = b.getFloat(row + j);
            }
        }
    }

    /**
     * Serial {@code c[cOff + i*ldc + j] = Σ_kk a[i*k + kk] · B[kk, j]} for i < m, j < n, where B is
     * given as packed panels of {@link #NR} columns (panel p holds columns p·NR ...). For callers that
     * already run inside a pool task, such as attention.
     */
    static void multiplyPacked(float[] a, int m, int k, float[][] panels, int n, float[] c, int cOff, int ldc) {
        for (int p = 0; p * NR < n; p++) {
            int cols = Math.min(NR, n - p * NR);
            int i = 0;
            for (; i + MR <= m; i += MR) {
                kernel6(a, i * k, k, panels[p], c, cOff + i * ldc + p * NR, ldc, cols, null, 0);
            }
            for (; i < m; i++) {
                kernel1(a, i * k, k, panels[p], c, cOff + i * ldc + p * NR, cols, null, 0);
            }
        }
    }

    private static void kernel6(float[] x, int xo, int k, float[] panel, float[] out, int oo, int ldo, int cols,
                                float[] bias, int n0) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        int x0 = xo, x1 = xo + k, x2 = xo + 2 * k, x3 = xo + 3 * k, x4 = xo + 4 * k, x5 = xo + 5 * k;
        for (int kk = 0, p = 0; kk < k; kk++, p += NR) {
            FloatVector b0 = FloatVector.fromArray(F, panel, p);
            FloatVector b1 = FloatVector.fromArray(F, panel, p + L);
            FloatVector a = FloatVector.broadcast(F, x[x0 + kk]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, x[x1 + kk]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, x[x2 + kk]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, x[x3 + kk]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, x[x4 + kk]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, x[x5 + kk]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        if (cols == NR && bias == null) {
            c00.intoArray(out, oo);
            c01.intoArray(out, oo + L);
            c10.intoArray(out, oo + ldo);
            c11.intoArray(out, oo + ldo + L);
            c20.intoArray(out, oo + 2 * ldo);
            c21.intoArray(out, oo + 2 * ldo + L);
            c30.intoArray(out, oo + 3 * ldo);
            c31.intoArray(out, oo + 3 * ldo + L);
            c40.intoArray(out, oo + 4 * ldo);
            c41.intoArray(out, oo + 4 * ldo + L);
            c50.intoArray(out, oo + 5 * ldo);
            c51.intoArray(out, oo + 5 * ldo + L);
            return;
        }
        float[] tile = STORE_TILE.get();
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        copyTile(tile, 6, out, oo, ldo, cols, bias, n0);
    }

    private static void kernel1(float[] x, int xo, int k, float[] panel, float[] out, int oo, int cols, float[] bias, int n0) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        for (int kk = 0, p = 0; kk < k; kk++, p += NR) {
            FloatVector a = FloatVector.broadcast(F, x[xo + kk]);
            c0 = a.fma(FloatVector.fromArray(F, panel, p), c0);
            c1 = a.fma(FloatVector.fromArray(F, panel, p + L), c1);
        }
        if (cols == NR && bias == null) {
            c0.intoArray(out, oo);
            c1.intoArray(out, oo + L);
            return;
        }
        float[] tile = STORE_TILE.get();
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        copyTile(tile, 1, out, oo, 0, cols, bias, n0);
    }

    /**
     * The micro-kernels keep every vector inside themselves: a vector passed to a method that C2 does not
     * inline is boxed, one heap object per accumulator per call (gigabytes per second in training; and
     * whether C2 inlines a call depends on what ran before, which likely explains GEMMs that ran slower
     * after other code had run).
     * Bias and partial panels therefore go through a scratch tile and scalar code.
     */
    private static void copyTile(float[] tile, int rows, float[] out, int oo, int ldo, int cols, float[] bias, int n0) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = tile[r * NR + j];
                out[oo + r * ldo + j] = bias == null ? v : v + bias[n0 + j];
            }
        }
    }

    private static final ThreadLocal<float[]> STORE_TILE = ThreadLocal.withInitial(() -> new float[6 * NR]);
}
