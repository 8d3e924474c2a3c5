package dev.jvlm.text;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics for the template renderer. Values are: {@code null} (None), Boolean, Long
 * (int), Double (float), String, {@code List<Object>} (list), {@link Tuple}, {@code Map<Object,
 * Object>} with insertion order (dict), {@link Namespace}, {@link Function}, {@link Undefined}.
 */
final class PyValues {

    private PyValues() {
    }

    /**
     * jinja2's Undefined: prints as "", is false, iterates as empty, but raises (with {@code message})
     * when used in arithmetic, called, or when an attribute is taken from it.
     *
     * @param errorType UndefinedError, or SecurityError for a method the sandbox forbids
     */
    record Undefined(String message, String errorType) {

        static Undefined named(String name) {
            return new Undefined(PyStrings.repr(name) + " is undefined", "UndefinedError");
        }

        static Undefined attribute(Object owner, Object name) {
            String message = name instanceof String s
                    ? PyStrings.repr(objectTypeRepr(owner)) + " has no attribute " + PyStrings.repr(s)
                    : objectTypeRepr(owner) + " has no element " + repr(name);
            return new Undefined(message, "UndefinedError");
        }

        PyException error() {
            return new PyException(errorType, message);
        }
    }

    /** A Python tuple (immutable; prints with parentheses). */
    record Tuple(List<Object> items) {
    }

    /** jinja2's {@code namespace()}: an object whose attributes {@code set ns.x = ...} may change. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** Anything callable from a template: global functions, macros, bound methods. */
    interface Function {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** Converts JSON-like Java values (from Jackson or callers) to template values. */
    static Object fromJava(Object value) {
        return switch (value) {
            case null -> null;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Long l -> l;
            case BigInteger b -> b.longValueExact();
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case Double d -> d;
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(fromJava(k), fromJava(v)));
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                list.forEach(v -> out.add(fromJava(v)));
                yield out;
            }
            case Object[] array -> fromJava(List.of(array));
            default -> value;
        };
    }

    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Tuple t -> !t.items().isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined _ -> false;
            default -> true;
        };
    }

    /** Python's {@code type(x).__name__}. */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "NoneType";
            case Boolean _ -> "bool";
            case Long _ -> "int";
            case Double _ -> "float";
            case String _ -> "str";
            case List<?> _ -> "list";
            case Tuple _ -> "tuple";
            case Map<?, ?> _ -> "dict";
            case Namespace _ -> "Namespace";
            case Undefined _ -> "Undefined";
            case Function _ -> "function";
            default -> value.getClass().getSimpleName();
        };
    }

    /** jinja2's object_type_repr, used in undefined messages: "None" or "dict object". */
    static String objectTypeRepr(Object value) {
        return value == null ? "None" : typeName(value) + " object";
    }

    /** Python {@code str(x)}; undefined prints as the empty string. */
    static String str(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case Undefined _ -> "";
            default -> repr(value);
        };
    }

    /** Python {@code repr(x)}. */
    static String repr(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> PyStrings.repr(s);
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case List<?> list -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(repr(list.get(i)));
                }
                yield sb.append(']').toString();
            }
            case Tuple t -> {
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < t.items().size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(repr(t.items().get(i)));
                }
                yield sb.append(t.items().size() == 1 ? ",)" : ")").toString();
            }
            case Map<?, ?> map -> {
                StringBuilder sb = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                yield sb.append('}').toString();
            }
            case Namespace n -> "<Namespace " + repr(n.attributes) + ">";
            case Undefined _ -> "Undefined";
            default -> "<" + typeName(value) + ">";
        };
    }

    /** Python's float repr: the shortest round-tripping digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0.0) {
            return 1.0 / d < 0 ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest decimal that round-trips (JDK 19+), as Python's repr does.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = String.format("%02d", Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long asLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double asDouble(Object v) {
        return switch (v) {
            case Boolean b -> b ? 1.0 : 0.0;
            case Long l -> (double) l;
            case Double d -> d;
            default -> throw new PyException("TypeError", "must be real number, not " + typeName(v));
        };
    }

    /** Python {@code ==}. */
    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) {
                return asLong(a) == asLong(b);
            }
            return asDouble(a) == asDouble(b);
        }
        return switch (a) {
            case String s -> s.equals(b);
            case List<?> l when b instanceof List<?> m -> sequenceEquals(l, m);
            case Tuple t when b instanceof Tuple u -> sequenceEquals(t.items(), u.items());
            case Map<?, ?> m when b instanceof Map<?, ?> n -> mapEquals(m, n);
            case Undefined _ -> b instanceof Undefined;
            default -> false;
        };
    }

    private static boolean sequenceEquals(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!eq(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean mapEquals(Map<?, ?> a, Map<?, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<?, ?> e : a.entrySet()) {
            if (!b.containsKey(e.getKey()) || !eq(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Python ordering ({@code <} and friends) as a comparison result; TypeError for unorderable types. */
    static int compare(Object a, Object b, String operator) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) {
                return Long.compare(asLong(a), asLong(b));
            }
            return Double.compare(asDouble(a), asDouble(b));
        }
        if (a instanceof String s && b instanceof String t) {
            return compareCodePoints(s, t);
        }
        if (a instanceof List<?> l && b instanceof List<?> m) {
            return compareSequences(l, m, operator);
        }
        if (a instanceof Tuple t && b instanceof Tuple u) {
            return compareSequences(t.items(), u.items(), operator);
        }
        throw new PyException("TypeError", "'" + operator + "' not supported between instances of '" + typeName(a)
                + "' and '" + typeName(b) + "'");
    }

    static int compareCodePoints(String s, String t) {
        int i = 0;
        int j = 0;
        while (i < s.length() && j < t.length()) {
            int a = s.codePointAt(i);
            int b = t.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < s.length(), j < t.length());
    }

    private static int compareSequences(List<?> a, List<?> b, String operator) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!eq(a.get(i), b.get(i))) {
                return compare(a.get(i), b.get(i), operator);
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Python {@code item in container}. */
    static boolean contains(Object container, Object item) {
        return switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    throw new PyException("TypeError", "'in <string>' requires string as left operand, not " + typeName(item));
                }
                yield s.contains(sub);
            }
            case List<?> l -> l.stream().anyMatch(x -> eq(x, item));
            case Tuple t -> t.items().stream().anyMatch(x -> eq(x, item));
            case Map<?, ?> m -> m.keySet().stream().anyMatch(k -> eq(k, item));
            case Undefined _ -> false;
            case null -> throw new PyException("TypeError", "argument of type 'NoneType' is not iterable");
            default -> throw new PyException("TypeError", "argument of type '" + typeName(container) + "' is not iterable");
        };
    }

    /** The items a for loop visits: list items, characters of a string, keys of a dict. */
    static List<Object> iterate(Object value) {
        return switch (value) {
            case List<?> l -> new ArrayList<>(l);
            case Tuple t -> new ArrayList<>(t.items());
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> chars = new ArrayList<>(s.length());
                s.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
                yield chars;
            }
            case Undefined _ -> new ArrayList<>();
            case null -> throw new PyException("TypeError", "'NoneType' object is not iterable");
            default -> throw new PyException("TypeError", "'" + typeName(value) + "' object is not iterable");
        };
    }

    /** Python {@code len(x)}; undefined has length 0. */
    static long length(Object value) {
        return switch (value) {
            case String s -> PyStrings.length(s);
            case List<?> l -> l.size();
            case Tuple t -> t.items().size();
            case Map<?, ?> m -> m.size();
            case Undefined _ -> 0;
            default -> throw new PyException("TypeError", "object of type '" + typeName(value) + "' has no len()");
        };
    }

    /**
     * jinja2's {@code obj[key]}: the item if there is one, else (for a string key) the attribute,
     * else undefined. Taking anything from undefined raises.
     */
    static Object getItem(Object target, Object key) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        Object item = pythonItem(target, key);
        if (item != MISSING) {
            return item;
        }
        if (key instanceof String name) {
            Object attribute = pythonAttribute(target, name);
            if (attribute != MISSING) {
                return attribute;
            }
        }
        return Undefined.attribute(target, key);
    }

    /**
     * jinja2's {@code obj.name}: the attribute (e.g. a method) if there is one, else the item, else
     * undefined. Taking anything from undefined raises.
     */
    static Object getAttribute(Object target, String name) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        Object attribute = pythonAttribute(target, name);
        if (attribute != MISSING) {
            return attribute;
        }
        Object item = pythonItem(target, name);
        return item != MISSING ? item : Undefined.attribute(target, name);
    }

    /** Marks "no such item or attribute" in lookups, distinct from a None value. */
    static final Object MISSING = new Object();

    private static Object pythonItem(Object target, Object key) {
        switch (target) {
            case Map<?, ?> map -> {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (eq(e.getKey(), key)) {
                        return e.getValue();
                    }
                }
                return MISSING;
            }
            case List<?> list -> {
                return indexed(list, key);
            }
            case Tuple t -> {
                return indexed(t.items(), key);
            }
            case String s -> {
                if (!isInteger(key)) {
                    return MISSING;
                }
                int[] cps = PyStrings.codePoints(s);
                long i = asLong(key);
                if (i < 0) {
                    i += cps.length;
                }
                return i >= 0 && i < cps.length ? Character.toString(cps[(int) i]) : MISSING;
            }
            default -> {
                return MISSING;
            }
        }
    }

    private static Object indexed(List<?> list, Object key) {
        if (!isInteger(key)) {
            return MISSING;
        }
        long i = asLong(key);
        if (i < 0) {
            i += list.size();
        }
        return i >= 0 && i < list.size() ? list.get((int) i) : MISSING;
    }

    private static Object pythonAttribute(Object target, String name) {
        return switch (target) {
            case Namespace ns -> ns.attributes.containsKey(name) ? ns.attributes.get(name) : MISSING;
            case JinjaRenderer.Loop loop -> loop.attribute(name);
            default -> PyMethods.bind(target, name);
        };
    }

    /** Python slicing {@code target[start:stop:step]} of a list, tuple or string. */
    static Object slice(Object target, Object start, Object stop, Object step) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        long stepValue = step == null ? 1 : asLong(requireIndex(step));
        if (stepValue == 0) {
            throw new PyException("ValueError", "slice step cannot be zero");
        }
        return switch (target) {
            case List<?> list -> sliceList(list, start, stop, stepValue);
            case Tuple t -> new Tuple(sliceList(t.items(), start, stop, stepValue));
            case String s -> {
                int[] cps = PyStrings.codePoints(s);
                List<Object> chars = new ArrayList<>(cps.length);
                for (int cp : cps) {
                    chars.add(cp);
                }
                StringBuilder sb = new StringBuilder();
                for (Object cp : sliceList(chars, start, stop, stepValue)) {
                    sb.appendCodePoint((Integer) cp);
                }
                yield sb.toString();
            }
            default -> throw new PyException("TypeError", "'" + typeName(target) + "' object is not subscriptable");
        };
    }

    private static Object requireIndex(Object value) {
        if (!isInteger(value)) {
            throw new PyException("TypeError", "slice indices must be integers or None");
        }
        return value;
    }

    private static List<Object> sliceList(List<?> list, Object start, Object stop, long step) {
        int n = list.size();
        long lo;
        long hi;
        if (step > 0) {
            lo = start == null ? 0 : clampIndex(asLong(requireIndex(start)), n, 0, n);
            hi = stop == null ? n : clampIndex(asLong(requireIndex(stop)), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clampIndex(asLong(requireIndex(start)), n, -1, n - 1);
            hi = stop == null ? -1 : clampIndex(asLong(requireIndex(stop)), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        if (step > 0) {
            for (long i = lo; i < hi; i += step) {
                out.add(list.get((int) i));
            }
        } else {
            for (long i = lo; i > hi; i += step) {
                out.add(list.get((int) i));
            }
        }
        return out;
    }

    private static long clampIndex(long index, int n, long min, long max) {
        long i = index < 0 ? index + n : index;
        return Math.max(min, Math.min(max, i));
    }

    /** Python arithmetic and {@code ~} concatenation. */
    static Object binary(String operator, Object a, Object b) {
        if (operator.equals("~")) {
            return str(a) + str(b);
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (isNumber(a) && isNumber(b)) {
            return numeric(operator, a, b);
        }
        switch (operator) {
            case "+" -> {
                if (a instanceof String s && b instanceof String t) {
                    return s + t;
                }
                if (a instanceof List<?> l && b instanceof List<?> m) {
                    List<Object> out = new ArrayList<>(l);
                    out.addAll(m);
                    return out;
                }
                if (a instanceof Tuple t && b instanceof Tuple u) {
                    List<Object> out = new ArrayList<>(t.items());
                    out.addAll(u.items());
                    return new Tuple(out);
                }
                if (a instanceof String || a instanceof List<?> || a instanceof Tuple) {
                    throw new PyException("TypeError", "can only concatenate " + typeName(a) + " (not \"" + typeName(b)
                            + "\") to " + typeName(a));
                }
            }
            case "*" -> {
                if (isInteger(b) && (a instanceof String || a instanceof List<?>)) {
                    return repeat(a, asLong(b));
                }
                if (isInteger(a) && (b instanceof String || b instanceof List<?>)) {
                    return repeat(b, asLong(a));
                }
            }
            case "%" -> {
                if (a instanceof String format) {
                    return PyFormat.percent(format, b);
                }
            }
            default -> {
            }
        }
        throw new PyException("TypeError", "unsupported operand type(s) for " + operator + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static Object repeat(Object sequence, long times) {
        if (sequence instanceof String s) {
            return times <= 0 ? "" : s.repeat((int) times);
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll((List<?>) sequence);
        }
        return out;
    }

    private static Object numeric(String operator, Object a, Object b) {
        boolean integers = isInteger(a) && isInteger(b);
        try {
            return switch (operator) {
                case "+" -> integers ? (Object) Math.addExact(asLong(a), asLong(b)) : asDouble(a) + asDouble(b);
                case "-" -> integers ? (Object) Math.subtractExact(asLong(a), asLong(b)) : asDouble(a) - asDouble(b);
                case "*" -> integers ? (Object) Math.multiplyExact(asLong(a), asLong(b)) : asDouble(a) * asDouble(b);
                case "/" -> {
                    if (asDouble(b) == 0.0) {
                        throw new PyException("ZeroDivisionError", "division by zero");
                    }
                    yield asDouble(a) / asDouble(b);
                }
                case "//" -> {
                    if (asDouble(b) == 0.0) {
                        throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
                    }
                    yield integers ? (Object) Math.floorDiv(asLong(a), asLong(b)) : Math.floor(asDouble(a) / asDouble(b));
                }
                case "%" -> {
                    if (asDouble(b) == 0.0) {
                        throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
                    }
                    if (integers) {
                        yield Math.floorMod(asLong(a), asLong(b));
                    }
                    double x = asDouble(a);
                    double y = asDouble(b);
                    yield x - y * Math.floor(x / y);
                }
                case "**" -> {
                    if (integers && asLong(b) >= 0) {
                        long result = 1;
                        for (long i = 0; i < asLong(b); i++) {
                            result = Math.multiplyExact(result, asLong(a));
                        }
                        yield result;
                    }
                    yield Math.pow(asDouble(a), asDouble(b));
                }
                default -> throw new PyException("TypeError", "unsupported operator " + operator);
            };
        } catch (ArithmeticException e) {
            throw new PyException("OverflowError", "integer result too large for this renderer (" + operator + ")");
        }
    }
}
