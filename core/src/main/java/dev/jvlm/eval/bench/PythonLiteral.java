package dev.jvlm.eval.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the Python list literals that benchmark files store in text cells: VLMEvalKit TSVs hold
 * answer lists and multi-image columns as {@code str(list)} and read them back with {@code eval};
 * MMMU's Hugging Face {@code options} column is read with {@code ast.literal_eval}. Only lists of
 * string and number literals are understood (a tuple such as {@code "(1)"} is not a list to those
 * readers either); numbers keep the text they are written with, which is what {@code str()} of a
 * simple int or float gives back.
 */
final class PythonLiteral {
    private final String text;
    private int at;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** The strings of a list literal, or empty when {@code text} is not one. */
    static Optional<List<String>> stringList(String text) {
        String s = text.strip();
        if (s.length() < 2 || !s.startsWith("[") || !s.endsWith("]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PythonLiteral(s).list());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private List<String> list() {
        at = 1;
        List<String> values = new ArrayList<>();
        skipSpace();
        while (peek() != ']') {
            values.add(value());
            skipSpace();
            if (peek() == ',') {
                at++;
                skipSpace();
            } else if (peek() != ']') {
                throw new IllegalArgumentException("expected ',' or ']' at " + at);
            }
        }
        if (at != text.length() - 1) {
            throw new IllegalArgumentException("text after the list");
        }
        return values;
    }

    private String value() {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string(c);
        }
        int start = at;
        while (at < text.length() && "+-.0123456789eE_".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        if (at == start) {
            throw new IllegalArgumentException("not a string or number literal at " + start);
        }
        return text.substring(start, at);
    }

    private String string(char quote) {
        at++;
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == quote) {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> out.appendCodePoint(hex(8));
                case '\\', '\'', '"' -> out.append(e);
                case '\n' -> {
                    // A backslash-newline continues the literal on the next line.
                }
                default -> out.append('\\').append(e);
            }
        }
    }

    private int hex(int digits) {
        if (at + digits > text.length()) {
            throw new IllegalArgumentException("truncated escape");
        }
        int value = Integer.parseUnsignedInt(text.substring(at, at + digits), 16);
        at += digits;
        return value;
    }

    private char next() {
        if (at >= text.length()) {
            throw new IllegalArgumentException("unterminated string");
        }
        return text.charAt(at++);
    }

    private char peek() {
        if (at >= text.length()) {
            throw new IllegalArgumentException("unexpected end");
        }
        return text.charAt(at);
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }
}
