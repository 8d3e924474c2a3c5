package dev.jvlm.text;

import dev.jvlm.text.PyValues.Function;
import dev.jvlm.text.PyValues.Tuple;
import dev.jvlm.text.PyValues.Undefined;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Methods of Python str, dict and list that templates call ({@code content.strip()},
 * {@code message.get('x')}, {@code tools.items()}...). As in transformers' immutable sandbox,
 * methods that modify a list or dict are refused.
 */
final class PyMethods {

    private static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "replace", "upper", "lower", "title", "capitalize", "swapcase", "casefold", "find",
            "rfind", "index", "rindex", "count", "join", "format", "isdigit", "isdecimal", "isnumeric", "isalpha",
            "isalnum", "isspace", "isupper", "islower", "istitle", "zfill", "ljust", "rjust", "center", "removeprefix",
            "removesuffix", "partition", "rpartition");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
    private static final Set<String> UNSAFE_LIST_METHODS = Set.of("append", "extend", "insert", "pop", "remove", "reverse",
            "sort", "clear");
    private static final Set<String> UNSAFE_DICT_METHODS = Set.of("update", "pop", "popitem", "clear", "setdefault");

    private PyMethods() {
    }

    /**
     * The bound method {@code target.name}, an unsafe-undefined for a method that would modify the
     * object, or {@link PyValues#MISSING} when the object has no such method.
     */
    static Object bind(Object target, String name) {
        boolean known = switch (target) {
            case String _ -> STRING_METHODS.contains(name);
            case Map<?, ?> _ -> DICT_METHODS.contains(name);
            case List<?> _ -> LIST_METHODS.contains(name);
            case Tuple _ -> name.equals("index") || name.equals("count");
            default -> false;
        };
        if (known) {
            return (Function) (args, kwargs) -> call(target, name, args, kwargs);
        }
        boolean unsafe = (target instanceof List<?> && UNSAFE_LIST_METHODS.contains(name))
                || (target instanceof Map<?, ?> && UNSAFE_DICT_METHODS.contains(name));
        if (unsafe) {
            return new Undefined("access to attribute " + PyStrings.repr(name) + " of " + PyStrings.repr(PyValues.typeName(target))
                    + " object is unsafe.", "SecurityError");
        }
        return PyValues.MISSING;
    }

    private static Object call(Object target, String name, List<Object> args, Map<String, Object> kwargs) {
        Arguments a = new Arguments(name, args, kwargs);
        return switch (target) {
            case String s -> stringMethod(s, name, a);
            case Map<?, ?> m -> dictMethod(m, name, a);
            case List<?> l -> listMethod(l, name, a);
            case Tuple t -> listMethod(t.items(), name, a);
            default -> throw new PyException("AttributeError", PyValues.typeName(target) + " has no method " + name);
        };
    }

    private static Object stringMethod(String s, String name, Arguments a) {
        return switch (name) {
            case "strip" -> PyStrings.strip(s, a.optionalString(0, "chars"), true, true);
            case "lstrip" -> PyStrings.strip(s, a.optionalString(0, "chars"), true, false);
            case "rstrip" -> PyStrings.strip(s, a.optionalString(0, "chars"), false, true);
            case "split" -> new ArrayList<Object>(PyStrings.split(s, a.optionalString(0, "sep"), (int) a.optionalLong(1, "maxsplit", -1)));
            case "rsplit" -> new ArrayList<Object>(PyStrings.rsplit(s, a.optionalString(0, "sep"), (int) a.optionalLong(1, "maxsplit", -1)));
            case "splitlines" -> splitLines(s, PyValues.truthy(a.optional(0, "keepends", false)));
            case "startswith" -> affix(s, a, true);
            case "endswith" -> affix(s, a, false);
            case "replace" -> replace(s, a.string(0, "old"), a.string(1, "new"), a.optionalLong(2, "count", -1));
            case "upper" -> PyStrings.upper(s);
            case "lower", "casefold" -> PyStrings.lower(s);
            case "title" -> PyStrings.title(s);
            case "capitalize" -> PyStrings.capitalize(s);
            case "swapcase" -> swapCase(s);
            case "find" -> (long) codePointIndex(s, s.indexOf(a.string(0, "sub")));
            case "rfind" -> (long) codePointIndex(s, s.lastIndexOf(a.string(0, "sub")));
            case "index", "rindex" -> {
                int at = name.equals("index") ? s.indexOf(a.string(0, "sub")) : s.lastIndexOf(a.string(0, "sub"));
                if (at < 0) {
                    throw new PyException("ValueError", "substring not found");
                }
                yield (long) codePointIndex(s, at);
            }
            case "count" -> countOccurrences(s, a.string(0, "sub"));
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = PyValues.iterate(a.required(0, "iterable"));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String item)) {
                        throw new PyException("TypeError", "sequence item " + i + ": expected str instance, "
                                + PyValues.typeName(items.get(i)) + " found");
                    }
                    sb.append(i == 0 ? "" : s).append(item);
                }
                yield sb.toString();
            }
            case "format" -> PyFormat.format(s, a.positional, a.keywords);
            case "isdigit", "isdecimal", "isnumeric" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PyStrings::isWhitespace);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            case "istitle" -> !s.isEmpty() && PyStrings.title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
            case "zfill" -> zfill(s, (int) a.requiredLong(0, "width"));
            case "ljust", "rjust", "center" -> pad(s, name, (int) a.requiredLong(0, "width"), a.optionalString(1, "fillchar"));
            case "removeprefix" -> s.startsWith(a.string(0, "prefix")) ? s.substring(a.string(0, "prefix").length()) : s;
            case "removesuffix" -> {
                String suffix = a.string(0, "suffix");
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = a.string(0, "sep");
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    yield name.equals("partition") ? new Tuple(List.of(s, "", "")) : new Tuple(List.of("", "", s));
                }
                yield new Tuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
            }
            default -> throw new PyException("AttributeError", "'str' object has no attribute " + PyStrings.repr(name));
        };
    }

    private static Object dictMethod(Map<?, ?> m, String name, Arguments a) {
        return switch (name) {
            case "items" -> {
                List<Object> items = new ArrayList<>(m.size());
                m.forEach((k, v) -> items.add(new Tuple(java.util.Arrays.asList(k, v))));
                yield items;
            }
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            case "get" -> {
                Object key = a.required(0, "key");
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (PyValues.eq(e.getKey(), key)) {
                        yield e.getValue();
                    }
                }
                yield a.optional(1, "default", null);
            }
            case "copy" -> new LinkedHashMap<Object, Object>(m);
            default -> throw new PyException("AttributeError", "'dict' object has no attribute " + PyStrings.repr(name));
        };
    }

    private static Object listMethod(List<?> l, String name, Arguments a) {
        return switch (name) {
            case "index" -> {
                Object item = a.required(0, "value");
                for (int i = 0; i < l.size(); i++) {
                    if (PyValues.eq(l.get(i), item)) {
                        yield (long) i;
                    }
                }
                throw new PyException("ValueError", PyValues.repr(item) + " is not in list");
            }
            case "count" -> {
                Object item = a.required(0, "value");
                yield l.stream().filter(x -> PyValues.eq(x, item)).count();
            }
            case "copy" -> new ArrayList<Object>(l);
            default -> throw new PyException("AttributeError", "'list' object has no attribute " + PyStrings.repr(name));
        };
    }

    /** startswith/endswith with a string or a tuple of strings. */
    private static boolean affix(String s, Arguments a, boolean prefix) {
        Object arg = a.required(0, prefix ? "prefix" : "suffix");
        List<Object> candidates = arg instanceof Tuple t ? t.items() : List.of(arg);
        for (Object c : candidates) {
            if (!(c instanceof String str)) {
                throw new PyException("TypeError", (prefix ? "startswith" : "endswith")
                        + " first arg must be str or a tuple of str, not " + PyValues.typeName(c));
            }
            if (prefix ? s.startsWith(str) : s.endsWith(str)) {
                return true;
            }
        }
        return false;
    }

    private static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder sb = new StringBuilder(replacement);
                s.codePoints().forEach(cp -> sb.appendCodePoint(cp).append(replacement));
                return sb.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0 || old.isEmpty()) {
                break;
            }
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    /** Python {@code str.splitlines}: splits at newline, carriage return, both, and the other Unicode line boundaries. */
    static List<Object> splitLines(String s, boolean keepEnds) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E
                    || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (!lineBreak) {
                i++;
                continue;
            }
            int end = i;
            i += c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2 : 1;
            out.add(s.substring(start, keepEnds ? i : end));
            start = i;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static String swapCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.append(Character.isUpperCase(cp) ? PyStrings.lower(Character.toString(cp))
                : Character.isLowerCase(cp) ? PyStrings.upper(Character.toString(cp)) : Character.toString(cp)));
        return sb.toString();
    }

    private static int codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    private static long countOccurrences(String s, String sub) {
        if (sub.isEmpty()) {
            return PyStrings.length(s) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String zfill(String s, int width) {
        int length = PyStrings.length(s);
        if (length >= width) {
            return s;
        }
        String zeros = "0".repeat(width - length);
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            return s.charAt(0) + zeros + s.substring(1);
        }
        return zeros + s;
    }

    private static String pad(String s, String how, int width, String fill) {
        String f = fill == null ? " " : fill;
        int length = PyStrings.length(s);
        if (length >= width) {
            return s;
        }
        int total = width - length;
        return switch (how) {
            case "ljust" -> s + f.repeat(total);
            case "rjust" -> f.repeat(total) + s;
            default -> {
                // Python's str.center puts the extra character on the left when the width is odd.
                int left = total / 2 + (total & width & 1);
                yield f.repeat(left) + s + f.repeat(total - left);
            }
        };
    }

    /** Positional and keyword arguments of a method call, read by position or name. */
    static final class Arguments {
        private final String function;
        final List<Object> positional;
        final Map<String, Object> keywords;

        Arguments(String function, List<Object> positional, Map<String, Object> keywords) {
            this.function = function;
            this.positional = positional;
            this.keywords = keywords;
        }

        Object optional(int index, String name, Object fallback) {
            if (index < positional.size()) {
                return positional.get(index);
            }
            return keywords.containsKey(name) ? keywords.get(name) : fallback;
        }

        Object required(int index, String name) {
            if (index >= positional.size() && !keywords.containsKey(name)) {
                throw new PyException("TypeError", function + "() missing required argument '" + name + "'");
            }
            return optional(index, name, null);
        }

        String string(int index, String name) {
            Object value = required(index, name);
            if (!(value instanceof String s)) {
                throw new PyException("TypeError", function + "() argument '" + name + "' must be str, not "
                        + PyValues.typeName(value));
            }
            return s;
        }

        /** A string argument that may be absent or None. */
        String optionalString(int index, String name) {
            Object value = optional(index, name, null);
            if (value == null) {
                return null;
            }
            if (!(value instanceof String s)) {
                throw new PyException("TypeError", function + "() argument '" + name + "' must be str or None, not "
                        + PyValues.typeName(value));
            }
            return s;
        }

        long optionalLong(int index, String name, long fallback) {
            Object value = optional(index, name, null);
            if (value == null) {
                return fallback;
            }
            if (!PyValues.isInteger(value)) {
                throw new PyException("TypeError", function + "() argument '" + name + "' must be int, not "
                        + PyValues.typeName(value));
            }
            return PyValues.asLong(value);
        }

        long requiredLong(int index, String name) {
            required(index, name);
            return optionalLong(index, name, 0);
        }
    }
}
