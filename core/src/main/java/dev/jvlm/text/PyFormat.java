package dev.jvlm.text;

import dev.jvlm.text.PyValues.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Python string formatting: {@code "%s" % value} (printf style, also jinja2's {@code format}
 * filter) and {@code str.format}. Covers the conversions templates use: s, r, d, i, f, e, x, o, c.
 */
final class PyFormat {

    private PyFormat() {
    }

    /** {@code format % args}: a tuple supplies several values, a dict named ones. */
    static String percent(String format, Object args) {
        List<Object> values = args instanceof Tuple t ? t.items() : List.of(args == null ? NONE : args);
        Map<?, ?> mapping = args instanceof Map<?, ?> m ? m : null;
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i >= format.length()) {
                throw new PyException("ValueError", "incomplete format");
            }
            Object value = null;
            boolean named = false;
            if (format.charAt(i) == '(') {
                int close = format.indexOf(')', i);
                if (close < 0 || mapping == null) {
                    throw new PyException("TypeError", "format requires a mapping");
                }
                value = mapping.get(format.substring(i + 1, close));
                named = true;
                i = close + 1;
            }
            int specStart = i;
            while (i < format.length() && "-+ #0123456789.".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                throw new PyException("ValueError", "incomplete format");
            }
            String spec = format.substring(specStart, i);
            char type = format.charAt(i++);
            if (type == '%') {
                out.append('%');
                continue;
            }
            if (!named) {
                if (next >= values.size()) {
                    throw new PyException("TypeError", "not enough arguments for format string");
                }
                value = values.get(next++);
                if (value == NONE) {
                    value = null;
                }
            }
            out.append(convert(value, spec, type));
        }
        if (mapping == null && next < values.size()) {
            throw new PyException("TypeError", "not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static final Object NONE = new Object();

    private static String convert(Object value, String spec, char type) {
        boolean left = false;
        boolean zero = false;
        boolean plus = false;
        boolean space = false;
        int k = 0;
        while (k < spec.length() && "-+ #0".indexOf(spec.charAt(k)) >= 0) {
            switch (spec.charAt(k++)) {
                case '-' -> left = true;
                case '+' -> plus = true;
                case ' ' -> space = true;
                case '0' -> zero = true;
                default -> {
                    // '#' (alternate form) changes nothing for the conversions supported here
                }
            }
        }
        int widthStart = k;
        while (k < spec.length() && Character.isDigit(spec.charAt(k))) {
            k++;
        }
        int width = k > widthStart ? Integer.parseInt(spec.substring(widthStart, k)) : 0;
        Integer precision = null;
        if (k < spec.length() && spec.charAt(k) == '.') {
            String p = spec.substring(k + 1);
            precision = p.isEmpty() ? 0 : Integer.parseInt(p);
        }
        String body = switch (type) {
            case 's' -> truncate(PyValues.str(value), precision);
            case 'r', 'a' -> truncate(PyValues.repr(value), precision);
            case 'd', 'i', 'u' -> signed(Long.toString(integer(value)), plus, space);
            case 'f', 'F' -> signed(fixed(number(value), precision == null ? 6 : precision), plus, space);
            case 'e', 'E' -> {
                String e = String.format("%." + (precision == null ? 6 : precision) + "e", number(value));
                yield signed(type == 'E' ? e.toUpperCase() : e, plus, space);
            }
            case 'x' -> Long.toHexString(integer(value));
            case 'X' -> Long.toHexString(integer(value)).toUpperCase();
            case 'o' -> Long.toOctalString(integer(value));
            case 'c' -> value instanceof String s ? s : Character.toString((int) integer(value));
            default -> throw new PyException("ValueError", "unsupported format character '" + type + "'");
        };
        if (body.length() >= width) {
            return body;
        }
        if (left) {
            return body + " ".repeat(width - body.length());
        }
        if (zero && "dfFeEiuxXo".indexOf(type) >= 0) {
            boolean signed = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ");
            String digits = signed ? body.substring(1) : body;
            return (signed ? body.substring(0, 1) : "") + "0".repeat(width - body.length()) + digits;
        }
        return " ".repeat(width - body.length()) + body;
    }

    private static String truncate(String s, Integer precision) {
        return precision == null || precision >= s.length() ? s : s.substring(0, precision);
    }

    private static String signed(String s, boolean plus, boolean space) {
        if (s.startsWith("-")) {
            return s;
        }
        return plus ? "+" + s : space ? " " + s : s;
    }

    private static long integer(Object value) {
        if (PyValues.isInteger(value)) {
            return PyValues.asLong(value);
        }
        if (value instanceof Double d) {
            return (long) (double) d;
        }
        throw new PyException("TypeError", "%d format: a real number is required, not " + PyValues.typeName(value));
    }

    private static double number(Object value) {
        if (PyValues.isNumber(value)) {
            return PyValues.asDouble(value);
        }
        throw new PyException("TypeError", "must be real number, not " + PyValues.typeName(value));
    }

    /** Fixed-point with round-half-even on the exact binary value, as Python does. */
    static String fixed(double value, int precision) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return PyValues.floatRepr(value);
        }
        return new BigDecimal(value).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** {@code str.format}: {}, {0}, {name}, {name[key]} and {name.attr} fields, !r/!s, and a format spec. */
    static String format(String template, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
                continue;
            }
            if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
                continue;
            }
            if (c != '{') {
                out.append(c);
                i++;
                continue;
            }
            int close = template.indexOf('}', i);
            if (close < 0) {
                throw new PyException("ValueError", "Single '{' encountered in format string");
            }
            String field = template.substring(i + 1, close);
            i = close + 1;
            String spec = "";
            int colon = field.indexOf(':');
            if (colon >= 0) {
                spec = field.substring(colon + 1);
                field = field.substring(0, colon);
            }
            char conversion = 0;
            int bang = field.indexOf('!');
            if (bang >= 0) {
                conversion = field.charAt(bang + 1);
                field = field.substring(0, bang);
            }
            Object value = resolveField(field, args, kwargs, auto);
            if (field.isEmpty() || field.charAt(0) == '.' || field.charAt(0) == '[') {
                auto++;
            }
            String text = conversion == 'r' ? PyValues.repr(value) : null;
            out.append(applySpec(text != null ? text : value, spec));
        }
        return out.toString();
    }

    private static Object resolveField(String field, List<Object> args, Map<String, Object> kwargs, int auto) {
        int end = 0;
        while (end < field.length() && field.charAt(end) != '.' && field.charAt(end) != '[') {
            end++;
        }
        String head = field.substring(0, end);
        Object value;
        if (head.isEmpty()) {
            if (auto >= args.size()) {
                throw new PyException("IndexError", "Replacement index " + auto + " out of range for positional args tuple");
            }
            value = args.get(auto);
        } else if (head.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(head);
            if (index >= args.size()) {
                throw new PyException("IndexError", "Replacement index " + index + " out of range for positional args tuple");
            }
            value = args.get(index);
        } else {
            if (!kwargs.containsKey(head)) {
                throw new PyException("KeyError", PyStrings.repr(head));
            }
            value = kwargs.get(head);
        }
        int i = end;
        while (i < field.length()) {
            if (field.charAt(i) == '.') {
                int j = i + 1;
                while (j < field.length() && field.charAt(j) != '.' && field.charAt(j) != '[') {
                    j++;
                }
                value = PyValues.getAttribute(value, field.substring(i + 1, j));
                i = j;
            } else {
                int close = field.indexOf(']', i);
                String key = field.substring(i + 1, close);
                value = PyValues.getItem(value, key.chars().allMatch(Character::isDigit) && !key.isEmpty() ? (Object) Long.parseLong(key) : key);
                i = close + 1;
            }
        }
        return value;
    }

    /** A format spec {@code [[fill]align][sign][0][width][,][.precision][type]}. */
    private static String applySpec(Object value, String spec) {
        if (spec.isEmpty()) {
            return PyValues.str(value);
        }
        int i = 0;
        char fill = ' ';
        char align = 0;
        if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = 0;
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) {
            sign = spec.charAt(i++);
        }
        if (i < spec.length() && spec.charAt(i) == '0') {
            fill = '0';
            if (align == 0) {
                align = '=';
            }
            i++;
        }
        int widthStart = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
            i++;
        }
        int width = i > widthStart ? Integer.parseInt(spec.substring(widthStart, i)) : 0;
        boolean grouping = i < spec.length() && spec.charAt(i) == ',';
        if (grouping) {
            i++;
        }
        Integer precision = null;
        if (i < spec.length() && spec.charAt(i) == '.') {
            int p = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
                i++;
            }
            precision = Integer.parseInt(spec.substring(p, i));
        }
        char type = i < spec.length() ? spec.charAt(i) : 0;
        String body;
        boolean numeric = PyValues.isNumber(value) && !(value instanceof Boolean && type == 0);
        if (type == 'f' || type == 'F' || type == '%' || (type == 0 && value instanceof Double && precision != null)) {
            double d = PyValues.asDouble(value) * (type == '%' ? 100 : 1);
            body = fixed(Math.abs(d), precision == null ? 6 : precision);
            body = group(body, grouping) + (type == '%' ? "%" : "");
            body = (d < 0 || (d == 0 && 1 / d < 0) ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "") + body;
        } else if (type == 'd' || (type == 0 && PyValues.isInteger(value) && !(value instanceof Boolean))) {
            long l = PyValues.asLong(value);
            body = (l < 0 ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "") + group(Long.toString(Math.abs(l)), grouping);
        } else {
            body = PyValues.str(value);
            if (precision != null && precision < body.length()) {
                body = body.substring(0, precision);
            }
            numeric = false;
        }
        if (body.length() >= width) {
            return body;
        }
        String padding = String.valueOf(fill).repeat(width - body.length());
        char effective = align != 0 ? align : numeric ? '>' : '<';
        return switch (effective) {
            case '>' -> padding + body;
            case '^' -> {
                int left = (width - body.length()) / 2;
                yield String.valueOf(fill).repeat(left) + body + String.valueOf(fill).repeat(width - body.length() - left);
            }
            case '=' -> {
                boolean hasSign = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0;
                yield hasSign ? body.charAt(0) + padding + body.substring(1) : padding + body;
            }
            default -> body + padding;
        };
    }

    private static String group(String digits, boolean grouping) {
        if (!grouping) {
            return digits;
        }
        int dot = digits.indexOf('.');
        String whole = dot >= 0 ? digits.substring(0, dot) : digits;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < whole.length(); i++) {
            if (i > 0 && (whole.length() - i) % 3 == 0) {
                sb.append(',');
            }
            sb.append(whole.charAt(i));
        }
        return sb + (dot >= 0 ? digits.substring(dot) : "");
    }
}
