package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What transformers reads from tokenizer_config.json and special_tokens_map.json: the special
 * tokens by role, whether to add BOS/EOS, whether decode cleans up spaces, and the chat template.
 * Where both files name a special token, special_tokens_map.json wins, as in transformers.
 *
 * @param json the merged settings (tokenizer_config.json overlaid with special_tokens_map.json)
 */
record TokenizerConfig(ObjectNode json) {

    static final String CONFIG_FILE = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";

    /** transformers' SPECIAL_TOKENS_ATTRIBUTES, in its order. */
    static final List<String> SPECIAL_TOKEN_ROLES =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static TokenizerConfig empty() {
        return new TokenizerConfig(JsonNodeFactory.instance.objectNode());
    }

    /** Reads the two files from a model directory; either may be absent. */
    static TokenizerConfig read(Path dir) {
        JsonNode config = readIfPresent(dir.resolve(CONFIG_FILE));
        JsonNode specialTokens = readIfPresent(dir.resolve(SPECIAL_TOKENS_FILE));
        return merge(config, specialTokens);
    }

    /** Parses tokenizer_config.json content from a stream (no special_tokens_map.json). */
    static TokenizerConfig read(InputStream configJson, String name) {
        try {
            return merge(MAPPER.readTree(configJson), null);
        } catch (IOException e) {
            throw new TokenizerException(name + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode readIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static TokenizerConfig merge(JsonNode config, JsonNode specialTokens) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        if (config != null && config.isObject()) {
            merged.setAll((ObjectNode) config);
        }
        if (specialTokens != null && specialTokens.isObject()) {
            merged.setAll((ObjectNode) specialTokens);
        }
        return new TokenizerConfig(merged);
    }

    /** The content of a special token role such as "bos_token", or null when unset. */
    String specialToken(String role) {
        return tokenContent(json.get(role));
    }

    /** A token given as a string or as an AddedToken object ({@code {"content": ...}}). */
    private static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            JsonNode content = node.get("content");
            return content == null || content.isNull() ? null : content.asText();
        }
        return node.asText();
    }

    List<String> additionalSpecialTokens() {
        List<String> out = new ArrayList<>();
        for (JsonNode token : json.path("additional_special_tokens")) {
            String content = tokenContent(token);
            if (content != null) {
                out.add(content);
            }
        }
        return out;
    }

    /** The variables transformers passes to a chat template for the special tokens that are set. */
    Map<String, Object> specialTokensMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String role : SPECIAL_TOKEN_ROLES) {
            String content = specialToken(role);
            if (content != null) {
                out.put(role, content);
            }
        }
        List<String> additional = additionalSpecialTokens();
        if (!additional.isEmpty()) {
            out.put("additional_special_tokens", additional);
        }
        return out;
    }

    /** {@code clean_up_tokenization_spaces}; transformers defaults to false when absent. */
    boolean cleanUpTokenizationSpaces() {
        return json.path("clean_up_tokenization_spaces").asBoolean(false);
    }

    Boolean flag(String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? null : value.asBoolean();
    }

    String tokenizerClass() {
        JsonNode value = json.get("tokenizer_class");
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The {@code chat_template} entry: a string, a list of {name, template}, or null. */
    JsonNode chatTemplate() {
        JsonNode value = json.get("chat_template");
        return value == null || value.isNull() ? null : value;
    }
}
