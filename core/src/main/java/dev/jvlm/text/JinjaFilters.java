package dev.jvlm.text;

import dev.jvlm.text.PyMethods.Arguments;
import dev.jvlm.text.PyValues.Tuple;
import dev.jvlm.text.PyValues.Undefined;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** jinja2's built-in filters, and transformers' replacement for {@code tojson}. */
final class JinjaFilters {

    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "format", "indent", "int", "items", "join", "last",
            "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe",
            "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "truncate", "unique", "upper",
            "wordcount");

    /** jinja2's {@code title} filter starts a word after whitespace or one of -({[<. */
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)");

    private JinjaFilters() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        Arguments a = new Arguments(name, args, kwargs);
        return switch (name) {
            case "abs" -> switch (value) {
                case Long l -> Math.abs(l);
                case Double d -> Math.abs(d);
                case Boolean b -> b ? 1L : 0L;
                default -> throw new PyException("TypeError", "bad operand type for abs(): '" + PyValues.typeName(value) + "'");
            };
            case "attr" -> PyValues.getAttribute(value, a.string(0, "name"));
            case "batch" -> batch(value, a.requiredLong(0, "linecount"), a.optional(1, "fill_with", PyValues.MISSING));
            case "capitalize" -> PyStrings.capitalize(PyValues.str(value));
            case "center" -> {
                String s = PyValues.str(value);
                int width = (int) a.optionalLong(0, "width", 80);
                int total = width - PyStrings.length(s);
                if (total <= 0) {
                    yield s;
                }
                int left = total / 2 + (total & width & 1);
                yield " ".repeat(left) + s + " ".repeat(total - left);
            }
            case "count", "length" -> PyValues.length(value);
            case "d", "default" -> {
                Object fallback = a.optional(0, "default_value", "");
                boolean useForFalsy = PyValues.truthy(a.optional(1, "boolean", false));
                yield value instanceof Undefined || (useForFalsy && !PyValues.truthy(value)) ? fallback : value;
            }
            case "dictsort" -> dictsort(value, a);
            case "e", "escape" -> escapeHtml(PyValues.str(value));
            case "first" -> {
                List<Object> items = PyValues.iterate(value);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.", "UndefinedError") : items.getFirst();
            }
            case "last" -> {
                List<Object> items = PyValues.iterate(value);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.", "UndefinedError") : items.getLast();
            }
            case "float" -> toFloat(value, a.optional(0, "default", 0.0));
            case "int" -> toInt(value, a.optional(0, "default", 0L), (int) a.optionalLong(1, "base", 10));
            case "format" -> args.isEmpty() && !kwargs.isEmpty()
                    ? PyFormat.percent(PyValues.str(value), new java.util.LinkedHashMap<Object, Object>(kwargs))
                    : PyFormat.percent(PyValues.str(value), new Tuple(args));
            case "indent" -> indent(PyValues.str(value), a.optional(0, "width", 4L), PyValues.truthy(a.optional(1, "first", false)),
                    PyValues.truthy(a.optional(2, "blank", false)));
            case "items" -> {
                if (value instanceof Undefined) {
                    yield new ArrayList<>();
                }
                if (!(value instanceof Map<?, ?> m)) {
                    throw new PyException("TypeError", "Can only get item pairs from a mapping.");
                }
                List<Object> items = new ArrayList<>();
                m.forEach((k, v) -> items.add(new Tuple(Arrays.asList(k, v))));
                yield items;
            }
            case "join" -> {
                String separator = PyValues.str(a.optional(0, "d", ""));
                Object attribute = a.optional(1, "attribute", null);
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object item : PyValues.iterate(value)) {
                    sb.append(first ? "" : separator).append(PyValues.str(attribute == null ? item : lookup(item, attribute)));
                    first = false;
                }
                yield sb.toString();
            }
            case "list" -> PyValues.iterate(value);
            case "lower" -> PyStrings.lower(PyValues.str(value));
            case "upper" -> PyStrings.upper(PyValues.str(value));
            case "map" -> map(value, args, kwargs);
            case "max", "min" -> extreme(value, a, name.equals("max"));
            case "select", "reject" -> selectByTest(value, args, name.equals("select"));
            case "selectattr", "rejectattr" -> selectByAttribute(value, args, name.equals("selectattr"));
            case "replace" -> {
                Object count = a.optional(2, "count", null);
                Object method = PyMethods.bind(PyValues.str(value), "replace");
                List<Object> callArgs = new ArrayList<>(List.of(a.string(0, "old"), a.string(1, "new")));
                if (count != null) {
                    callArgs.add(count);
                }
                yield ((PyValues.Function) method).call(callArgs, Map.of());
            }
            case "reverse" -> {
                if (value instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                yield PyValues.iterate(value).reversed();
            }
            case "round" -> round(value, (int) a.optionalLong(0, "precision", 0), PyValues.str(a.optional(1, "method", "common")));
            case "safe", "string" -> PyValues.str(value);
            case "sort" -> sort(value, PyValues.truthy(a.optional(0, "reverse", false)),
                    PyValues.truthy(a.optional(1, "case_sensitive", false)), a.optional(2, "attribute", null));
            case "sum" -> {
                Object attribute = a.optional(0, "attribute", null);
                Object total = a.optional(1, "start", 0L);
                for (Object item : PyValues.iterate(value)) {
                    total = PyValues.binary("+", total, attribute == null ? item : lookup(item, attribute));
                }
                yield total;
            }
            case "title" -> title(PyValues.str(value));
            case "tojson" -> toJson(value, a);
            case "trim" -> PyStrings.strip(PyValues.str(value), a.optionalString(0, "chars"), true, true);
            case "truncate" -> truncate(PyValues.str(value), (int) a.optionalLong(0, "length", 255),
                    PyValues.truthy(a.optional(1, "killwords", false)), PyValues.str(a.optional(2, "end", "...")),
                    (int) a.optionalLong(3, "leeway", 5));
            case "unique" -> unique(value, PyValues.truthy(a.optional(0, "case_sensitive", false)), a.optional(1, "attribute", null));
            case "wordcount" -> (long) PyStrings.split(PyValues.str(value), null, -1).size();
            default -> throw new PyException("TemplateRuntimeError", "no filter named " + PyStrings.repr(name));
        };
    }

    /** An attribute path such as "a.b" or an integer index, as filters' {@code attribute=} arguments take it. */
    static Object lookup(Object item, Object attribute) {
        if (PyValues.isInteger(attribute)) {
            return PyValues.getItem(item, attribute);
        }
        Object current = item;
        for (String part : PyValues.str(attribute).split("\\.")) {
            current = part.chars().allMatch(Character::isDigit) && !part.isEmpty()
                    ? PyValues.getItem(current, Long.parseLong(part)) : PyValues.getItem(current, part);
        }
        return current;
    }

    /** transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False). */
    private static String toJson(Object value, Arguments a) {
        Object indent = a.optional(1, "indent", null);
        String indentText = switch (indent) {
            case null -> null;
            case String s -> s;
            default -> " ".repeat((int) Math.max(0, PyValues.asLong(indent)));
        };
        Object separators = a.optional(2, "separators", null);
        String itemSeparator = indentText == null ? ", " : ",";
        String keySeparator = ": ";
        if (separators != null) {
            List<Object> pair = PyValues.iterate(separators);
            itemSeparator = PyValues.str(pair.get(0));
            keySeparator = PyValues.str(pair.get(1));
        }
        return PyJson.dumps(value, indentText, itemSeparator, keySeparator, PyValues.truthy(a.optional(3, "sort_keys", false)),
                PyValues.truthy(a.optional(0, "ensure_ascii", false)));
    }

    private static List<Object> batch(Object value, long size, Object fill) {
        if (size <= 0) {
            throw new PyException("ValueError", "batch size must be positive");
        }
        List<Object> out = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object item : PyValues.iterate(value)) {
            current.add(item);
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            if (fill != PyValues.MISSING) {
                while (current.size() < size) {
                    current.add(fill);
                }
            }
            out.add(current);
        }
        return out;
    }

    private static Object sortKey(Object value, boolean caseSensitive) {
        return !caseSensitive && value instanceof String s ? PyStrings.lower(s) : value;
    }

    private static List<Object> dictsort(Object value, Arguments a) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new PyException("TypeError", "dictsort needs a mapping");
        }
        boolean caseSensitive = PyValues.truthy(a.optional(0, "case_sensitive", false));
        String by = PyValues.str(a.optional(1, "by", "key"));
        boolean reverse = PyValues.truthy(a.optional(2, "reverse", false));
        int position = switch (by) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new PyException("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
        };
        List<Object> items = new ArrayList<>();
        m.forEach((k, v) -> items.add(new Tuple(Arrays.asList(k, v))));
        Comparator<Object> order = (x, y) -> PyValues.compare(sortKey(((Tuple) x).items().get(position), caseSensitive),
                sortKey(((Tuple) y).items().get(position), caseSensitive), "<");
        items.sort(reverse ? order.reversed() : order);
        return items;
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&#34;");
    }

    private static Object toFloat(Object value, Object fallback) {
        return switch (value) {
            case Double d -> d;
            case Long l -> (double) l;
            case Boolean b -> b ? 1.0 : 0.0;
            case String s -> {
                try {
                    yield Double.parseDouble(s.strip());
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            default -> fallback;
        };
    }

    private static Object toInt(Object value, Object fallback, int base) {
        return switch (value) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> (long) (double) d;
            case String s -> {
                String t = s.strip().replace("_", "");
                try {
                    yield Long.parseLong(t, base);
                } catch (NumberFormatException e) {
                    try {
                        yield (long) Double.parseDouble(t);
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            default -> fallback;
        };
    }

    /** jinja2's indent: lines after the first (the first too if asked) get the prefix; empty lines only if asked. */
    private static String indent(String s, Object width, boolean first, boolean blank) {
        String prefix = width instanceof String w ? w : " ".repeat((int) PyValues.asLong(width));
        // jinja2 appends a newline before splitting so that a trailing newline does not add a line.
        List<Object> lines = PyMethods.splitLines(s + "\n", false);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = (String) lines.get(i);
            if (i > 0) {
                out.append('\n');
                if (blank || !line.isEmpty()) {
                    out.append(prefix);
                }
            }
            out.append(line);
        }
        return first ? prefix + out : out.toString();
    }

    private static List<Object> map(Object value, List<Object> args, Map<String, Object> kwargs) {
        List<Object> out = new ArrayList<>();
        if (kwargs.containsKey("attribute") || args.isEmpty()) {
            Object attribute = kwargs.get("attribute");
            Object fallback = kwargs.getOrDefault("default", PyValues.MISSING);
            for (Object item : PyValues.iterate(value)) {
                Object v = lookup(item, attribute);
                out.add(v instanceof Undefined && fallback != PyValues.MISSING ? fallback : v);
            }
            return out;
        }
        String filter = PyValues.str(args.getFirst());
        if (!exists(filter)) {
            throw new PyException("TemplateRuntimeError", "no filter named " + PyStrings.repr(filter));
        }
        List<Object> rest = args.subList(1, args.size());
        for (Object item : PyValues.iterate(value)) {
            out.add(apply(filter, item, rest, kwargs));
        }
        return out;
    }

    private static List<Object> selectByTest(Object value, List<Object> args, boolean keep) {
        List<Object> out = new ArrayList<>();
        String test = args.isEmpty() ? null : PyValues.str(args.getFirst());
        List<Object> testArgs = args.isEmpty() ? List.of() : args.subList(1, args.size());
        for (Object item : PyValues.iterate(value)) {
            boolean passes = test == null ? PyValues.truthy(item) : JinjaTests.apply(test, item, testArgs);
            if (passes == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static List<Object> selectByAttribute(Object value, List<Object> args, boolean keep) {
        if (args.isEmpty()) {
            throw new PyException("FilterArgumentError", "Missing parameter for attribute name");
        }
        Object attribute = args.getFirst();
        String test = args.size() > 1 ? PyValues.str(args.get(1)) : null;
        List<Object> testArgs = args.size() > 2 ? args.subList(2, args.size()) : List.of();
        List<Object> out = new ArrayList<>();
        for (Object item : PyValues.iterate(value)) {
            Object v = lookup(item, attribute);
            boolean passes = test == null ? PyValues.truthy(v) : JinjaTests.apply(test, v, testArgs);
            if (passes == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object extreme(Object value, Arguments a, boolean max) {
        boolean caseSensitive = PyValues.truthy(a.optional(0, "case_sensitive", false));
        Object attribute = a.optional(1, "attribute", null);
        Object best = null;
        Object bestKey = null;
        for (Object item : PyValues.iterate(value)) {
            Object key = sortKey(attribute == null ? item : lookup(item, attribute), caseSensitive);
            if (bestKey == null || (max ? PyValues.compare(key, bestKey, ">") > 0 : PyValues.compare(key, bestKey, "<") < 0)) {
                best = item;
                bestKey = key;
            }
        }
        return bestKey == null ? new Undefined("No aggregated item, sequence was empty.", "UndefinedError") : best;
    }

    /** jinja2's round: "common" is Python's round() (half to even on the exact value), else math.ceil/floor. */
    private static Object round(Object value, int precision, String method) {
        if (!PyValues.isNumber(value)) {
            throw new PyException("TypeError", "type " + PyValues.typeName(value) + " doesn't define __round__ method");
        }
        double d = PyValues.asDouble(value);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return d;
        }
        return switch (method) {
            case "common" -> PyValues.isInteger(value) && precision >= 0 ? (Object) PyValues.asLong(value)
                    : new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
            case "ceil" -> Math.ceil(d * Math.pow(10, precision)) / Math.pow(10, precision);
            case "floor" -> Math.floor(d * Math.pow(10, precision)) / Math.pow(10, precision);
            default -> throw new PyException("FilterArgumentError", "method must be common, ceil or floor");
        };
    }

    private static List<Object> sort(Object value, boolean reverse, boolean caseSensitive, Object attribute) {
        List<Object> items = PyValues.iterate(value);
        Comparator<Object> order = (x, y) -> PyValues.compare(sortKey(attribute == null ? x : lookup(x, attribute), caseSensitive),
                sortKey(attribute == null ? y : lookup(y, attribute), caseSensitive), "<");
        items.sort(reverse ? order.reversed() : order);
        return items;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        var matcher = WORD_BEGINNING.matcher(s);
        int last = 0;
        List<String> parts = new ArrayList<>();
        while (matcher.find()) {
            parts.add(s.substring(last, matcher.start()));
            parts.add(matcher.group());
            last = matcher.end();
        }
        parts.add(s.substring(last));
        for (String part : parts) {
            if (!part.isEmpty()) {
                int first = part.codePointAt(0);
                out.append(PyStrings.upper(Character.toString(first)))
                        .append(PyStrings.lower(part.substring(Character.charCount(first))));
            }
        }
        return out.toString();
    }

    private static String truncate(String s, int length, boolean killWords, String end, int leeway) {
        if (PyStrings.length(s) <= length + leeway) {
            return s;
        }
        int cut = s.offsetByCodePoints(0, Math.max(0, length - PyStrings.length(end)));
        if (killWords) {
            return s.substring(0, cut) + end;
        }
        String head = s.substring(0, cut);
        int space = head.lastIndexOf(' ');
        return (space >= 0 ? head.substring(0, space) : head) + end;
    }

    private static List<Object> unique(Object value, boolean caseSensitive, Object attribute) {
        List<Object> out = new ArrayList<>();
        List<Object> seen = new ArrayList<>();
        for (Object item : PyValues.iterate(value)) {
            Object key = sortKey(attribute == null ? item : lookup(item, attribute), caseSensitive);
            if (seen.stream().noneMatch(k -> PyValues.eq(k, key))) {
                seen.add(key);
                out.add(item);
            }
        }
        return out;
    }
}
