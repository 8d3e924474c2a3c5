package dev.jvlm.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} behaviour that chat templates rely on. Python strings are sequences of code
 * points and its notion of whitespace ({@code str.isspace}) is wider than Java's.
 */
final class PyStrings {

    private PyStrings() {
    }

    /** Python {@code str.isspace} for one code point. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    static boolean isAllWhitespace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String lstripWhitespace(String s) {
        int i = 0;
        while (i < s.length() && isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    static String rstripWhitespace(String s) {
        int i = s.length();
        while (i > 0 && isWhitespace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    /** {@code str.strip/lstrip/rstrip(chars)}; {@code chars == null} means whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end) {
                int cp = s.codePointAt(start);
                if (!stripped(cp, chars)) {
                    break;
                }
                start += Character.charCount(cp);
            }
        }
        if (right) {
            while (end > start) {
                int cp = s.codePointBefore(end);
                if (!stripped(cp, chars)) {
                    break;
                }
                end -= Character.charCount(cp);
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isWhitespace(cp) : chars.indexOf(Character.toString(cp)) >= 0;
    }

    /** {@code str.split(sep, maxsplit)}; {@code sep == null} splits on whitespace runs and drops empty parts. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(rstripWhitespace(s.substring(i)));
                    break;
                }
                int start = i;
                while (i < n && !isWhitespace(s.charAt(i))) {
                    i++;
                }
                out.add(s.substring(start, i));
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new PyException("ValueError", "empty separator");
        }
        int start = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, start)) >= 0) {
            out.add(s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code str.rsplit(sep, maxsplit)}. */
    static List<String> rsplit(String s, String sep, int maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, -1);
        }
        List<String> reversed = new ArrayList<>();
        if (sep == null) {
            int i = s.length();
            while (true) {
                while (i > 0 && isWhitespace(s.charAt(i - 1))) {
                    i--;
                }
                if (i <= 0) {
                    break;
                }
                if (reversed.size() == maxSplit) {
                    reversed.add(lstripWhitespace(s.substring(0, i)));
                    break;
                }
                int end = i;
                while (i > 0 && !isWhitespace(s.charAt(i - 1))) {
                    i--;
                }
                reversed.add(s.substring(i, end));
            }
        } else {
            if (sep.isEmpty()) {
                throw new PyException("ValueError", "empty separator");
            }
            int end = s.length();
            int at;
            while (reversed.size() < maxSplit && (at = s.lastIndexOf(sep, end - sep.length())) >= 0) {
                reversed.add(s.substring(at + sep.length(), end));
                end = at;
            }
            reversed.add(s.substring(0, end));
        }
        return reversed.reversed();
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code str.title()}: a cased character after an uncased one is titlecased, other cased characters lowercased. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isCased(cp)) {
                out.append(previousCased ? lower(Character.toString(cp)) : titlecase(cp));
                previousCased = true;
            } else {
                out.appendCodePoint(cp);
                previousCased = false;
            }
        }
        return out.toString();
    }

    /** {@code str.capitalize()}: first character titlecased, the rest lowercased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return titlecase(first) + lower(s.substring(Character.charCount(first)));
    }

    private static String titlecase(int cp) {
        int title = Character.toTitleCase(cp);
        if (title != cp || !Character.isLowerCase(cp)) {
            return Character.toString(title);
        }
        return upper(Character.toString(cp));
    }

    private static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    /** Python {@code repr(str)}: single quotes unless the text has ' and no ", escapes for unprintable characters. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xFF) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xFFFF) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        }
        return out.append(quote).toString();
    }

    /** Python {@code str.isprintable} for one code point: not in categories C* or Z* other than the space. */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Code points of a string, for Python-style indexing, slicing and length. */
    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
