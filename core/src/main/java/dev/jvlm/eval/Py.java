package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Python string and number semantics that the reference toolkits rely on. Every scorer goes through
 * these instead of the Java built-ins, because the two differ exactly where benchmark answers are odd:
 * Python's whitespace set is wider than {@link String#trim()}, {@code len} counts code points,
 * {@code float()} accepts underscores, Unicode digits, 'inf' and 'nan', and {@code str(float)} prints
 * {@code 1e+16} where Java prints {@code 1.0E16}.
 */
final class Py {

    /**
     * Regex character class matching what Python's {@code \s} matches in a str pattern
     * ({@code str.isspace}); Java's {@code \s}, even with UNICODE_CHARACTER_CLASS, misses U+001C..U+001F.
     */
    static final String SPACE_CLASS =
            "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

    /** {@code string.punctuation}. */
    static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private Py() {
    }

    /** {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    static String strip(String s) {
        return rstrip(lstrip(s));
    }

    static String lstrip(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** {@code s.strip(chars)}: removes any of the code points in {@code chars} from both ends. */
    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (chars.indexOf(cp) < 0) {
                break;
            }
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (chars.indexOf(cp) < 0) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** {@code s.split()}: runs of Python whitespace separate words; no empty words. */
    static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    /** {@code len(s)}: Python counts code points, not UTF-16 units. */
    static int len(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code s[index]} as a code point; a negative index counts from the end, as in Python. */
    static int codePointAt(String s, int index) {
        int offset = index >= 0
                ? s.offsetByCodePoints(0, index)
                : s.offsetByCodePoints(s.length(), index);
        return s.codePointAt(offset);
    }

    /**
     * {@code float(text)}, or empty where Python raises ValueError. Follows CPython: Unicode decimal
     * digits and whitespace are first mapped to ASCII, surrounding whitespace is ignored, underscores
     * are allowed only between digits, and the rest must be a decimal literal or inf/infinity/nan.
     */
    static OptionalDouble toFloat(String text) {
        return asciiNumber(text)
                .flatMap(Py::withoutDigitUnderscores)
                .map(Py::parseFloatLiteral)
                .orElse(OptionalDouble.empty());
    }

    /** {@code int(text)} in base 10, or empty where Python raises ValueError. */
    static Optional<BigInteger> toInt(String text) {
        return asciiNumber(text)
                .flatMap(Py::withoutDigitUnderscores)
                .filter(s -> s.matches("[+-]?[0-9]+"))
                .map(s -> new BigInteger(s.startsWith("+") ? s.substring(1) : s));
    }

    /** Maps Unicode whitespace to ' ' and Unicode decimal digits to ASCII, then strips; empty if other non-ASCII. */
    private static Optional<String> asciiNumber(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isSpace(cp)) {
                out.append(' ');
            } else if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                out.append((char) ('0' + Character.digit(cp, 10)));
            } else if (cp < 128) {
                out.append((char) cp);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(strip(out.toString()));
    }

    /** PEP 515: an underscore must sit between two digits; then the underscores are dropped. */
    private static Optional<String> withoutDigitUnderscores(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '_') {
                boolean between = i > 0 && i + 1 < s.length()
                        && isAsciiDigit(s.charAt(i - 1)) && isAsciiDigit(s.charAt(i + 1));
                if (!between) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(s.replace("_", ""));
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static OptionalDouble parseFloatLiteral(String s) {
        String unsigned = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        boolean negative = s.startsWith("-");
        String word = lower(unsigned);
        if (word.equals("inf") || word.equals("infinity")) {
            return OptionalDouble.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (word.equals("nan")) {
            return OptionalDouble.of(Double.NaN);
        }
        // Java's parser also takes hex, 'd'/'f' suffixes and "Infinity": validate Python's grammar first.
        if (!unsigned.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(s));
    }

    /** {@code repr(x)} / {@code str(x)} of a Python float: shortest round-trip digits, Python layout. */
    static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String sign = (Double.doubleToRawLongBits(x) < 0) ? "-" : "";
        if (x == 0.0) {
            return sign + "0.0";
        }
        BigDecimal shortest = shortestDecimal(Math.abs(x));
        String digits = shortest.unscaledValue().toString();
        int pointPosition = digits.length() - shortest.scale();
        if (pointPosition <= -4 || pointPosition > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exponent = pointPosition - 1;
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        if (pointPosition <= 0) {
            return sign + "0." + "0".repeat(-pointPosition) + digits;
        }
        if (pointPosition >= digits.length()) {
            return sign + digits + "0".repeat(pointPosition - digits.length()) + ".0";
        }
        return sign + digits.substring(0, pointPosition) + "." + digits.substring(pointPosition);
    }

    /**
     * The shortest decimal that reads back as {@code x}, closest to it among equals, as Python's repr
     * picks. {@link Double#toString} does the same (JDK 19+) except that where one digit would do it may
     * print two closer ones (4.9E-324 for Python's 5e-324), so a one-digit alternative is tried.
     */
    private static BigDecimal shortestDecimal(double x) {
        BigDecimal javaDigits = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        if (javaDigits.precision() != 2) {
            return javaDigits;
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal best = javaDigits;
        for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal oneDigit = exact.round(new MathContext(1, mode));
            boolean closer = best == javaDigits
                    || oneDigit.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0;
            if (oneDigit.doubleValue() == x && closer) {
                best = oneDigit;
            }
        }
        return best.stripTrailingZeros();
    }

    /** {@code round(x, ndigits)} for a float: the exact binary value rounded half-even, sign of zero kept. */
    static double round(double x, int ndigits) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        double rounded = new BigDecimal(x).setScale(ndigits, RoundingMode.HALF_EVEN).doubleValue();
        return rounded == 0.0 ? Math.copySign(0.0, x) : rounded;
    }

    /** {@code str(value)} of what Python's json module would have parsed from this node. */
    static String str(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isNumber()) {
            return repr(node.doubleValue());
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "True" : "False";
        }
        if (node.isNull()) {
            return "None";
        }
        throw new IllegalArgumentException("no Python str() for a JSON " + node.getNodeType());
    }

    /** Python truthiness of a json-parsed value: None, False, 0, 0.0, "", [] and {} are false. */
    static boolean truthy(JsonNode node) {
        if (node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().signum() != 0;
        }
        if (node.isNumber()) {
            return node.doubleValue() != 0.0;
        }
        if (node.isTextual()) {
            return !node.textValue().isEmpty();
        }
        return !node.isEmpty();
    }
}
