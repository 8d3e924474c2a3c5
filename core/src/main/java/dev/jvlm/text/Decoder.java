package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * tokenizer.json {@code decoder}: turns token strings back into text. Each decoder maps a list of
 * token strings to a new list (tokenizers' {@code decode_chain}); the final text is their
 * concatenation, so decoders in a Sequence see what the previous one left.
 */
sealed interface Decoder {

    /** Byte-level tokens back to bytes, then UTF-8 with lossy replacement. */
    record ByteLevel() implements Decoder {
    }

    record Replace(TextPattern pattern, String content) implements Decoder {
    }

    /** Runs of {@code <0xXX>} tokens become the text their bytes encode. */
    record ByteFallback() implements Decoder {
    }

    /** Joins all tokens into one. */
    record Fuse() implements Decoder {
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters from every token. */
    record Strip(int content, int start, int stop) implements Decoder {
    }

    record Metaspace(int replacement, PreTokenizer.PrependScheme prependScheme) implements Decoder {
    }

    record WordPiece(String prefix, boolean cleanup) implements Decoder {
    }

    /** Replaces the end-of-word suffix with a space (none after the last token). */
    record BpeSuffix(String suffix) implements Decoder {
    }

    record Sequence(List<Decoder> decoders) implements Decoder {
    }

    static Decoder fromJson(JsonNode node, String where) {
        String type = node.path("type").asText("");
        String here = where + ": decoder " + type;
        return switch (type) {
            case "ByteLevel" -> new ByteLevel();
            case "Replace" -> new Replace(TextPattern.fromJson(node.get("pattern"), here), JsonFields.requiredText(node, "content", here));
            case "ByteFallback" -> new ByteFallback();
            case "Fuse" -> new Fuse();
            case "Strip" -> new Strip(JsonFields.requiredChar(node, "content", here), JsonFields.requiredInt(node, "start", here),
                    JsonFields.requiredInt(node, "stop", here));
            case "Metaspace" -> new Metaspace(JsonFields.requiredChar(node, "replacement", here),
                    PreTokenizer.PrependScheme.fromJson(node, here));
            case "WordPiece" -> new WordPiece(node.path("prefix").asText("##"), node.path("cleanup").asBoolean(true));
            case "BPEDecoder" -> new BpeSuffix(node.path("suffix").asText("</w>"));
            case "Sequence" -> {
                List<Decoder> parts = new ArrayList<>();
                for (JsonNode child : JsonFields.requiredArray(node, "decoders", here)) {
                    parts.add(fromJson(child, where));
                }
                yield new Sequence(List.copyOf(parts));
            }
            default -> throw new TokenizerException(where + ": decoder type \"" + type + "\" is not supported");
        };
    }

    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    default List<String> decodeChain(List<String> tokens) {
        return switch (this) {
            case ByteLevel() -> List.of(decodeByteLevel(tokens));
            case Replace(TextPattern pattern, String content) -> tokens.stream().map(token -> {
                StringBuilder out = new StringBuilder(token.length());
                for (PatternMatch m : pattern.findMatches(token)) {
                    out.append(m.isMatch() ? content : token.substring(m.start(), m.end()));
                }
                return out.toString();
            }).toList();
            case ByteFallback() -> decodeByteFallback(tokens);
            case Fuse() -> List.of(String.join("", tokens));
            case Strip(int content, int start, int stop) -> tokens.stream().map(t -> strip(t, content, start, stop)).toList();
            case Metaspace(int replacement, PreTokenizer.PrependScheme scheme) -> {
                List<String> out = new ArrayList<>(tokens.size());
                for (int i = 0; i < tokens.size(); i++) {
                    // As in tokenizers, every replacement character of the first token is dropped, not only a leading one.
                    boolean dropReplacement = i == 0 && scheme != PreTokenizer.PrependScheme.NEVER;
                    String withSpaces = tokens.get(i).replace(Character.toString(replacement), dropReplacement ? "" : " ");
                    out.add(withSpaces);
                }
                yield out;
            }
            case WordPiece(String prefix, boolean cleanup) -> {
                List<String> out = new ArrayList<>(tokens.size());
                for (int i = 0; i < tokens.size(); i++) {
                    String token = tokens.get(i);
                    if (i != 0) {
                        token = token.startsWith(prefix) ? token.substring(prefix.length()) : " " + token;
                    }
                    out.add(cleanup ? wordPieceCleanup(token) : token);
                }
                yield out;
            }
            case BpeSuffix(String suffix) -> {
                List<String> out = new ArrayList<>(tokens.size());
                for (int i = 0; i < tokens.size(); i++) {
                    out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
                }
                yield out;
            }
            case Sequence(List<Decoder> decoders) -> {
                List<String> current = tokens;
                for (Decoder d : decoders) {
                    current = d.decodeChain(current);
                }
                yield current;
            }
        };
    }

    /**
     * Characters of the byte-level alphabet become their bytes; a token with any other character
     * (an added token such as {@code <|im_start|>} written with non-alphabet characters) keeps its
     * own UTF-8 bytes.
     */
    private static String decodeByteLevel(List<String> tokens) {
        int capacity = 0;
        for (String t : tokens) {
            capacity += t.length() * 3;
        }
        byte[] bytes = new byte[capacity];
        int n = 0;
        for (String token : tokens) {
            boolean allMapped = true;
            for (int i = 0; i < token.length() && allMapped; i++) {
                allMapped = ByteLevelAlphabet.byteOf(token.charAt(i)) >= 0;
            }
            if (allMapped) {
                for (int i = 0; i < token.length(); i++) {
                    bytes[n++] = (byte) ByteLevelAlphabet.byteOf(token.charAt(i));
                }
            } else {
                byte[] raw = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                System.arraycopy(raw, 0, bytes, n, raw.length);
                n += raw.length;
            }
        }
        return Utf8.decodeLossy(bytes, n);
    }

    /** {@code <0xXX>} runs to text; a run that is not valid UTF-8 gives one U+FFFD per byte. */
    private static List<String> decodeByteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        byte[] pending = new byte[16];
        int pendingLength = 0;
        for (String token : tokens) {
            int value = byteTokenValue(token);
            if (value >= 0) {
                if (pendingLength == pending.length) {
                    pending = java.util.Arrays.copyOf(pending, pendingLength * 2);
                }
                pending[pendingLength++] = (byte) value;
                continue;
            }
            if (pendingLength > 0) {
                flushBytes(pending, pendingLength, out);
                pendingLength = 0;
            }
            out.add(token);
        }
        if (pendingLength > 0) {
            flushBytes(pending, pendingLength, out);
        }
        return out;
    }

    private static void flushBytes(byte[] bytes, int length, List<String> out) {
        if (Utf8.isWellFormed(bytes, length)) {
            out.add(Utf8.decodeLossy(bytes, length));
        } else {
            for (int i = 0; i < length; i++) {
                out.add(String.valueOf(Utf8.REPLACEMENT));
            }
        }
    }

    /** The byte value of a {@code <0xXX>} token (hex digits of either case), or -1. */
    private static int byteTokenValue(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        int high = asciiHexDigit(token.charAt(3));
        int low = asciiHexDigit(token.charAt(4));
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private static int asciiHexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static String strip(String token, int content, int start, int stop) {
        int[] cps = token.codePoints().toArray();
        int startCut = 0;
        for (int i = 0; i < Math.min(start, cps.length); i++) {
            if (cps[i] != content) {
                break;
            }
            startCut = i + 1;
        }
        int stopCut = cps.length;
        for (int i = 0; i < stop && i < cps.length; i++) {
            int index = cps.length - i - 1;
            if (cps[index] != content) {
                break;
            }
            stopCut = index;
        }
        return stopCut <= startCut ? "" : new String(cps, startCut, stopCut - startCut);
    }

    /** tokenizers' WordPiece cleanup (not the same list as transformers' clean_up_tokenization). */
    private static String wordPieceCleanup(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
