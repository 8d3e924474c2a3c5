package dev.jvlm.eval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Caption tokenization of pycocoevalcap: Stanford PTBTokenizer ({@code -preserveLines -lowerCase}),
 * then removal of punctuation tokens. This is a rule-based re-implementation of the PTB conventions
 * that matter for captions, not the full Stanford lexer:
 * <ul>
 * <li>punctuation, quotes and brackets are split from words; {@code ( ) [ ] { }} become
 *     -LRB- -RRB- -LSB- -RSB- -LCB- -RCB-, quotes become `` '' ` '</li>
 * <li>clitics are split: "don't" = "do n't", "man's" = "man 's", "cannot" = "can not", "gonna" = "gon na"</li>
 * <li>numbers keep their inner ',', '.', ':' and '/' (1,000 3.5 12:30 1/2); words keep inner hyphens</li>
 * <li>a final period stays on letter-dot abbreviations ("u.s.") and common titles ("mr.")</li>
 * <li>every token is then lower-cased ({@code toLowerCase(Locale.ENGLISH)}, as {@code -lowerCase} does)</li>
 * </ul>
 * Because Stanford lower-cases after bracket escaping, "-lrb-" and friends do not match pycocoevalcap's
 * upper-case punctuation list and stay in the caption, as they do in the original pipeline.
 * Not reproduced: Americanize spelling, SGML/URL/e-mail tokens, currency and fraction normalization.
 */
final class PtbTokenizer {

    /** pycocoevalcap's PUNCTUATIONS: tokens dropped after tokenization. */
    private static final Set<String> DROPPED = Set.of(
            "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");

    private static final Map<Integer, String> OPENING = Map.of(
            (int) '"', "``", (int) '(', "-LRB-", (int) '[', "-LSB-", (int) '{', "-LCB-",
            (int) '“', "``", (int) '‘', "`", (int) '`', "`", (int) '$', "$", (int) '#', "#");
    private static final Map<Integer, String> CLOSING = Map.ofEntries(
            Map.entry((int) '"', "''"), Map.entry((int) ')', "-RRB-"), Map.entry((int) ']', "-RSB-"),
            Map.entry((int) '}', "-RCB-"), Map.entry((int) '”', "''"), Map.entry((int) '’', "'"),
            Map.entry((int) '\'', "'"), Map.entry((int) ',', ","), Map.entry((int) ';', ";"),
            Map.entry((int) ':', ":"), Map.entry((int) '?', "?"), Map.entry((int) '!', "!"),
            Map.entry((int) '%', "%"));
    /** Inside a word these split it, except ',' and ':' between digits. */
    private static final String INNER_SPLITTERS = ",;:?!";

    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "vs.", "etc.", "inc.", "co.", "corp.", "ltd.", "mt.",
            "ft.", "no.", "prof.", "gen.", "sgt.", "capt.", "lt.", "col.", "ave.", "rd.", "jan.", "feb.", "aug.",
            "sept.", "oct.", "nov.", "dec.");
    /** "u.s.", "e.g.", or an initial such as "J."; a lower-case "m." ends a sentence. */
    private static final Pattern LETTER_DOT_ABBREVIATION = Pattern.compile("(?:\\p{L}\\.){2,}|\\p{Lu}\\.");
    private static final Pattern CLITIC = Pattern.compile("(?i)(.+?)(n['’]t|['’](?:s|re|ve|ll|d|m))");
    private static final Map<String, String[]> SPLIT_WORDS = Map.of(
            "cannot", new String[] {"can", "not"}, "gonna", new String[] {"gon", "na"},
            "gotta", new String[] {"got", "ta"}, "wanna", new String[] {"wan", "na"},
            "gimme", new String[] {"gim", "me"}, "lemme", new String[] {"lem", "me"},
            "'tis", new String[] {"'t", "is"}, "'twas", new String[] {"'t", "was"});
    private static final Pattern BARE_CLITIC = Pattern.compile("(?i)['’](?:s|re|ve|ll|d|m)|n['’]t");

    private PtbTokenizer() {
    }

    /** The caption as pycocoevalcap passes it to the scorers: tokens joined by single spaces. */
    static String tokenize(String caption) {
        List<String> kept = new ArrayList<>();
        for (String chunk : Py.split(caption.replace('\n', ' '))) {
            for (String token : tokenizeChunk(chunk)) {
                // Stanford lower-cases before pycocoevalcap filters, so "-lrb-" survives the filter.
                String lowered = token.toLowerCase(Locale.ENGLISH);
                if (!DROPPED.contains(lowered)) {
                    kept.add(lowered);
                }
            }
        }
        return String.join(" ", kept);
    }

    private static List<String> tokenizeChunk(String chunk) {
        List<String> tokens = new ArrayList<>();
        Deque<String> trailing = new ArrayDeque<>();
        String core = peelClosing(peelOpening(chunk, tokens), trailing);
        for (String piece : splitInner(core)) {
            addWord(piece, tokens);
        }
        tokens.addAll(trailing);
        return tokens;
    }

    private static String peelOpening(String core, List<String> tokens) {
        while (!core.isEmpty()) {
            if (core.startsWith("``")) {
                tokens.add("``");
                core = core.substring(2);
                continue;
            }
            int first = core.codePointAt(0);
            String mapped = OPENING.get(first);
            if (mapped == null && first == '\'' && !BARE_CLITIC.matcher(core).matches()
                    && !SPLIT_WORDS.containsKey(core.toLowerCase(Locale.ENGLISH))) {
                mapped = "`";
            }
            if (mapped == null) {
                return core;
            }
            tokens.add(mapped);
            core = core.substring(Character.charCount(first));
        }
        return core;
    }

    private static String peelClosing(String core, Deque<String> trailing) {
        while (!core.isEmpty()) {
            if (core.endsWith("...")) {
                trailing.addFirst("...");
                core = core.substring(0, core.length() - 3);
                continue;
            }
            if (core.endsWith("''")) {
                trailing.addFirst("''");
                core = core.substring(0, core.length() - 2);
                continue;
            }
            int last = core.codePointBefore(core.length());
            String mapped = CLOSING.get(last);
            if (last == '.') {
                if (isAbbreviation(core)) {
                    return core;
                }
                mapped = ".";
            }
            if (last == '-' && core.length() > 1) {
                mapped = "-";
            }
            if (mapped == null) {
                return core;
            }
            trailing.addFirst(mapped);
            core = core.substring(0, core.length() - Character.charCount(last));
        }
        return core;
    }

    private static boolean isAbbreviation(String word) {
        return ABBREVIATIONS.contains(word.toLowerCase(Locale.ENGLISH))
                || LETTER_DOT_ABBREVIATION.matcher(word).matches();
    }

    /** Splits at inner ",;:?!" that are not a thousands/time separator between two digits. */
    private static List<String> splitInner(String core) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < core.length(); i++) {
            char c = core.charAt(i);
            if (INNER_SPLITTERS.indexOf(c) < 0) {
                continue;
            }
            boolean numeric = (c == ',' || c == ':') && i > 0 && i + 1 < core.length()
                    && Character.isDigit(core.charAt(i - 1)) && Character.isDigit(core.charAt(i + 1));
            if (!numeric) {
                pieces.add(core.substring(start, i));
                pieces.add(String.valueOf(c));
                start = i + 1;
            }
        }
        pieces.add(core.substring(start));
        pieces.removeIf(String::isEmpty);
        return pieces;
    }

    private static void addWord(String word, List<String> tokens) {
        String[] split = SPLIT_WORDS.get(word.toLowerCase(Locale.ENGLISH));
        if (split != null) {
            tokens.add(word.substring(0, split[0].length()));
            tokens.add(word.substring(split[0].length()));
            return;
        }
        var clitic = CLITIC.matcher(word);
        if (clitic.matches()) {
            tokens.add(clitic.group(1));
            tokens.add(clitic.group(2).replace('’', '\''));
            return;
        }
        tokens.add(word);
    }
}
