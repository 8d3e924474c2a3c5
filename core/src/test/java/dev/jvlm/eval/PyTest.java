package dev.jvlm.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected values are what CPython 3 prints for the same expressions. */
class PyTest {

    @ParameterizedTest(name = "float({0}) = {1}")
    @CsvSource(delimiter = '|', value = {
            "1_000|1000.0", "1e5|100000.0", "1.e5|100000.0", ".5|0.5", "+.5e-3|0.0005", "'  -7  '|-7.0",
            "Infinity|inf", "-iNf|-inf", "nan|nan", "'NaN '|nan", "١٢٣|123.0", "１２|12.0", "1e1_0|10000000000.0",
            "1_0e1|100.0", "'\u30001\u2003'|1.0"})
    void floatParsesWhatPythonParses(String text, String expectedRepr) {
        OptionalDouble parsed = Py.toFloat(text);
        assertTrue(parsed.isPresent(), text);
        assertEquals(expectedRepr, Py.repr(parsed.getAsDouble()));
    }

    @ParameterizedTest(name = "float({0}) raises")
    @CsvSource(delimiter = '|', value = {
            "1__000", "_1", "1_", ".", "e5", "1e", "0x10", "1d", "1f", "1 000", "--1", "''", "12%", "1,000", "NaNa"})
    void floatRejectsWhatPythonRejects(String text) {
        assertEquals(OptionalDouble.empty(), Py.toFloat(text));
    }

    @Test
    void intParsesBaseTenOnly() {
        assertEquals(Optional.of(BigInteger.valueOf(12)), Py.toInt("12"));
        assertEquals(Optional.of(BigInteger.valueOf(7)), Py.toInt("+7"));
        assertEquals(Optional.of(BigInteger.valueOf(-3)), Py.toInt(" -3 "));
        assertEquals(Optional.of(BigInteger.valueOf(1000)), Py.toInt("1_000"));
        assertEquals(Optional.of(BigInteger.valueOf(3)), Py.toInt("٣"));
        assertEquals(Optional.of(BigInteger.valueOf(12)), Py.toInt("0012"));
        assertEquals(Optional.empty(), Py.toInt("1.0"));
        assertEquals(Optional.empty(), Py.toInt("1e3"));
        assertEquals(Optional.empty(), Py.toInt(""));
    }

    @Test
    void reprMatchesPythonLayout() {
        double[] values = {1e16, 1e15, 0.0001, 1e-05, 1.5, -0.0, 123456789.123, 1e22, 5e-324,
                1.7976931348623157e308, 0.1 + 0.2, 100.0, 2.5e-5, 9999999999999998.0, 0.00012345, -1.25e-7};
        List<String> expected = List.of("1e+16", "1000000000000000.0", "0.0001", "1e-05", "1.5", "-0.0",
                "123456789.123", "1e+22", "5e-324", "1.7976931348623157e+308", "0.30000000000000004", "100.0",
                "2.5e-05", "9999999999999998.0", "0.00012345", "-1.25e-07");
        for (int i = 0; i < values.length; i++) {
            assertEquals(expected.get(i), Py.repr(values[i]));
        }
        assertEquals("inf", Py.repr(Double.POSITIVE_INFINITY));
        assertEquals("nan", Py.repr(Double.NaN));
    }

    @Test
    void roundIsHalfEvenOnTheExactBinaryValue() {
        assertEquals(2.67, Py.round(2.675, 2));   // 2.675 is stored as 2.67499999...
        assertEquals(0.12, Py.round(0.125, 2));   // an exact tie rounds to even
        assertEquals(0.38, Py.round(0.375, 2));
        assertEquals("-0.0", Py.repr(Py.round(-0.4, 0)));
        assertEquals(2.0, Py.round(1.5, 0));
        assertEquals(2.0, Py.round(2.5, 0));
        assertEquals(1200.0, Py.round(1234.5678, -2));
        assertEquals(Double.POSITIVE_INFINITY, Py.round(Double.POSITIVE_INFINITY, 2));
    }

    @Test
    void whitespaceIsPythonsWiderSet() {
        assertEquals("a b", Py.strip("\u001c\u3000a b\u0085\u00a0"));
        assertEquals(List.of("a", "b", "c"), Py.split(" a\u2003b\u001fc "));
        assertEquals("x", Py.strip("..x..", "."));
        assertEquals("12", Py.rstrip("12%%", "%"));
        assertEquals(2, Py.len("a\uD83D\uDE00"));
    }

    @Test
    void truthinessFollowsPython() {
        assertFalse(Py.truthy(Items.json(0)));
        assertFalse(Py.truthy(Items.parse("-0.0")));
        assertFalse(Py.truthy(Items.json("")));
        assertFalse(Py.truthy(Items.parse("[]")));
        assertFalse(Py.truthy(Items.parse("{}")));
        assertFalse(Py.truthy(Items.parse("null")));
        assertFalse(Py.truthy(Items.parse("false")));
        assertTrue(Py.truthy(Items.json("0")));
        assertTrue(Py.truthy(Items.parse("0.5")));
    }

    @Test
    void strPrintsJsonValuesAsPython() {
        assertEquals("2000", Py.str(Items.parse("2000")));
        assertEquals("100000.0", Py.str(Items.parse("1e5")));
        assertEquals("True", Py.str(Items.parse("true")));
        assertEquals("None", Py.str(Items.parse("null")));
        assertEquals("123456789012345678901234567890", Py.str(Items.parse("123456789012345678901234567890")));
    }
}
