package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What Split pre-tokenizers and Replace normalizers/decoders look for: a literal string or a regex. */
sealed interface TextPattern {

    /** Leftmost non-overlapping occurrences of a literal string. */
    record Literal(String text) implements TextPattern {
    }

    /**
     * A tokenizer.json regex. Tokenizers runs these with Oniguruma (Ruby syntax, Unicode-aware
     * {@code \s \w \d} and case folding); {@link #compile} gives java.util.regex the same meaning.
     */
    record Regex(String source, Pattern compiled) implements TextPattern {
    }

    /** Parses {@code {"String": "..."}} or {@code {"Regex": "..."}}. */
    static TextPattern fromJson(JsonNode node, String where) {
        if (node != null && node.has("String")) {
            return new Literal(node.get("String").asText());
        }
        if (node != null && node.has("Regex")) {
            String source = node.get("Regex").asText();
            return new Regex(source, compile(source, where));
        }
        throw new TokenizerException(where + ": pattern must be {\"String\": ...} or {\"Regex\": ...}, got " + node);
    }

    /**
     * Compiles an Oniguruma pattern for java.util.regex. Under Oniguruma's Unicode encoding
     * {@code \s} is White_Space, {@code \w}/{@code \d} are Unicode classes and {@code (?i)} folds
     * Unicode case; Java needs flags for each. {@code \h} is a hex digit in Oniguruma but horizontal
     * space in Java, and script names such as {@code \p{Han}} need Java's {@code Is} prefix.
     */
    static Pattern compile(String source, String where) {
        String translated = translate(source, where);
        try {
            return Pattern.compile(translated, Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNICODE_CASE);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(where + ": regex " + quote(source) + " is not supported: " + e.getDescription(), e);
        }
    }

    private static String translate(String source, String where) {
        StringBuilder out = new StringBuilder(source.length() + 16);
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c != '\\' || i + 1 >= source.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = source.charAt(i + 1);
            switch (next) {
                case 'h' -> {
                    out.append("[0-9a-fA-F]");
                    i += 2;
                }
                case 'H' -> {
                    out.append("[^0-9a-fA-F]");
                    i += 2;
                }
                case 'p', 'P' -> {
                    int close = source.indexOf('}', i);
                    if (i + 2 >= source.length() || source.charAt(i + 2) != '{' || close < 0) {
                        out.append(c).append(next);
                        i += 2;
                        continue;
                    }
                    String name = source.substring(i + 3, close);
                    boolean negated = next == 'P';
                    if (name.startsWith("^")) {
                        negated = !negated;
                        name = name.substring(1);
                    }
                    out.append('\\').append(negated ? 'P' : 'p').append('{').append(javaPropertyName(name, source, where)).append('}');
                    i = close + 1;
                }
                default -> {
                    out.append(c).append(next);
                    i += 2;
                }
            }
        }
        return out.toString();
    }

    private static String javaPropertyName(String name, String source, String where) {
        for (String candidate : new String[] {name, "Is" + name}) {
            try {
                Pattern.compile("\\p{" + candidate + "}", Pattern.UNICODE_CHARACTER_CLASS);
                return candidate;
            } catch (PatternSyntaxException _) {
                // try the next spelling
            }
        }
        throw new TokenizerException(where + ": regex " + quote(source) + " uses property \\p{" + name + "}, which is not supported");
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * The ranges of {@code text} this pattern matches and those between, covering all of it in
     * order (tokenizers' {@code Pattern::find_matches}); an empty text gives one empty non-match.
     */
    default List<PatternMatch> findMatches(String text) {
        List<PatternMatch> out = new ArrayList<>();
        if (text.isEmpty()) {
            out.add(new PatternMatch(0, 0, false));
            return out;
        }
        int prev = 0;
        switch (this) {
            case Literal(String literal) -> {
                if (literal.isEmpty()) {
                    break;
                }
                int at = text.indexOf(literal);
                while (at >= 0) {
                    if (at > prev) {
                        out.add(new PatternMatch(prev, at, false));
                    }
                    out.add(new PatternMatch(at, at + literal.length(), true));
                    prev = at + literal.length();
                    at = text.indexOf(literal, prev);
                }
            }
            case Regex(_, Pattern compiled) -> {
                Matcher m = compiled.matcher(text);
                while (m.find()) {
                    if (m.start() > prev) {
                        out.add(new PatternMatch(prev, m.start(), false));
                    }
                    out.add(new PatternMatch(m.start(), m.end(), true));
                    prev = m.end();
                }
            }
        }
        if (prev < text.length()) {
            out.add(new PatternMatch(prev, text.length(), false));
        }
        return out;
    }

    /** The matched ranges only, as {start, end} pairs. */
    default List<int[]> matchedRanges(String text) {
        List<int[]> out = new ArrayList<>();
        for (PatternMatch m : findMatches(text)) {
            if (m.isMatch()) {
                out.add(new int[] {m.start(), m.end()});
            }
        }
        return out;
    }
}
