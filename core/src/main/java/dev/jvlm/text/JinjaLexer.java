package dev.jvlm.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a Jinja template into text and tag tokens the way Python's jinja2 lexer does with the
 * settings transformers uses for chat templates: {@code trim_blocks} (the newline right after a
 * block or comment tag is dropped), {@code lstrip_blocks} (spaces and tabs before a block or
 * comment tag on its own line are dropped), {@code -} and {@code +} whitespace control, and no
 * {@code keep_trailing_newline} (one final newline of the template is dropped).
 */
final class JinjaLexer {

    enum Kind {
        TEXT, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    /** One token; {@code text} is the data, name, decoded string literal, number or operator. */
    record Token(Kind kind, String text, int line) {
        boolean is(Kind k, String value) {
            return kind == k && text.equals(value);
        }

        boolean isOperator(String op) {
            return is(Kind.OPERATOR, op);
        }

        boolean isName(String name) {
            return is(Kind.NAME, name);
        }
    }

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
        "<", ">", "=", ".", ":", "|", ",", ";"
    };

    private final String source;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the position right after the previous tag is at the start of a line (jinja2's line_starting). */
    private boolean lineStarting = true;

    private JinjaLexer(String source) {
        this.source = source;
    }

    static List<Token> tokenize(String template) {
        JinjaLexer lexer = new JinjaLexer(normalizeNewlines(template));
        lexer.run();
        return lexer.tokens;
    }

    /** jinja2 turns every \r\n, \r and \n into \n and drops one trailing newline. */
    private static String normalizeNewlines(String template) {
        String s = template.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private void run() {
        while (pos < source.length()) {
            int tag = nextTagStart(pos);
            String text = source.substring(pos, tag < 0 ? source.length() : tag);
            if (tag < 0) {
                emitText(text);
                pos = source.length();
                break;
            }
            char kind = source.charAt(tag + 1);
            char sign = tag + 2 < source.length() ? source.charAt(tag + 2) : 0;
            if (sign == '-') {
                text = PyStrings.rstripWhitespace(text);
            } else if (sign != '+' && kind != '{') {
                text = lstripBlock(text);
            }
            emitText(text);
            line += countNewlines(source, pos, tag);
            pos = tag + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            switch (kind) {
                case '#' -> comment();
                case '%' -> {
                    if (!rawBlock(sign)) {
                        tokens.add(new Token(Kind.BLOCK_BEGIN, "{%", line));
                        expression(true);
                    }
                }
                default -> {
                    tokens.add(new Token(Kind.VARIABLE_BEGIN, "{{", line));
                    expression(false);
                }
            }
        }
        tokens.add(new Token(Kind.EOF, "", line));
    }

    private void emitText(String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, text, line));
        }
    }

    /**
     * lstrip_blocks: drop the spaces between the start of the line and a block or comment tag, when
     * only whitespace precedes the tag on its line.
     */
    private String lstripBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting) {
            return text;
        }
        if (lineStart < text.length() && PyStrings.isAllWhitespace(text, lineStart)) {
            return text.substring(0, lineStart);
        }
        return text;
    }

    private int nextTagStart(int from) {
        int i = source.indexOf('{', from);
        while (i >= 0 && i + 1 < source.length()) {
            char c = source.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = source.indexOf('{', i + 1);
        }
        return -1;
    }

    private static int countNewlines(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private void comment() {
        int end = source.indexOf("#}", pos);
        if (end < 0) {
            throw new ChatTemplateException(line, "unclosed comment");
        }
        boolean strip = end > pos && source.charAt(end - 1) == '-';
        boolean keep = end > pos && source.charAt(end - 1) == '+';
        line += countNewlines(source, pos, end);
        pos = end + 2;
        afterTagEnd(strip, keep, true);
    }

    /** Handles what follows a tag end: {@code -} strips following whitespace, else trim_blocks eats one newline. */
    private void afterTagEnd(boolean strip, boolean keep, boolean isBlock) {
        if (strip) {
            int end = pos;
            while (end < source.length() && PyStrings.isWhitespace(source.charAt(end))) {
                end++;
            }
            lineStarting = end > pos ? source.charAt(end - 1) == '\n' : false;
            line += countNewlines(source, pos, end);
            pos = end;
            return;
        }
        if (isBlock && !keep && pos < source.length() && source.charAt(pos) == '\n') {
            pos++;
            line++;
            lineStarting = true;
            return;
        }
        lineStarting = false;
    }

    /** {@code {% raw %}...{% endraw %}}: the content is text, tags inside are not interpreted. */
    private boolean rawBlock(char openSign) {
        int i = pos;
        while (i < source.length() && PyStrings.isWhitespace(source.charAt(i))) {
            i++;
        }
        if (!source.startsWith("raw", i)) {
            return false;
        }
        int j = i + 3;
        while (j < source.length() && PyStrings.isWhitespace(source.charAt(j))) {
            j++;
        }
        boolean stripAfterOpen = source.startsWith("-%}", j);
        if (!stripAfterOpen && !source.startsWith("%}", j) && !source.startsWith("+%}", j)) {
            return false;
        }
        int contentStart = j + (source.charAt(j) == '%' ? 2 : 3);
        int close = contentStart;
        while (true) {
            close = source.indexOf("{%", close);
            if (close < 0) {
                throw new ChatTemplateException(line, "missing endraw for raw block");
            }
            int k = close + 2;
            char closeSign = k < source.length() ? source.charAt(k) : 0;
            if (closeSign == '-' || closeSign == '+') {
                k++;
            }
            while (k < source.length() && PyStrings.isWhitespace(source.charAt(k))) {
                k++;
            }
            if (source.startsWith("endraw", k)) {
                int e = k + 6;
                while (e < source.length() && PyStrings.isWhitespace(source.charAt(e))) {
                    e++;
                }
                boolean stripAfterClose = source.startsWith("-%}", e);
                boolean keepAfterClose = source.startsWith("+%}", e);
                if (stripAfterClose || keepAfterClose || source.startsWith("%}", e)) {
                    String content = source.substring(contentStart, close);
                    if (stripAfterOpen) {
                        content = PyStrings.lstripWhitespace(content);
                    }
                    if (closeSign == '-') {
                        content = PyStrings.rstripWhitespace(content);
                    }
                    emitText(content);
                    line += countNewlines(source, pos, e);
                    pos = e + (stripAfterClose || keepAfterClose ? 3 : 2);
                    afterTagEnd(stripAfterClose, keepAfterClose, true);
                    return true;
                }
            }
            close += 2;
        }
    }

    /** Tokens of an expression or statement up to its closing tag. */
    private void expression(boolean block) {
        Deque<Character> brackets = new ArrayDeque<>();
        while (true) {
            while (pos < source.length() && PyStrings.isWhitespace(source.charAt(pos))) {
                if (source.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
            if (pos >= source.length()) {
                throw new ChatTemplateException(line, "unexpected end of template, expected '" + (block ? "%}" : "}}") + "'");
            }
            if (brackets.isEmpty() && closesTag(block)) {
                return;
            }
            char c = source.charAt(pos);
            if (c == '\'' || c == '"') {
                tokens.add(new Token(Kind.STRING, stringLiteral(c), line));
            } else if (Character.isDigit(c)) {
                number();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < source.length() && (Character.isLetterOrDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Kind.NAME, source.substring(start, pos), line));
            } else {
                String op = operatorAt(pos);
                if (op == null) {
                    throw new ChatTemplateException(line, "unexpected character '" + c + "'");
                }
                switch (op) {
                    case "(", "[", "{" -> brackets.push(op.charAt(0));
                    case ")", "]", "}" -> {
                        char open = op.equals(")") ? '(' : op.equals("]") ? '[' : '{';
                        if (brackets.isEmpty() || brackets.pop() != open) {
                            throw new ChatTemplateException(line, "unexpected '" + op + "'");
                        }
                    }
                    default -> {
                    }
                }
                tokens.add(new Token(Kind.OPERATOR, op, line));
                pos += op.length();
            }
        }
    }

    /** At a tag end: records it and applies whitespace control. */
    private boolean closesTag(boolean block) {
        String end = block ? "%}" : "}}";
        boolean strip = source.startsWith("-" + end, pos);
        boolean keep = block && source.startsWith("+" + end, pos);
        if (!strip && !keep && !source.startsWith(end, pos)) {
            return false;
        }
        tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VARIABLE_END, end, line));
        pos += end.length() + (strip || keep ? 1 : 0);
        afterTagEnd(strip, keep, block);
        return true;
    }

    private String operatorAt(int at) {
        for (String op : OPERATORS) {
            if (source.startsWith(op, at)) {
                return op;
            }
        }
        return null;
    }

    private void number() {
        int start = pos;
        while (pos < source.length() && (Character.isDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
            pos++;
        }
        boolean isFloat = false;
        if (pos + 1 < source.length() && source.charAt(pos) == '.' && Character.isDigit(source.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < source.length() && (Character.isDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
                pos++;
            }
        }
        if (pos < source.length() && (source.charAt(pos) == 'e' || source.charAt(pos) == 'E')) {
            int e = pos + 1;
            if (e < source.length() && (source.charAt(e) == '+' || source.charAt(e) == '-')) {
                e++;
            }
            if (e < source.length() && Character.isDigit(source.charAt(e))) {
                isFloat = true;
                pos = e;
                while (pos < source.length() && Character.isDigit(source.charAt(pos))) {
                    pos++;
                }
            }
        }
        String text = source.substring(start, pos).replace("_", "");
        tokens.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, text, line));
    }

    /** A quoted literal with Python escape sequences decoded (jinja2 uses Python's unicode-escape). */
    private String stringLiteral(char quote) {
        int startLine = line;
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= source.length()) {
                throw new ChatTemplateException(startLine, "unterminated string literal");
            }
            char c = source.charAt(pos);
            if (c == quote) {
                pos++;
                return out.toString();
            }
            if (c == '\n') {
                line++;
            }
            if (c != '\\' || pos + 1 >= source.length()) {
                out.append(c);
                pos++;
                continue;
            }
            char e = source.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000B');
                case '\n' -> line++;
                case 'x' -> out.appendCodePoint(hexEscape(2, startLine));
                case 'u' -> out.appendCodePoint(hexEscape(4, startLine));
                case 'U' -> out.appendCodePoint(hexEscape(8, startLine));
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int value = e - '0';
                    for (int k = 0; k < 2 && pos < source.length() && source.charAt(pos) >= '0' && source.charAt(pos) <= '7'; k++) {
                        value = value * 8 + (source.charAt(pos++) - '0');
                    }
                    out.appendCodePoint(value);
                }
                default -> out.append('\\').append(e);
            }
        }
    }

    private int hexEscape(int digits, int startLine) {
        if (pos + digits > source.length()) {
            throw new ChatTemplateException(startLine, "truncated \\x, \\u or \\U escape in string literal");
        }
        try {
            int value = Integer.parseUnsignedInt(source.substring(pos, pos + digits), 16);
            pos += digits;
            return value;
        } catch (NumberFormatException ex) {
            throw new ChatTemplateException(startLine, "invalid escape in string literal: " + source.substring(pos - 2, pos + digits));
        }
    }
}
