package dev.jvlm.text;

import dev.jvlm.text.PyValues.Tuple;
import dev.jvlm.text.PyValues.Undefined;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, which transformers' {@code tojson} template filter calls with
 * {@code ensure_ascii=False}: ", " and ": " separators (or "," and ": " with an indent), keys in
 * insertion order, floats as Python's repr.
 */
final class PyJson {

    private PyJson() {
    }

    static String dumps(Object value, String indent, String itemSeparator, String keySeparator, boolean sortKeys,
                        boolean ensureAscii) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, itemSeparator, keySeparator, sortKeys, ensureAscii, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, String indent, String itemSeparator, String keySeparator,
                              boolean sortKeys, boolean ensureAscii, int level) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : PyValues.floatRepr(d));
            case String s -> string(out, s, ensureAscii);
            case List<?> list -> array(out, list, indent, itemSeparator, keySeparator, sortKeys, ensureAscii, level);
            case Tuple t -> array(out, t.items(), indent, itemSeparator, keySeparator, sortKeys, ensureAscii, level);
            case Map<?, ?> map -> object(out, map, indent, itemSeparator, keySeparator, sortKeys, ensureAscii, level);
            case Undefined _ -> throw new PyException("TypeError", "Object of type Undefined is not JSON serializable");
            default -> throw new PyException("TypeError", "Object of type " + PyValues.typeName(value) + " is not JSON serializable");
        }
    }

    private static void newline(StringBuilder out, String indent, int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private static void array(StringBuilder out, List<?> list, String indent, String itemSeparator, String keySeparator,
                              boolean sortKeys, boolean ensureAscii, int level) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(itemSeparator);
            }
            newline(out, indent, level + 1);
            write(out, list.get(i), indent, itemSeparator, keySeparator, sortKeys, ensureAscii, level + 1);
        }
        newline(out, indent, level);
        out.append(']');
    }

    private static void object(StringBuilder out, Map<?, ?> map, String indent, String itemSeparator, String keySeparator,
                               boolean sortKeys, boolean ensureAscii, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((a, b) -> PyValues.compare(a.getKey(), b.getKey(), "<"));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            if (!first) {
                out.append(itemSeparator);
            }
            first = false;
            newline(out, indent, level + 1);
            string(out, key(e.getKey()), ensureAscii);
            out.append(keySeparator);
            write(out, e.getValue(), indent, itemSeparator, keySeparator, sortKeys, ensureAscii, level + 1);
        }
        newline(out, indent, level);
        out.append('}');
    }

    /** Python converts int, float, bool and None keys to strings; anything else is a TypeError. */
    private static String key(Object key) {
        return switch (key) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> PyValues.floatRepr(d);
            default -> throw new PyException("TypeError", "keys must be str, int, float, bool or None, not " + PyValues.typeName(key));
        };
    }

    private static void string(StringBuilder out, String s, boolean ensureAscii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7E)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
