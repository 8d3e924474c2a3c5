package dev.jvlm.text;

import java.nio.charset.StandardCharsets;

/**
 * A minimal JSON reader over UTF-8 bytes for the bulk of tokenizer.json: hundreds of thousands of
 * vocabulary entries and merges. It reads strings and numbers straight from the bytes (ASCII
 * strings without escapes, most of them, need no decoding) and can skip any value to hand its bytes
 * to a general JSON parser. A cold JVM reads Gemma 3's 33 MB this way in a fraction of the time
 * a general streaming parser takes.
 */
final class JsonScanner {

    private final byte[] bytes;
    private final String name;
    private int pos;

    JsonScanner(byte[] bytes, String name) {
        this.bytes = bytes;
        this.name = name;
    }

    int position() {
        return pos;
    }

    byte[] bytes() {
        return bytes;
    }

    TokenizerException error(String message) {
        return new TokenizerException(name + ": not valid JSON: " + message + " at byte " + pos);
    }

    /** The next non-whitespace byte, without consuming it; -1 at the end. */
    int peek() {
        while (pos < bytes.length) {
            byte b = bytes[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b;
            }
            pos++;
        }
        return -1;
    }

    void expect(char c) {
        int next = peek();
        if (next != c) {
            throw error(next == -1 ? "unexpected end of file" : "expected '" + c + "'");
        }
        pos++;
    }

    /** Consumes {@code c} if it is next. */
    boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** After an element of an object or array: true if another follows (a comma), false at {@code close}. */
    boolean more(char close) {
        int c = peek();
        if (c == ',') {
            pos++;
            return true;
        }
        if (c == close) {
            pos++;
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    /**
     * The byte range {@code start << 32 | end} of the next string's content, consumed, if it has no
     * escapes; otherwise -1 with nothing consumed (read it with {@link #readString}).
     */
    long readStringRange() {
        expect('"');
        int start = pos;
        while (pos < bytes.length) {
            byte b = bytes[pos];
            if (b == '"') {
                pos++;
                return ((long) start << 32) | (pos - 1);
            }
            if (b == '\\') {
                pos = start - 1;
                return -1;
            }
            pos++;
        }
        throw error("unterminated string");
    }

    String readString() {
        expect('"');
        int start = pos;
        boolean ascii = true;
        while (pos < bytes.length) {
            byte b = bytes[pos];
            if (b == '"') {
                String s = new String(bytes, start, pos - start, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
                pos++;
                return s;
            }
            if (b == '\\') {
                return readEscapedString(start);
            }
            if (b < 0) {
                ascii = false;
            }
            pos++;
        }
        throw error("unterminated string");
    }

    private String readEscapedString(int start) {
        StringBuilder out = new StringBuilder(new String(bytes, start, pos - start, StandardCharsets.UTF_8));
        int runStart = pos;
        while (pos < bytes.length) {
            byte b = bytes[pos];
            if (b == '"') {
                out.append(new String(bytes, runStart, pos - runStart, StandardCharsets.UTF_8));
                pos++;
                return out.toString();
            }
            if (b != '\\') {
                pos++;
                continue;
            }
            out.append(new String(bytes, runStart, pos - runStart, StandardCharsets.UTF_8));
            if (pos + 1 >= bytes.length) {
                throw error("unterminated string");
            }
            byte e = bytes[pos + 1];
            pos += 2;
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > bytes.length) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(new String(bytes, pos, 4, StandardCharsets.ISO_8859_1), 16));
                    } catch (NumberFormatException ex) {
                        throw error("invalid \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("invalid escape \\" + (char) e);
            }
            runStart = pos;
        }
        throw error("unterminated string");
    }

    int readInt() {
        peek();
        int start = pos;
        long value = 0;
        boolean negative = pos < bytes.length && bytes[pos] == '-';
        if (negative) {
            pos++;
        }
        while (pos < bytes.length && bytes[pos] >= '0' && bytes[pos] <= '9') {
            value = value * 10 + (bytes[pos] - '0');
            if (value > Integer.MAX_VALUE + 1L) {
                throw error("integer too large");
            }
            pos++;
        }
        if (pos == start + (negative ? 1 : 0) || (pos < bytes.length && (bytes[pos] == '.' || bytes[pos] == 'e' || bytes[pos] == 'E'))) {
            throw error("expected an integer");
        }
        return (int) (negative ? -value : value);
    }

    double readDouble() {
        peek();
        int start = pos;
        while (pos < bytes.length && "+-0123456789.eE".indexOf(bytes[pos]) >= 0) {
            pos++;
        }
        try {
            return Double.parseDouble(new String(bytes, start, pos - start, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException e) {
            throw error("expected a number");
        }
    }

    /** Skips one value of any kind and returns where it started. */
    int skipValue() {
        int c = peek();
        int start = pos;
        switch (c) {
            case '"' -> readString();
            case '{', '[' -> {
                int depth = 0;
                while (pos < bytes.length) {
                    byte b = bytes[pos];
                    if (b == '"') {
                        readString();
                        continue;
                    }
                    if (b == '{' || b == '[') {
                        depth++;
                    } else if (b == '}' || b == ']') {
                        depth--;
                        if (depth == 0) {
                            pos++;
                            return start;
                        }
                    }
                    pos++;
                }
                throw error("unterminated " + (c == '{' ? "object" : "array"));
            }
            case -1 -> throw error("unexpected end");
            default -> {
                while (pos < bytes.length && ",}] \n\r\t".indexOf(bytes[pos]) < 0) {
                    pos++;
                }
            }
        }
        return start;
    }
}
