package dev.jvlm.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Summation orders of the reference toolkits. Scores are compared to 1e-9 or tighter, and a few
 * vectors (BLEU-4, the 1/20 == 0.05 ChartQA case) sit on the last bits, so means are taken the way
 * the toolkit takes them rather than with one Java loop for all.
 */
final class Arithmetic {

    private static final int NUMPY_BLOCK = 128;
    /** Enough digits that rounding the quotient once more to a double cannot go wrong for scores. */
    private static final MathContext EXACT_QUOTIENT = new MathContext(120, RoundingMode.HALF_EVEN);

    private Arithmetic() {
    }

    /** {@code statistics.mean}: the exact rational mean, rounded once to a double. */
    static double exactMean(double[] values) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double v : values) {
            sum = sum.add(new BigDecimal(v));
        }
        return sum.divide(BigDecimal.valueOf(values.length), EXACT_QUOTIENT).doubleValue();
    }

    /** {@code numpy.mean} of a float64 vector: pairwise summation, then one division. */
    static double numpyMean(double[] values) {
        return (0.0 + numpyPairwiseSum(values, 0, values.length)) / values.length;
    }

    /** numpy's pairwise_sum: 8 accumulators per block of up to 128, halves recursively above that. */
    private static double numpyPairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                sum += a[from + i];
            }
            return sum;
        }
        if (n <= NUMPY_BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                sum += a[from + i];
            }
            return sum;
        }
        int half = n / 2;
        half -= half % 8;
        return numpyPairwiseSum(a, from, half) + numpyPairwiseSum(a, from + half, n - half);
    }

    /** Levenshtein distance over code points (python-Levenshtein, nltk edit_distance, the toolkits' own copies). */
    static int levenshtein(String a, String b) {
        int[] s = a.codePoints().toArray();
        int[] t = b.codePoints().toArray();
        int[] previous = new int[t.length + 1];
        int[] current = new int[t.length + 1];
        for (int j = 0; j <= t.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length; i++) {
            current[0] = i;
            for (int j = 1; j <= t.length; j++) {
                int substitution = previous[j - 1] + (s[i - 1] == t[j - 1] ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length];
    }
}
