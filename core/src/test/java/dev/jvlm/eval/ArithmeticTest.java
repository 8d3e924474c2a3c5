package dev.jvlm.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ArithmeticTest {

    /** 300 x 0.1: numpy.mean gives 0.09999999999999999, statistics.mean 0.1, sum()/len 0.10000000000000052. */
    private static final double[] TENTHS = tenths();

    private static double[] tenths() {
        double[] values = new double[300];
        Arrays.fill(values, 0.1);
        return values;
    }

    @Test
    void numpyMeanUsesPairwiseSummation() {
        assertEquals(0.09999999999999999, Arithmetic.numpyMean(TENTHS));
    }

    @Test
    void exactMeanRoundsOnce() {
        assertEquals(0.1, Arithmetic.exactMean(TENTHS));
        assertEquals(0.3, Arithmetic.exactMean(new double[] {0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3,
                1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3}));
    }

    @Test
    void levenshteinCountsCodePoints() {
        assertEquals(0, Arithmetic.levenshtein("", ""));
        assertEquals(3, Arithmetic.levenshtein("", "abc"));
        assertEquals(3, Arithmetic.levenshtein("kitten", "sitting"));
        assertEquals(1, Arithmetic.levenshtein("a\uD83D\uDE00", "a\uD83D\uDE01"));
    }
}
