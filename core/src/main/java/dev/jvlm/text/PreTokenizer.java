package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/** tokenizer.json {@code pre_tokenizer}: cuts normalized text into the pieces the model tokenizes. */
sealed interface PreTokenizer {

    record Split(TextPattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizer {
    }

    /**
     * GPT-2 byte-level pre-tokenization: optionally a leading space, optionally the GPT-2 split
     * regex, then every byte mapped to its {@link ByteLevelAlphabet} character.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
    }

    /** SentencePiece style: spaces become {@code replacement}, optionally prepended, optionally split before it. */
    record Metaspace(int replacement, PrependScheme prependScheme, boolean split) implements PreTokenizer {
    }

    record Digits(boolean individualDigits) implements PreTokenizer {
    }

    /** Words ({@code \w+}) and runs of other non-space characters; whitespace dropped. */
    record Whitespace() implements PreTokenizer {
    }

    record WhitespaceSplit() implements PreTokenizer {
    }

    record Punctuation(SplitBehavior behavior) implements PreTokenizer {
    }

    /** Whitespace removed, then punctuation isolated. */
    record Bert() implements PreTokenizer {
    }

    record CharDelimiterSplit(int delimiter) implements PreTokenizer {
    }

    record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {
    }

    /** When Metaspace adds its replacement character in front of a piece. */
    enum PrependScheme {
        ALWAYS, FIRST, NEVER;

        static PrependScheme fromJson(JsonNode node, String where) {
            JsonNode addPrefixSpace = node.get("add_prefix_space");
            JsonNode scheme = node.get("prepend_scheme");
            PrependScheme declared = scheme == null || scheme.isNull() ? ALWAYS : switch (scheme.asText()) {
                case "always" -> ALWAYS;
                case "first" -> FIRST;
                case "never" -> NEVER;
                default -> throw new TokenizerException(where + ": prepend_scheme \"" + scheme.asText() + "\" is not supported");
            };
            // tokenizers accepts the older add_prefix_space only when it agrees with prepend_scheme (default "always").
            if (addPrefixSpace != null && !addPrefixSpace.asBoolean(true) && declared != NEVER) {
                throw new TokenizerException(where + ": add_prefix_space false does not match prepend_scheme \""
                        + declared.name().toLowerCase(java.util.Locale.ROOT) + "\"");
            }
            return declared;
        }
    }

    /** The pattern GPT-2's ByteLevel pre-tokenizer splits with when {@code use_regex} is set. */
    String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    TextPattern GPT2_PATTERN = new TextPattern.Regex(GPT2_REGEX, TextPattern.compile(GPT2_REGEX, "ByteLevel"));

    /** The Whitespace pre-tokenizer's Rust regex {@code \w+|[^\w\s]+}, Unicode-aware. */
    String WORDS_REGEX = "\\w+|[^\\w\\s]+";
    TextPattern WORDS_PATTERN = new TextPattern.Regex(WORDS_REGEX, Pattern.compile(WORDS_REGEX, Pattern.UNICODE_CHARACTER_CLASS));

    static PreTokenizer fromJson(JsonNode node, String where) {
        String type = node.path("type").asText("");
        String here = where + ": pre_tokenizer " + type;
        return switch (type) {
            case "Split" -> new Split(TextPattern.fromJson(node.get("pattern"), here),
                    SplitBehavior.fromJson(JsonFields.requiredText(node, "behavior", here), here),
                    node.path("invert").asBoolean(false));
            case "ByteLevel" -> new ByteLevel(node.path("add_prefix_space").asBoolean(true), node.path("use_regex").asBoolean(true));
            case "Metaspace" -> new Metaspace(JsonFields.requiredChar(node, "replacement", here),
                    PrependScheme.fromJson(node, here), node.path("split").asBoolean(true));
            case "Digits" -> new Digits(node.path("individual_digits").asBoolean(false));
            case "Whitespace" -> new Whitespace();
            case "WhitespaceSplit" -> new WhitespaceSplit();
            case "Punctuation" -> new Punctuation(node.hasNonNull("behavior")
                    ? SplitBehavior.fromJson(node.get("behavior").asText(), here) : SplitBehavior.ISOLATED);
            case "BertPreTokenizer" -> new Bert();
            case "CharDelimiterSplit" -> new CharDelimiterSplit(JsonFields.requiredChar(node, "delimiter", here));
            case "Sequence" -> {
                List<PreTokenizer> parts = new ArrayList<>();
                for (JsonNode child : JsonFields.requiredArray(node, "pretokenizers", here)) {
                    parts.add(fromJson(child, where));
                }
                yield new Sequence(List.copyOf(parts));
            }
            default -> throw new TokenizerException(where + ": pre_tokenizer type \"" + type + "\" is not supported");
        };
    }

    /** Pre-tokenizes one piece, appending the resulting non-empty pieces to {@code out}. */
    default void apply(NormalizedText piece, List<NormalizedText> out) {
        switch (this) {
            case Split(TextPattern pattern, SplitBehavior behavior, boolean invert) -> {
                List<PatternMatch> matches = pattern.findMatches(piece.text());
                if (invert) {
                    matches = matches.stream().map(PatternMatch::inverted).toList();
                }
                out.addAll(piece.split(matches, behavior));
            }
            case ByteLevel(boolean addPrefixSpace, boolean useRegex) -> {
                NormalizedText prefixed = addPrefixSpace && !piece.text().startsWith(" ") ? piece.prepend(" ") : piece;
                List<NormalizedText> parts = useRegex
                        ? prefixed.split(GPT2_PATTERN.findMatches(prefixed.text()), SplitBehavior.ISOLATED)
                        : List.of(prefixed);
                for (NormalizedText part : parts) {
                    out.add(part.mapCodePoints(Normalizer::byteLevel));
                }
            }
            case Metaspace(int replacement, PrependScheme scheme, boolean split) -> {
                String replacementText = Character.toString(replacement);
                NormalizedText replaced = piece.mapCodePoints(cp -> cp == ' ' ? replacementText : null);
                boolean prepend = switch (scheme) {
                    case ALWAYS -> !replaced.text().startsWith(replacementText);
                    case FIRST -> !replaced.text().startsWith(replacementText) && replaced.originalStart() == 0;
                    case NEVER -> false;
                };
                if (prepend) {
                    replaced = replaced.prepend(replacementText);
                }
                if (split) {
                    out.addAll(replaced.split(new TextPattern.Literal(replacementText).findMatches(replaced.text()),
                            SplitBehavior.MERGED_WITH_NEXT));
                } else if (!replaced.isEmpty()) {
                    out.add(replaced);
                }
            }
            case Digits(boolean individualDigits) -> out.addAll(piece.split(charMatches(piece.text(), UnicodeProps::isNumeric),
                    individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS));
            case Whitespace() -> out.addAll(piece.split(
                    WORDS_PATTERN.findMatches(piece.text()).stream().map(PatternMatch::inverted).toList(), SplitBehavior.REMOVED));
            case WhitespaceSplit() -> out.addAll(piece.split(charMatches(piece.text(), UnicodeProps::isWhiteSpace),
                    SplitBehavior.REMOVED));
            case Punctuation(SplitBehavior behavior) -> out.addAll(piece.split(
                    charMatches(piece.text(), UnicodeProps::isPunctuation), behavior));
            case Bert() -> {
                for (NormalizedText word : piece.split(charMatches(piece.text(), UnicodeProps::isWhiteSpace), SplitBehavior.REMOVED)) {
                    out.addAll(word.split(charMatches(word.text(), UnicodeProps::isPunctuation), SplitBehavior.ISOLATED));
                }
            }
            case CharDelimiterSplit(int delimiter) -> out.addAll(piece.split(
                    charMatches(piece.text(), cp -> cp == delimiter), SplitBehavior.REMOVED));
            case Sequence(List<PreTokenizer> preTokenizers) -> {
                List<NormalizedText> current = List.of(piece);
                for (PreTokenizer p : preTokenizers) {
                    List<NormalizedText> next = new ArrayList<>();
                    for (NormalizedText part : current) {
                        p.apply(part, next);
                    }
                    current = next;
                }
                out.addAll(current);
            }
        }
    }

    /** Every code point satisfying {@code test} as a one-character match (tokenizers' char-predicate pattern). */
    private static List<PatternMatch> charMatches(String text, IntPredicate test) {
        List<PatternMatch> out = new ArrayList<>();
        if (text.isEmpty()) {
            out.add(new PatternMatch(0, 0, false));
            return out;
        }
        int last = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (test.test(cp)) {
                if (last < i) {
                    out.add(new PatternMatch(last, i, false));
                }
                out.add(new PatternMatch(i, i + n, true));
                last = i + n;
            }
            i += n;
        }
        if (last < text.length()) {
            out.add(new PatternMatch(last, text.length(), false));
        }
        return out;
    }
}
