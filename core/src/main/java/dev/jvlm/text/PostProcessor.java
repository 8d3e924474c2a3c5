package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * tokenizer.json {@code post_processor}: adds special tokens around an encoded sequence (only
 * when special tokens are requested) and may adjust offsets. jvlm encodes single sequences, so
 * only the {@code single} template matters.
 */
sealed interface PostProcessor {

    /** A {@code single} template: the sequence and special tokens in order. */
    record Template(List<TemplatePiece> pieces) implements PostProcessor {
    }

    /** Byte-level offset trimming; adds no tokens. */
    record ByteLevel(boolean trimOffsets, boolean addPrefixSpace) implements PostProcessor {
    }

    /** {@code <s> A </s>}, with byte-level offset trimming. */
    record Roberta(int clsId, int sepId, boolean trimOffsets, boolean addPrefixSpace) implements PostProcessor {
    }

    /** {@code [CLS] A [SEP]}. */
    record Bert(int clsId, int sepId) implements PostProcessor {
    }

    record Sequence(List<PostProcessor> processors) implements PostProcessor {
    }

    /** One element of a template: the encoded sequence or the ids of a special token. */
    sealed interface TemplatePiece {
        record Input() implements TemplatePiece {
        }

        record Special(int[] ids) implements TemplatePiece {
        }
    }

    /** Token ids with offsets, as the post-processor sees an encoding. */
    record Encoded(IntList ids, IntList starts, IntList ends) {
    }

    static PostProcessor fromJson(JsonNode node, String where) {
        String type = node.path("type").asText("");
        String here = where + ": post_processor " + type;
        return switch (type) {
            case "TemplateProcessing" -> template(node, here);
            case "ByteLevel" -> new ByteLevel(node.path("trim_offsets").asBoolean(true), node.path("add_prefix_space").asBoolean(true));
            case "RobertaProcessing" -> new Roberta(specialId(node, "cls", here), specialId(node, "sep", here),
                    node.path("trim_offsets").asBoolean(true), node.path("add_prefix_space").asBoolean(true));
            case "BertProcessing" -> new Bert(specialId(node, "cls", here), specialId(node, "sep", here));
            case "Sequence" -> {
                List<PostProcessor> parts = new ArrayList<>();
                for (JsonNode child : JsonFields.requiredArray(node, "processors", here)) {
                    parts.add(fromJson(child, where));
                }
                yield new Sequence(List.copyOf(parts));
            }
            default -> throw new TokenizerException(where + ": post_processor type \"" + type + "\" is not supported");
        };
    }

    /** {@code ["<s>", 0]}: the id of a (token, id) pair. */
    private static int specialId(JsonNode node, String field, String where) {
        JsonNode pair = node.get(field);
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw new TokenizerException(where + ": field \"" + field + "\" must be [token, id]");
        }
        return pair.get(1).asInt();
    }

    private static Template template(JsonNode node, String where) {
        Map<String, int[]> specials = new java.util.HashMap<>();
        JsonNode specialTokens = node.path("special_tokens");
        for (var entry : specialTokens.properties()) {
            JsonNode ids = entry.getValue().get("ids");
            if (ids == null || !ids.isArray()) {
                throw new TokenizerException(where + ": special token \"" + entry.getKey() + "\" has no ids");
            }
            int[] values = new int[ids.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = ids.get(i).asInt();
            }
            specials.put(entry.getKey(), values);
        }
        List<TemplatePiece> pieces = new ArrayList<>();
        for (JsonNode piece : JsonFields.requiredArray(node, "single", where)) {
            String sequenceId = null;
            String specialName = null;
            if (piece.isTextual()) {
                String name = piece.asText().split(":")[0];
                if (name.startsWith("$")) {
                    sequenceId = name.substring(1);
                } else {
                    specialName = name;
                }
            } else if (piece.has("Sequence")) {
                sequenceId = piece.get("Sequence").path("id").asText("A");
            } else if (piece.has("SpecialToken")) {
                specialName = piece.get("SpecialToken").path("id").asText();
            } else {
                throw new TokenizerException(where + ": template piece " + piece + " is not supported");
            }
            if (sequenceId != null) {
                // "$", "$A" and "$<type id>" all name the first sequence; only "$B" names the pair's second.
                if (sequenceId.equalsIgnoreCase("B")) {
                    throw new TokenizerException(where + ": the single template refers to sequence " + sequenceId);
                }
                pieces.add(new TemplatePiece.Input());
            } else {
                int[] ids = specials.get(specialName);
                if (ids == null) {
                    throw new TokenizerException(where + ": special token \"" + specialName + "\" is used but not defined");
                }
                pieces.add(new TemplatePiece.Special(ids));
            }
        }
        return new Template(List.copyOf(pieces));
    }

    /**
     * Post-processes one encoded sequence. {@code tokenText} gives a token's string, which byte-level
     * offset trimming inspects. Special tokens get the empty offset (0, 0).
     */
    default Encoded process(Encoded encoded, boolean addSpecialTokens, IntFunction<String> tokenText) {
        return switch (this) {
            case Template(List<TemplatePiece> pieces) -> {
                if (!addSpecialTokens) {
                    yield encoded;
                }
                Encoded out = new Encoded(new IntList(encoded.ids().size() + 4), new IntList(encoded.ids().size() + 4),
                        new IntList(encoded.ids().size() + 4));
                for (TemplatePiece piece : pieces) {
                    switch (piece) {
                        case TemplatePiece.Input() -> {
                            for (int i = 0; i < encoded.ids().size(); i++) {
                                out.ids().add(encoded.ids().get(i));
                                out.starts().add(encoded.starts().get(i));
                                out.ends().add(encoded.ends().get(i));
                            }
                        }
                        case TemplatePiece.Special(int[] ids) -> addSpecial(out, ids);
                    }
                }
                yield out;
            }
            case ByteLevel(boolean trimOffsets, boolean addPrefixSpace) -> {
                if (trimOffsets) {
                    trimByteLevelOffsets(encoded, addPrefixSpace, tokenText);
                }
                yield encoded;
            }
            case Roberta(int clsId, int sepId, boolean trimOffsets, boolean addPrefixSpace) -> {
                if (trimOffsets) {
                    trimByteLevelOffsets(encoded, addPrefixSpace, tokenText);
                }
                yield addSpecialTokens ? wrap(encoded, clsId, sepId) : encoded;
            }
            case Bert(int clsId, int sepId) -> addSpecialTokens ? wrap(encoded, clsId, sepId) : encoded;
            case Sequence(List<PostProcessor> processors) -> {
                Encoded current = encoded;
                for (PostProcessor p : processors) {
                    current = p.process(current, addSpecialTokens, tokenText);
                }
                yield current;
            }
        };
    }

    private static Encoded wrap(Encoded encoded, int first, int last) {
        Encoded out = new Encoded(new IntList(encoded.ids().size() + 2), new IntList(encoded.ids().size() + 2),
                new IntList(encoded.ids().size() + 2));
        addSpecial(out, new int[] {first});
        for (int i = 0; i < encoded.ids().size(); i++) {
            out.ids().add(encoded.ids().get(i));
            out.starts().add(encoded.starts().get(i));
            out.ends().add(encoded.ends().get(i));
        }
        addSpecial(out, new int[] {last});
        return out;
    }

    private static void addSpecial(Encoded out, int[] ids) {
        for (int id : ids) {
            out.ids().add(id);
            out.starts().add(0);
            out.ends().add(0);
        }
    }

    /**
     * Excludes the spaces a byte-level token starts or ends with from its offsets, except the one
     * space that {@code add_prefix_space} itself put in front of the first word.
     */
    private static void trimByteLevelOffsets(Encoded encoded, boolean addPrefixSpace, IntFunction<String> tokenText) {
        char space = ByteLevelAlphabet.charOf(' ');
        for (int i = 0; i < encoded.ids().size(); i++) {
            String token = tokenText.apply(encoded.ids().get(i));
            if (token == null) {
                continue;
            }
            int leading = 0;
            while (leading < token.length() && isTrimmable(token.charAt(leading), space)) {
                leading++;
            }
            int trailing = 0;
            while (trailing < token.length() && isTrimmable(token.charAt(token.length() - 1 - trailing), space)) {
                trailing++;
            }
            int start = encoded.starts().get(i);
            int end = encoded.ends().get(i);
            if (leading > 0) {
                boolean first = i == 0 || start == 0;
                if (first && addPrefixSpace && leading == 1) {
                    leading = 0;
                }
                start = Math.min(start + leading, end);
            }
            if (trailing > 0 && end >= trailing) {
                end = Math.max(end - trailing, start);
            }
            encoded.starts().set(i, start);
            encoded.ends().set(i, end);
        }
    }

    private static boolean isTrimmable(char c, char space) {
        return c == space || UnicodeProps.isWhiteSpace(c);
    }
}
