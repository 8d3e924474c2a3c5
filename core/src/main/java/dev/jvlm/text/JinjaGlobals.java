package dev.jvlm.text;

import dev.jvlm.text.PyValues.Function;
import dev.jvlm.text.PyValues.Namespace;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Functions a chat template can call: jinja2's {@code range}, {@code namespace}, {@code dict} and
 * the two transformers adds, {@code raise_exception} and {@code strftime_now}.
 */
final class JinjaGlobals {

    private JinjaGlobals() {
    }

    static void install(BiConsumer<String, Object> define) {
        define.accept("range", (Function) JinjaGlobals::range);
        define.accept("namespace", (Function) (args, kwargs) -> {
            Namespace ns = new Namespace();
            for (Object arg : args) {
                if (arg instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> ns.attributes.put(PyValues.str(k), v));
                }
            }
            ns.attributes.putAll(kwargs);
            return ns;
        });
        define.accept("dict", (Function) (args, kwargs) -> {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Object arg : args) {
                if (arg instanceof Map<?, ?> m) {
                    out.putAll(m);
                }
            }
            out.putAll(kwargs);
            return out;
        });
        define.accept("raise_exception", (Function) (args, kwargs) -> {
            throw new PyException("TemplateError", args.isEmpty() ? "" : PyValues.str(args.getFirst()));
        });
        define.accept("strftime_now", (Function) (args, kwargs) -> {
            if (args.isEmpty() || !(args.getFirst() instanceof String format)) {
                throw new PyException("TypeError", "strftime_now() needs a format string");
            }
            return strftime(ZonedDateTime.now(), format);
        });
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        for (Object a : args) {
            if (!PyValues.isInteger(a)) {
                throw new PyException("TypeError", "'" + PyValues.typeName(a) + "' object cannot be interpreted as an integer");
            }
        }
        long start = 0;
        long stop;
        long step = 1;
        switch (args.size()) {
            case 1 -> stop = PyValues.asLong(args.get(0));
            case 2, 3 -> {
                start = PyValues.asLong(args.get(0));
                stop = PyValues.asLong(args.get(1));
                if (args.size() == 3) {
                    step = PyValues.asLong(args.get(2));
                }
            }
            default -> throw new PyException("TypeError", "range expected 1 to 3 arguments, got " + args.size());
        }
        if (step == 0) {
            throw new PyException("ValueError", "range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
            if (out.size() > 10_000_000) {
                throw new PyException("OverflowError", "range too big to iterate in a template");
            }
        }
        return out;
    }

    /** Python's {@code strftime} for the directives templates use (C locale names). */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            out.append(switch (d) {
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'd' -> String.format("%02d", t.getDayOfMonth());
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'H' -> String.format("%02d", t.getHour());
                case 'I' -> String.format("%02d", (t.getHour() + 11) % 12 + 1);
                case 'j' -> String.format("%03d", t.getDayOfYear());
                case 'm' -> String.format("%02d", t.getMonthValue());
                case 'M' -> String.format("%02d", t.getMinute());
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'S' -> String.format("%02d", t.getSecond());
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'y' -> String.format("%02d", t.getYear() % 100);
                case 'Y' -> Integer.toString(t.getYear());
                case 'z' -> t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", "");
                case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'F' -> String.format("%d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
                case 'T' -> String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
                case '%' -> "%";
                default -> throw new PyException("ValueError", "strftime directive %" + d + " is not supported");
            });
        }
        return out.toString();
    }
}
