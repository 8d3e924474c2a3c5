package dev.jvlm.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses tokenizer.json. The model's vocabulary and merges (most of the file: Gemma 3's is 33 MB)
 * are streamed straight into maps and lists; the small pipeline components go through a JSON tree.
 */
final class TokenizerJsonReader {

    /** The components of a tokenizer.json; null where the file has none. */
    record Parts(Normalizer normalizer, PreTokenizer preTokenizer, Model model, PostProcessor postProcessor,
                 Decoder decoder, List<AddedVocabulary.AddedToken> addedTokens, Map<String, Integer> addedTokenFileIds) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJsonReader() {
    }

    static Parts read(InputStream in, String name) {
        try (JsonParser parser = new JsonFactory(MAPPER).createParser(in)) {
            return read(parser, name);
        } catch (IOException e) {
            throw new TokenizerException(name + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Parts read(JsonParser p, String name) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new TokenizerException(name + ": expected a JSON object");
        }
        JsonNode normalizerJson = null;
        JsonNode preTokenizerJson = null;
        JsonNode postProcessorJson = null;
        JsonNode decoderJson = null;
        JsonNode addedTokensJson = null;
        RawModel rawModel = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "model" -> rawModel = readModel(p, name);
                case "normalizer" -> normalizerJson = p.readValueAsTree();
                case "pre_tokenizer" -> preTokenizerJson = p.readValueAsTree();
                case "post_processor" -> postProcessorJson = p.readValueAsTree();
                case "decoder" -> decoderJson = p.readValueAsTree();
                case "added_tokens" -> addedTokensJson = p.readValueAsTree();
                // version, truncation and padding: transformers disables the file's truncation and
                // padding unless a call asks for them, and jvlm never does.
                default -> p.skipChildren();
            }
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
        Map<String, Integer> fileIds = new LinkedHashMap<>();
        if (isPresent(addedTokensJson)) {
            for (JsonNode t : addedTokensJson) {
                String content = JsonFields.requiredText(t, "content", name + ": added_tokens");
                addedTokens.add(new AddedVocabulary.AddedToken(content, t.path("special").asBoolean(false),
                        t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                        t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(!t.path("special").asBoolean(false))));
                if (t.has("id")) {
                    fileIds.put(content, t.get("id").asInt());
                }
            }
        }
        return new Parts(normalizer, preTokenizer, model, postProcessor, decoder, addedTokens, fileIds);
    }

    private static boolean isPresent(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** The model object as read: vocabulary in one of its two shapes, merges, and the other fields. */
    private static final class RawModel {
        final ObjectNode options = JsonNodeFactory.instance.objectNode();
        Map<String, Integer> vocab;
        List<String> unigramPieces;
        List<Double> unigramScores;
        List<String[]> merges;

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
                    yield new BpeModel(vocab, merges == null ? List.of() : merges,
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

    private static RawModel readModel(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new TokenizerException(name + ": \"model\" must be an object");
        }
        RawModel model = new RawModel();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "vocab" -> {
                    if (value == JsonToken.START_OBJECT) {
                        model.vocab = readVocabObject(p, name);
                    } else if (value == JsonToken.START_ARRAY) {
                        readUnigramVocab(p, model, name);
                    } else {
                        throw new TokenizerException(name + ": model \"vocab\" must be an object or an array");
                    }
                }
                case "merges" -> model.merges = readMerges(p, name);
                default -> model.options.set(field, p.readValueAsTree());
            }
        }
        return model;
    }

    private static Map<String, Integer> readVocabObject(JsonParser p, String name) throws IOException {
        Map<String, Integer> vocab = new HashMap<>(1 << 16);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new TokenizerException(name + ": model vocab entry \"" + token + "\" must have an integer id");
            }
            vocab.put(token, p.getIntValue());
        }
        return vocab;
    }

    private static void readUnigramVocab(JsonParser p, RawModel model, String name) throws IOException {
        model.unigramPieces = new ArrayList<>(1 << 16);
        model.unigramScores = new ArrayList<>(1 << 16);
        while (p.nextToken() == JsonToken.START_ARRAY) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new TokenizerException(name + ": model Unigram vocab entries must be [piece, score]");
            }
            String piece = p.getText();
            JsonToken score = p.nextToken();
            if (score != JsonToken.VALUE_NUMBER_FLOAT && score != JsonToken.VALUE_NUMBER_INT) {
                throw new TokenizerException(name + ": model Unigram vocab entry \"" + piece + "\" has no score");
            }
            model.unigramPieces.add(piece);
            model.unigramScores.add(p.getDoubleValue());
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw new TokenizerException(name + ": model Unigram vocab entries must be [piece, score]");
            }
        }
    }

    /** Merges as {@code ["a", "b"]} pairs or legacy {@code "a b"} strings. */
    private static List<String[]> readMerges(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new TokenizerException(name + ": model \"merges\" must be an array");
        }
        List<String[]> merges = new ArrayList<>(1 << 16);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_STRING) {
                String line = p.getText();
                int space = line.indexOf(' ');
                if (space < 0 || line.indexOf(' ', space + 1) >= 0) {
                    throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " \"" + line
                            + "\" is not two tokens separated by one space");
                }
                merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
            } else if (t == JsonToken.START_ARRAY) {
                String left = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                String right = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                if (left == null || right == null || p.nextToken() != JsonToken.END_ARRAY) {
                    throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " must be two strings");
                }
                merges.add(new String[] {left, right});
            } else {
                throw new TokenizerException(name + ": model merge " + (merges.size() + 1) + " must be a string or a pair");
            }
        }
        return merges;
    }
}
