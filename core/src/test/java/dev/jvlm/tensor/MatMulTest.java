package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatMulTest {

    static Tensor random(SplittableRandom r, int... shape) {
        float[] a = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return Tensor.of(a, shape);
    }

    /** Copies into off-heap memory in the given dtype, the way a mapped checkpoint stores it. */
    static Tensor offHeap(Tensor t, DType dtype) {
        Tensor converted = t.to(dtype);
        return Tensor.view(dtype, t.shape(), Arena.ofAuto().allocate(converted.numel() * dtype.byteSize(), 64)
                .copyFrom(converted.segment()));
    }

    static double[] naive(Tensor x, Tensor w, Tensor bias) {
        int k = x.dim(-1);
        int m = (int) (x.numel() / k);
        int n = w.dim(0);
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias.getFloat(j);
                for (int kk = 0; kk < k; kk++) {
                    s += (double) x.getFloat((long) i * k + kk) * w.getFloat((long) j * k + kk);
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "M={0} K={1} N={2} {3} bias={4}")
    @CsvSource({
            "1, 64, 40, F32, false", "1, 100, 33, BF16, true", "3, 77, 70, F16, false", "4, 576, 192, BF16, false",
            "5, 63, 31, F32, true", "6, 32, 32, F32, false", "7, 129, 65, BF16, true", "13, 200, 97, F32, true", "17, 129, 65, BF16, true", "19, 200, 97, F32, true",
            "37, 96, 160, F16, false", "64, 576, 1536, F32, false", "100, 48, 7, BF16, false"})
    void matchesNaiveForEveryPathAndDtype(int m, int k, int n, DType dtype, boolean withBias) {
        SplittableRandom r = new SplittableRandom(m * 31L + k * 7L + n);
        Tensor x = random(r, m, k);
        Tensor w = offHeap(random(r, n, k), dtype);
        Tensor bias = withBias ? random(r, n) : null;
        double[] expected = naive(x, w, bias);
        for (Tensor weight : new Tensor[] {w, w.toF32()}) {
            Tensor y = MatMul.linear(x, weight, bias);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], y.getFloat(i), 1e-4 * Math.sqrt(k), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "2"})
    void sameResultOnOneOrManyThreads(int threads) {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = random(r, 50, 70);
        Tensor w = random(r, 90, 70);
        Tensor reference = MatMul.linear(x, w, null);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            Tensor y = MatMul.linear(x, w, null);
            for (int i = 0; i < y.numel(); i++) {
                assertEquals(reference.getFloat(i), y.getFloat(i), 0f);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "3", "20"})
    void groupedProjectionsEqualSeparateOnes(int m) {
        SplittableRandom r = new SplittableRandom(m);
        Tensor x = random(r, m, 72);
        Tensor[] ws = {offHeap(random(r, 50, 72), DType.BF16), offHeap(random(r, 9, 72), DType.F32), random(r, 33, 72)};
        Tensor[] bs = {random(r, 50), null, random(r, 33)};
        Tensor[] grouped = MatMul.linear(x, ws, bs);
        for (int g = 0; g < ws.length; g++) {
            Tensor single = MatMul.linear(x, ws[g], bs[g]);
            assertEquals(single.numel(), grouped[g].numel());
            for (int i = 0; i < single.numel(); i++) {
                assertEquals(single.getFloat(i), grouped[g].getFloat(i), 0f, "projection " + g + " element " + i);
            }
        }
    }

    /**
     * What a batched decode step relies on: up to GEMV_MAX_ROWS rows, a row's result does not depend on
     * the others, whichever kernel reads the weights: short rows (k 576 and 583, without and with a
     * tail) one after another for up to three rows of x and four at a time beyond, long rows (k 4100)
     * four at a time.
     */
    @ParameterizedTest
    @CsvSource({"F32, 576", "BF16, 576", "F16, 576", "F32, 583", "BF16, 583", "F32, 4100", "BF16, 4100"})
    void eachRowAloneGivesBitwiseItsRowOfABatchUpToTheStreamingLimit(DType dtype, int k) {
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = random(r, MatMul.GEMV_MAX_ROWS, k);
        Tensor w = offHeap(random(r, 200, k), dtype);
        Tensor batch = MatMul.linear(x, w, null);
        for (int i = 0; i < MatMul.GEMV_MAX_ROWS; i++) {
            Tensor alone = MatMul.linear(x.slice0(i, i + 1), w, null);
            for (int j = 0; j < 200; j++) {
                assertEquals(alone.getFloat(j), batch.getFloat((long) i * 200 + j), 0f, "row " + i + " column " + j);
            }
        }
    }

    /**
     * The bfloat16 kernels widen each weight and add in the float32 kernels' order, so a bfloat16
     * weight streams to bitwise the result of its float32 widening, through every GEMV kernel (rows of
     * x one to three and beyond four, short rows with and without a tail, long rows).
     */
    @ParameterizedTest
    @CsvSource({"1, 576", "3, 583", "4, 576", "7, 583", "16, 576", "1, 4100", "5, 4100"})
    void bfloat16WeightsStreamToBitwiseTheirFloat32Widening(int m, int k) {
        SplittableRandom r = new SplittableRandom(m * 13L + k);
        Tensor x = random(r, m, k);
        Tensor bf16 = offHeap(random(r, 70, k), DType.BF16);
        Tensor widened = offHeap(bf16.toF32(), DType.F32);
        Tensor a = MatMul.linear(x, bf16, null);
        Tensor b = MatMul.linear(x, widened, null);
        for (int i = 0; i < a.numel(); i++) {
            assertEquals(b.getFloat(i), a.getFloat(i), 0f, "element " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 5, 7, F32", "9, 33, 40, BF16", "20, 64, 65, F32"})
    void plainMatmulAndTransposeMatchNaive(int m, int k, int n, DType dtype) {
        SplittableRandom r = new SplittableRandom(k);
        Tensor a = random(r, m, k);
        Tensor b = offHeap(random(r, k, n), dtype);
        Tensor c = MatMul.matmul(a, b);
        Tensor bt = MatMul.transpose(b);
        double[] expected = naive(a, bt, null);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], c.getFloat(i), 1e-4 * Math.sqrt(k), "element " + i);
        }
        assertEquals(b.getFloat(3L * n + 1), bt.getFloat(1L * k + 3));
    }

    @org.junit.jupiter.api.Test
    void rejectsMismatchedShapes() {
        SplittableRandom r = new SplittableRandom(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatMul.linear(random(r, 2, 8), random(r, 4, 9), null));
        assertEquals("linear: input F32[2, 8] does not match weight F32[4, 9]", e.getMessage());
    }
}
