package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads required fields of tokenizer.json components, failing with the component named. */
final class JsonFields {

    private JsonFields() {
    }

    static String requiredText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new TokenizerException(where + ": field \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    static JsonNode requiredArray(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new TokenizerException(where + ": field \"" + field + "\" must be an array");
        }
        return value;
    }

    static int requiredInt(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new TokenizerException(where + ": field \"" + field + "\" must be an integer");
        }
        return value.asInt();
    }

    /** A one-character string field (Rust {@code char}), as a code point. */
    static int requiredChar(JsonNode node, String field, String where) {
        String text = requiredText(node, field, where);
        if (text.isEmpty() || text.codePointCount(0, text.length()) != 1) {
            throw new TokenizerException(where + ": field \"" + field + "\" must be a single character");
        }
        return text.codePointAt(0);
    }
}
