package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses tokenizer.json. The model's vocabulary and merges (most of the file: Gemma 3's is 33 MB)
 * are read by {@link JsonScanner} straight into maps and lists; the small pipeline components go
 * through a Jackson JSON tree.
 */
final class TokenizerJsonReader {

    /** The components of a tokenizer.json; null where the file has none. */
    record Parts(Normalizer normalizer, PreTokenizer preTokenizer, Model model, PostProcessor postProcessor,
                 Decoder decoder, List<AddedVocabulary.AddedToken> addedTokens) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJsonReader() {
    }

    static Parts read(InputStream in, String name) {
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new TokenizerException(name + ": cannot be read: " + e.getMessage(), e);
        }
        return read(new JsonScanner(bytes, name), name);
    }

    private static Parts read(JsonScanner json, String name) {
        JsonNode normalizerJson = null;
        JsonNode preTokenizerJson = null;
        JsonNode postProcessorJson = null;
        JsonNode decoderJson = null;
        JsonNode addedTokensJson = null;
        RawModel rawModel = null;
        json.expect('{');
        boolean more = !json.consume('}');
        while (more) {
            String field = json.readString();
            json.expect(':');
            switch (field) {
                case "model" -> rawModel = readModel(json, name);
                case "normalizer" -> normalizerJson = tree(json, name);
                case "pre_tokenizer" -> preTokenizerJson = tree(json, name);
                case "post_processor" -> postProcessorJson = tree(json, name);
                case "decoder" -> decoderJson = tree(json, name);
                case "added_tokens" -> addedTokensJson = tree(json, name);
                // version, truncation and padding: transformers disables the file's truncation and
                // padding unless a call asks for them, and jvlm never does.
                default -> json.skipValue();
            }
            more = json.more('}');
        }
        if (json.peek() != -1) {
            throw json.error("unexpected content after the top-level object");
        }
        if (rawModel == null) {
            throw new TokenizerException(name + ": has no \"model\"");
        }
        Model model = rawModel.build(name);
        Normalizer normalizer = isPresent(normalizerJson) ? Normalizer.fromJson(normalizerJson, name) : null;
        PreTokenizer preTokenizer = isPresent(preTokenizerJson) ? PreTokenizer.fromJson(preTokenizerJson, name) : null;
        PostProcessor postProcessor = isPresent(postProcessorJson) ? PostProcessor.fromJson(postProcessorJson, name) : null;
        Decoder decoder = isPresent(decoderJson) ? Decoder.fromJson(decoderJson, name) : null;
        List<AddedVocabulary.AddedToken> addedTokens = new ArrayList<>();
        if (isPresent(addedTokensJson)) {
            for (JsonNode t : addedTokensJson) {
                String content = JsonFields.requiredText(t, "content", name + ": added_tokens");
                addedTokens.add(new AddedVocabulary.AddedToken(content, t.path("special").asBoolean(false),
                        t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                        t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(!t.path("special").asBoolean(false))));
            }
        }
        return new Parts(normalizer, preTokenizer, model, postProcessor, decoder, addedTokens);
    }

    /** The next value as a JSON tree (for the small components). */
    private static JsonNode tree(JsonScanner json, String name) {
        int start = json.skipValue();
        try {
            return MAPPER.readTree(json.bytes(), start, json.position() - start);
        } catch (IOException e) {
            throw new TokenizerException(name + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static boolean isPresent(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** The model object as read: vocabulary in one of its two shapes, merges, and the other fields. */
    private static final class RawModel {
        final ObjectNode options = JsonNodeFactory.instance.objectNode();
        VocabMap vocab;
        List<String> unigramPieces;
        List<Double> unigramScores;
        MergeList merges;

        Model build(String name) {
            String type = options.path("type").asText("");
            String where = name + ": model " + type;
            return switch (type) {
                case "BPE" -> {
                    requireVocab(where);
                    JsonNode dropout = options.get("dropout");
                    if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
                        throw new TokenizerException(where + ": dropout " + dropout.asDouble()
                                + " is not supported (it makes encoding random; it is meant for training)");
                    }
                    yield new BpeModel(vocab, merges == null ? new MergeList(new byte[0]) : merges,
                            new BpeModel.Options(text("unk_token"), text("continuing_subword_prefix"),
                                    text("end_of_word_suffix"), options.path("fuse_unk").asBoolean(false),
                                    options.path("byte_fallback").asBoolean(false),
                                    options.path("ignore_merges").asBoolean(false)), name);
                }
                case "Unigram" -> {
                    if (unigramPieces == null) {
                        throw new TokenizerException(where + ": \"vocab\" must be a list of [piece, score]");
                    }
                    JsonNode unkId = options.get("unk_id");
                    yield new UnigramModel(unigramPieces, unigramScores,
                            unkId == null || unkId.isNull() ? null : unkId.asInt(),
                            options.path("byte_fallback").asBoolean(false), name);
                }
                case "WordPiece" -> {
                    requireVocab(where);
                    yield new WordPieceModel(vocab, options.path("unk_token").asText("[UNK]"),
                            options.path("continuing_subword_prefix").asText("##"),
                            options.path("max_input_chars_per_word").asInt(100), name);
                }
                case "WordLevel" -> {
                    requireVocab(where);
                    yield new WordLevelModel(vocab, text("unk_token"));
                }
                case "" -> throw new TokenizerException(name + ": model has no \"type\"");
                default -> throw new TokenizerException(name + ": model type \"" + type + "\" is not supported");
            };
        }

        private void requireVocab(String where) {
            if (vocab == null) {
                throw new TokenizerException(where + ": \"vocab\" must be an object of token → id");
            }
        }

        private String text(String field) {
            JsonNode value = options.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    private static RawModel readModel(JsonScanner json, String name) {
        int first = json.peek();
        if (first != '{' && first != -1) {
            throw new TokenizerException(name + ": \"model\" must be an object");
        }
        json.expect('{');
        RawModel model = new RawModel();
        boolean more = !json.consume('}');
        while (more) {
            String field = json.readString();
            json.expect(':');
            switch (field) {
                case "vocab" -> {
                    int c = json.peek();
                    if (c == '{') {
                        model.vocab = readVocabObject(json);
                    } else if (c == '[') {
                        readUnigramVocab(json, model, name);
                    } else {
                        throw new TokenizerException(name + ": model \"vocab\" must be an object or an array");
                    }
                }
                case "merges" -> model.merges = readMerges(json, name);
                default -> model.options.set(field, tree(json, name));
            }
            more = json.more('}');
        }
        return model;
    }

    private static VocabMap readVocabObject(JsonScanner json) {
        VocabMap vocab = new VocabMap(1 << 16);
        json.expect('{');
        boolean more = !json.consume('}');
        while (more) {
            String token = json.readString();
            json.expect(':');
            vocab.put(token, json.readInt());
            more = json.more('}');
        }
        return vocab;
    }

    private static void readUnigramVocab(JsonScanner json, RawModel model, String name) {
        model.unigramPieces = new ArrayList<>(1 << 16);
        model.unigramScores = new ArrayList<>(1 << 16);
        json.expect('[');
        boolean more = !json.consume(']');
        while (more) {
            json.expect('[');
            if (json.peek() != '"') {
                throw new TokenizerException(name + ": model Unigram vocab entries must be [piece, score]");
            }
            model.unigramPieces.add(json.readString());
            json.expect(',');
            model.unigramScores.add(json.readDouble());
            json.expect(']');
            more = json.more(']');
        }
    }

    /** Merges as {@code ["a", "b"]} pairs or legacy {@code "a b"} strings. */
    private static MergeList readMerges(JsonScanner json, String name) {
        if (json.peek() != '[') {
            throw new TokenizerException(name + ": model \"merges\" must be an array");
        }
        json.expect('[');
        MergeList merges = new MergeList(json.bytes());
        boolean more = !json.consume(']');
        while (more) {
            int c = json.peek();
            if (c == '"') {
                readLegacyMerge(json, merges, name);
            } else if (c == '[') {
                json.expect('[');
                RawToken left = rawToken(json, merges, name);
                json.expect(',');
                RawToken right = rawToken(json, merges, name);
                json.expect(']');
                if (left.decoded() == null && right.decoded() == null) {
                    merges.add(left.start(), left.end(), right.start(), right.end());
                } else {
                    merges.add(left.text(json.bytes()), right.text(json.bytes()));
                }
            } else {
                throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " must be a string or a pair");
            }
            more = json.more(']');
        }
        return merges;
    }

    /** {@code "a b"}: two tokens separated by exactly one space. */
    private static void readLegacyMerge(JsonScanner json, MergeList merges, String name) {
        long range = json.readStringRange();
        String line = range < 0 ? json.readString() : null;
        int start = range < 0 ? 0 : (int) (range >>> 32);
        int end = range < 0 ? line.length() : (int) range;
        int space = -1;
        int spaces = 0;
        for (int i = start; i < end; i++) {
            if ((line == null ? json.bytes()[i] : line.charAt(i)) == ' ') {
                spaces++;
                space = space < 0 ? i : space;
            }
        }
        if (spaces != 1) {
            String text = line != null ? line : new String(json.bytes(), start, end - start, StandardCharsets.UTF_8);
            throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " \"" + text
                    + "\" is not two tokens separated by one space");
        }
        if (line == null) {
            merges.add(start, space, space + 1, end);
        } else {
            merges.add(line.substring(0, space), line.substring(space + 1));
        }
    }

    /** A merge token: its byte range in the file, or its decoded text when it has escapes. */
    private record RawToken(int start, int end, String decoded) {
        String text(byte[] bytes) {
            return decoded != null ? decoded : new String(bytes, start, end - start, StandardCharsets.UTF_8);
        }
    }

    private static RawToken rawToken(JsonScanner json, MergeList merges, String name) {
        if (json.peek() != '"') {
            throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " must be two strings");
        }
        long range = json.readStringRange();
        return range >= 0 ? new RawToken((int) (range >>> 32), (int) range, null) : new RawToken(-1, -1, json.readString());
    }
}
