package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    @Test
    void expIsWithinTwoDoubleUlpsOfMathExpOverTheWholeRange() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            double t = random.nextDouble(-708, 709);
            double want = Math.exp(t);
            double got = VectorMath.exp(t);
            assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), "exp(" + t + ") = " + got + ", Math.exp gives " + want);
        }
        assertEquals(1.0, VectorMath.exp(0.0));
        assertEquals(Math.exp(1.0), VectorMath.exp(1.0), Math.ulp(Math.E));
        // Clamped, not wrong where it matters: tiny and huge stay tiny and huge.
        assertEquals(VectorMath.exp(-708), VectorMath.exp(Double.NEGATIVE_INFINITY));
        assertTrue(VectorMath.exp(Double.NEGATIVE_INFINITY) < 1e-307);
        assertTrue(VectorMath.exp(1e6) > 1e307);
        assertTrue(Double.isNaN(VectorMath.exp(Double.NaN)));
    }

    @Test
    void vectorLanesAndTheScalarTailAgreeBitForBit() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 1000 + 3;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 3)));
        }
        x[7] = Float.NaN;
        x[8] = Float.POSITIVE_INFINITY;
        x[9] = Float.NEGATIVE_INFINITY;
        x[10] = -0f;
        x[11] = 800f;
        x[12] = -800f;
        float[] vector = new float[n];
        VectorMath.sigmoidGate(x, 1.0, null, vector, 0, n);
        for (int i = 0; i < n; i++) {
            float scalar = (float) (x[i] / (1.0 + VectorMath.exp(-x[i])));
            assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(vector[i]), "element " + i + " (" + x[i] + ")");
        }
        float[] shifted = x.clone();
        shifted[7] = 0f;
        shifted[8] = 1f;
        float[] copy = shifted.clone();
        float max = 1000f;
        float sum = VectorMath.expShifted(shifted, 1, n - 1, max);
        float expected = 0;
        for (int i = 1; i < n; i++) {
            float e = (float) VectorMath.exp(copy[i] - max);
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(shifted[i]), "element " + i);
            expected += e;
        }
        assertEquals(copy[0], shifted[0], "outside the range untouched");
        assertEquals(0f, shifted[9], "-inf gives 0");
        assertEquals(expected, sum);
    }

    @Test
    void siluAndQuickGeluRoundAsWithMathExp() {
        SplittableRandom random = new SplittableRandom(9);
        int n = 1 << 20;
        float[] x = new float[n];
        float[] up = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 4);
            up[i] = (float) random.nextGaussian();
        }
        for (double slope : new double[] {1.0, 1.702}) {
            float[] out = new float[n];
            VectorMath.sigmoidGate(x, slope, up, out, 0, n);
            int differ = 0;
            for (int i = 0; i < n; i++) {
                float want = (float) (x[i] / (1.0 + Math.exp(-slope * x[i]))) * up[i];
                if (Float.floatToIntBits(want) != Float.floatToIntBits(out[i])) {
                    differ++;
                    assertTrue(Math.abs(want - out[i]) <= Math.ulp(want), "element " + i + ": " + out[i] + " against " + want);
                }
            }
            assertTrue(differ <= 4, differ + " of " + n + " elements round differently from Math.exp's");
        }
    }
}
