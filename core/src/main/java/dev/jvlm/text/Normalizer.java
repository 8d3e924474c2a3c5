package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** tokenizer.json {@code normalizer}: rewrites text before it is split and tokenized. */
sealed interface Normalizer {

    /** Unicode normalization form NFC, NFD, NFKC or NFKD. */
    record Unicode(Form form) implements Normalizer {
    }

    /** Per-character lowercasing as Rust's {@code char::to_lowercase} does it (no final-sigma rule). */
    record Lowercase() implements Normalizer {
    }

    record Replace(TextPattern pattern, String content) implements Normalizer {
    }

    /** Puts {@code prefix} in front of every non-empty piece (e.g. SentencePiece's "▁"). */
    record Prepend(String prefix) implements Normalizer {
    }

    record Strip(boolean left, boolean right) implements Normalizer {
    }

    /** Removes combining marks (general category M). */
    record StripAccents() implements Normalizer {
    }

    /** BERT's cleanup: control characters, CJK padding, accents and case. */
    record Bert(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {
    }

    /** Maps every byte of the UTF-8 text to its {@link ByteLevelAlphabet} character. */
    record ByteLevel() implements Normalizer {
    }

    record Sequence(List<Normalizer> normalizers) implements Normalizer {
    }

    static Normalizer fromJson(JsonNode node, String where) {
        String type = node.path("type").asText("");
        String here = where + ": normalizer " + type;
        return switch (type) {
            case "NFC" -> new Unicode(Form.NFC);
            case "NFD" -> new Unicode(Form.NFD);
            case "NFKC" -> new Unicode(Form.NFKC);
            case "NFKD" -> new Unicode(Form.NFKD);
            case "Lowercase" -> new Lowercase();
            case "Replace" -> new Replace(TextPattern.fromJson(node.get("pattern"), here),
                    JsonFields.requiredText(node, "content", here));
            case "Prepend" -> new Prepend(JsonFields.requiredText(node, "prepend", here));
            case "Strip" -> new Strip(node.path("strip_left").asBoolean(false), node.path("strip_right").asBoolean(false));
            case "StripAccents" -> new StripAccents();
            case "BertNormalizer" -> {
                boolean lowercase = node.path("lowercase").asBoolean(true);
                JsonNode strip = node.get("strip_accents");
                yield new Bert(node.path("clean_text").asBoolean(true), node.path("handle_chinese_chars").asBoolean(true),
                        strip == null || strip.isNull() ? lowercase : strip.asBoolean(), lowercase);
            }
            case "ByteLevel" -> new ByteLevel();
            case "Sequence" -> {
                List<Normalizer> parts = new ArrayList<>();
                for (JsonNode child : JsonFields.requiredArray(node, "normalizers", here)) {
                    parts.add(fromJson(child, where));
                }
                yield new Sequence(List.copyOf(parts));
            }
            default -> throw new TokenizerException(where + ": normalizer type \"" + type + "\" is not supported");
        };
    }

    /** Applies this normalizer to one piece of text. */
    default NormalizedText apply(NormalizedText text) {
        return switch (this) {
            case Unicode(Form form) -> text.normalize(form);
            case Lowercase() -> text.mapCodePoints(Normalizer::lowercase);
            case Replace(TextPattern pattern, String content) -> text.replaceRanges(pattern.matchedRanges(text.text()), content);
            case Prepend(String prefix) -> text.prepend(prefix);
            case Strip(boolean left, boolean right) -> text.strip(left, right);
            case StripAccents() -> text.mapCodePoints(cp -> UnicodeProps.isCombiningMark(cp) ? "" : null);
            case Bert bert -> applyBert(bert, text);
            case ByteLevel() -> text.mapCodePoints(Normalizer::byteLevel);
            case Sequence(List<Normalizer> normalizers) -> {
                NormalizedText current = text;
                for (Normalizer n : normalizers) {
                    current = n.apply(current);
                }
                yield current;
            }
        };
    }

    /** Rust's {@code char::to_lowercase}: full case mapping of a lone character, so 'İ' gives "i̇". */
    private static String lowercase(int cp) {
        if (cp < 0x80) {
            return cp >= 'A' && cp <= 'Z' ? String.valueOf((char) (cp + 32)) : null;
        }
        String original = Character.toString(cp);
        String lower = original.toLowerCase(Locale.ROOT);
        return lower.equals(original) ? null : lower;
    }

    /** The alphabet characters of the UTF-8 bytes of {@code cp}, or null when it maps to itself. */
    static String byteLevel(int cp) {
        if (cp < 0x80 && ByteLevelAlphabet.charOf(cp) == cp) {
            return null;
        }
        byte[] bytes = Character.toString(cp).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = ByteLevelAlphabet.charOf(bytes[i] & 0xFF);
        }
        return new String(chars);
    }

    private static NormalizedText applyBert(Bert bert, NormalizedText text) {
        NormalizedText current = text;
        if (bert.cleanText()) {
            current = current.mapCodePoints(cp -> {
                if (cp == 0 || cp == 0xFFFD || isBertControl(cp)) {
                    return "";
                }
                return (cp == '\t' || cp == '\n' || cp == '\r' || UnicodeProps.isWhiteSpace(cp)) && cp != ' ' ? " " : null;
            });
        }
        if (bert.handleChineseChars()) {
            current = current.mapCodePoints(cp -> isChineseChar(cp) ? " " + Character.toString(cp) + " " : null);
        }
        if (bert.stripAccents()) {
            current = current.normalize(Form.NFD)
                    .mapCodePoints(cp -> Character.getType(cp) == Character.NON_SPACING_MARK ? "" : null);
        }
        if (bert.lowercase()) {
            current = current.mapCodePoints(Normalizer::lowercase);
        }
        return current;
    }

    /** General category C other than tab, newline and carriage return. */
    private static boolean isBertControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    private static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
