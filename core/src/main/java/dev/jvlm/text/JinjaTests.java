package dev.jvlm.text;

import dev.jvlm.text.PyValues.Function;
import dev.jvlm.text.PyValues.Tuple;
import dev.jvlm.text.PyValues.Undefined;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class JinjaTests {

    private static final Set<String> NAMES = Set.of("boolean", "callable", "defined", "undefined", "divisibleby", "eq",
            "equalto", "==", "ne", "!=", "escaped", "even", "odd", "false", "true", "none", "float", "integer", "number",
            "string", "mapping", "iterable", "sequence", "ge", ">=", "gt", "greaterthan", ">", "le", "<=", "lt",
            "lessthan", "<", "in", "lower", "upper", "sameas", "filter", "test");

    private JinjaTests() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object value, List<Object> args) {
        return switch (name) {
            case "defined" -> !(value instanceof Undefined);
            case "undefined" -> value instanceof Undefined;
            case "none" -> value == null;
            case "boolean" -> value instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(value);
            case "false" -> Boolean.FALSE.equals(value);
            case "string" -> value instanceof String;
            case "number" -> PyValues.isNumber(value);
            case "integer" -> value instanceof Long;
            case "float" -> value instanceof Double;
            case "mapping" -> value instanceof Map<?, ?>;
            // Python's iter() accepts these; jinja2's Undefined is iterable (and empty).
            case "iterable" -> value instanceof String || value instanceof List<?> || value instanceof Tuple
                    || value instanceof Map<?, ?> || value instanceof Undefined;
            case "sequence" -> value instanceof String || value instanceof List<?> || value instanceof Tuple
                    || value instanceof Map<?, ?> || value instanceof Undefined;
            case "callable" -> value instanceof Function;
            case "escaped" -> false;
            case "even" -> integer(value, name) % 2 == 0;
            case "odd" -> integer(value, name) % 2 != 0;
            case "divisibleby" -> {
                long divisor = integer(argument(args, name), name);
                if (divisor == 0) {
                    throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
                }
                yield integer(value, name) % divisor == 0;
            }
            case "eq", "equalto", "==" -> PyValues.eq(value, argument(args, name));
            case "ne", "!=" -> !PyValues.eq(value, argument(args, name));
            case "lt", "lessthan", "<" -> PyValues.compare(value, argument(args, name), "<") < 0;
            case "le", "<=" -> PyValues.compare(value, argument(args, name), "<=") <= 0;
            case "gt", "greaterthan", ">" -> PyValues.compare(value, argument(args, name), ">") > 0;
            case "ge", ">=" -> PyValues.compare(value, argument(args, name), ">=") >= 0;
            case "in" -> PyValues.contains(argument(args, name), value);
            case "lower" -> {
                String s = PyValues.str(value);
                yield s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            }
            case "upper" -> {
                String s = PyValues.str(value);
                yield s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            }
            case "sameas" -> sameAs(value, argument(args, name));
            case "filter" -> value instanceof String s && JinjaFilters.exists(s);
            case "test" -> value instanceof String s && exists(s);
            default -> throw new PyException("TemplateRuntimeError", "no test named " + PyStrings.repr(name));
        };
    }

    private static Object argument(List<Object> args, String test) {
        if (args.isEmpty()) {
            throw new PyException("TypeError", "test '" + test + "' needs an argument");
        }
        return args.getFirst();
    }

    private static long integer(Object value, String test) {
        if (PyValues.isInteger(value)) {
            return PyValues.asLong(value);
        }
        if (value instanceof Double d && d == Math.rint(d)) {
            return (long) (double) d;
        }
        throw new PyException("TypeError", "test '" + test + "' needs a number, got " + PyValues.typeName(value));
    }

    /**
     * Python {@code is}: the same object. None, booleans and CPython's cached small ints are
     * singletons; other values are compared by reference.
     */
    private static boolean sameAs(Object a, Object b) {
        if (a == null || b == null || a instanceof Boolean || b instanceof Boolean) {
            return a == null ? b == null : a.equals(b);
        }
        if (a instanceof Long x && b instanceof Long y) {
            return x.equals(y) && x >= -5 && x <= 256;
        }
        return a == b;
    }
}
