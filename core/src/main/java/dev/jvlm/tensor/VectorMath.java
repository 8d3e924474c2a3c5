package dev.jvlm.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp} in double precision for the element-wise kernels (sigmoid gates, softmax), vectorized.
 * With the scalar {@code Math.exp} these kernels used, a 1,536-wide SiLU took 11 to 16 us, 30 times per
 * decoded token, on one thread while the other waited.
 *
 * <p>Only exactly specified operations are used (fused multiply-add, add, multiply, divide,
 * conversions, bit moves), never the Vector API's own {@code EXP}, whose result differs between the
 * interpreter and compiled code: a computation must round the same way before and after JIT
 * compilation. The scalar {@link #exp(double)} is the same arithmetic, so a vector lane and a tail
 * element agree bit for bit. The error is about one double ulp, so results rounded to float are those
 * of {@code Math.exp} but for roughly one element in 10^8.
 */
final class VectorMath {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen to one vector of {@link #D}. */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int N = D.length();

    private static final double LOG2E = 1.4426950408889634;
    // ln 2 split so that k · LN2_HI is exact for every k used here (|k| < 2^11).
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1.5 · 2^52: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    // Below this exp is under 2^-1021 (and becomes 0 in float), above it it overflows a double.
    private static final double MIN_ARG = -708;
    private static final double MAX_ARG = 709;
    /** 1/n! for n = 12 down to 2: Taylor terms of e^r, |r| ≤ ln2/2, enough for double precision. */
    private static final double[] TAYLOR = {
            1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
            1.0 / 24, 1.0 / 6, 1.0 / 2};

    private VectorMath() {
    }

    /**
     * e^t, with t clamped to [-708, 709]: below, the result is under 2^-1021 instead of smaller (zero
     * once rounded to float, and invisible next to 1 in a sigmoid); above, a large finite value
     * instead of infinity (x / (1 + e^t) still rounds to a signed zero in float).
     */
    static double exp(double t) {
        t = Math.min(MAX_ARG, Math.max(MIN_ARG, t));
        double shifted = Math.fma(t, LOG2E, ROUNDER);
        double k = shifted - ROUNDER;
        double r = Math.fma(-k, LN2_HI, t);
        r = Math.fma(-k, LN2_LO, r);
        double p = TAYLOR[0];
        for (int i = 1; i < TAYLOR.length; i++) {
            p = Math.fma(p, r, TAYLOR[i]);
        }
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        long scale = (Double.doubleToRawLongBits(shifted) - ROUNDER_BITS + 1023) << 52;
        return p * Double.longBitsToDouble(scale);
    }

    /** {@code (float) (x / (1 + exp(-a · x)))}: SiLU (a = 1) and quick_gelu (a = 1.702) of one element. */
    static float sigmoidGate(float x, double a) {
        return (float) (x / (1.0 + exp(-a * x)));
    }

    /**
     * {@link #sigmoidGate(float, double)} of each {@code x[i]}, times {@code gate[i]} if gate is not null,
     * for i in [from, to): SiLU (a = 1) and quick_gelu (a = 1.702), alone or gating an up projection.
     */
    static void sigmoidGate(float[] x, double a, float[] gate, float[] out, int from, int to) {
        apply(x, true, a, 0f, gate, out, from, to);
    }

    /**
     * {@code a[i] = (float) exp(a[i] - max)} for i in [off, off + n), a -∞ element giving 0; returns
     * their float sum, added in index order.
     */
    static float expShifted(float[] a, int off, int n, float max) {
        apply(a, false, 0, max, null, a, off, off + n);
        float sum = 0;
        for (int j = off; j < off + n; j++) {
            sum += a[j];
        }
        return sum;
    }

    /**
     * Both element-wise uses in one loop, {@link #exp(double)} written out inside it: a vector passed to
     * a method C2 does not inline (a vector exp was "too large" to inline here) is boxed on every call.
     */
    private static void apply(float[] x, boolean sigmoid, double slope, float shift, float[] gate, float[] out, int from, int to) {
        DoubleVector ln2Hi = DoubleVector.broadcast(D, LN2_HI);
        DoubleVector ln2Lo = DoubleVector.broadcast(D, LN2_LO);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int i = from;
        for (; i + N <= to; i += N) {
            FloatVector xf = FloatVector.fromArray(FH, x, i);
            DoubleVector xd = (DoubleVector) (sigmoid ? xf : xf.sub(shift)).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector t = sigmoid ? xd.mul(-slope) : xd;
            t = t.max(MIN_ARG).min(MAX_ARG);
            DoubleVector shifted = t.fma(LOG2E, ROUNDER);
            DoubleVector k = shifted.sub(ROUNDER);
            DoubleVector r = k.neg().fma(ln2Hi, t);
            r = k.neg().fma(ln2Lo, r);
            DoubleVector p = DoubleVector.broadcast(D, TAYLOR[0]);
            for (int c = 1; c < TAYLOR.length; c++) {
                p = p.fma(r, DoubleVector.broadcast(D, TAYLOR[c]));
            }
            p = p.fma(r, one);
            p = p.fma(r, one);
            LongVector scale = shifted.reinterpretAsLongs().sub(ROUNDER_BITS - 1023).lanewise(VectorOperators.LSHL, 52);
            DoubleVector e = p.mul(scale.reinterpretAsDoubles());
            FloatVector y = (FloatVector) (sigmoid ? xd.div(e.add(one)) : e).convertShape(VectorOperators.D2F, FH, 0);
            if (gate != null) {
                y = y.mul(FloatVector.fromArray(FH, gate, i));
            }
            y.intoArray(out, i);
        }
        for (; i < to; i++) {
            float y = sigmoid ? sigmoidGate(x[i], slope) : (float) exp(x[i] - shift);
            out[i] = gate == null ? y : y * gate[i];
        }
    }
}
