package dev.jvlm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.jvlm.JvlmException;
import java.nio.file.Path;

/**
 * A view of a Hugging Face config object (config.json or one of its sub-configs) whose getters take
 * the configuration class's default for absent or null keys, and whose type errors name the file and
 * the key path.
 */
public record ConfigNode(JsonNode node, String where) {

    public static ConfigNode read(Path file) {
        JsonNode n = Json.read(file);
        if (!n.isObject()) {
            throw new JvlmException(file + ": expected a JSON object");
        }
        return new ConfigNode(n, file.toString());
    }

    public boolean has(String key) {
        return node.hasNonNull(key);
    }

    /** A sub-config; an empty one (all defaults) when absent. */
    public ConfigNode child(String key) {
        JsonNode c = node.get(key);
        if (c != null && !c.isNull() && !c.isObject()) {
            throw new JvlmException(where + ": \"" + key + "\" must be an object");
        }
        return new ConfigNode(c == null || c.isNull() ? MissingNode.getInstance() : c, where + ": " + key);
    }

    public JsonNode raw(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public int getInt(String key, int def) {
        JsonNode v = raw(key);
        if (v == null) {
            return def;
        }
        if (!v.canConvertToInt() || (v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble()))) {
            throw error(key, "an integer", v);
        }
        return v.asInt();
    }

    /** Like {@link #getInt} but null stays null (keys whose default is None). */
    public Integer getIntOrNull(String key, Integer def) {
        if (raw(key) == null) {
            return def;
        }
        return getInt(key, 0);
    }

    public double getDouble(String key, double def) {
        JsonNode v = raw(key);
        if (v == null) {
            return def;
        }
        if (!v.isNumber()) {
            throw error(key, "a number", v);
        }
        return v.asDouble();
    }

    public boolean getBool(String key, boolean def) {
        JsonNode v = raw(key);
        if (v == null) {
            return def;
        }
        if (!v.isBoolean()) {
            throw error(key, "true or false", v);
        }
        return v.asBoolean();
    }

    public String getString(String key, String def) {
        JsonNode v = raw(key);
        if (v == null) {
            return def;
        }
        if (!v.isTextual()) {
            throw error(key, "a string", v);
        }
        return v.asText();
    }

    /** An int or a list of ints (e.g. {@code eos_token_id}); empty when absent. */
    public int[] getIntList(String key) {
        JsonNode v = raw(key);
        if (v == null) {
            return new int[0];
        }
        if (v.canConvertToInt() && v.isIntegralNumber()) {
            return new int[] {v.asInt()};
        }
        if (!v.isArray()) {
            throw error(key, "an integer or a list of integers", v);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isIntegralNumber()) {
                throw error(key, "an integer or a list of integers", v);
            }
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    public JvlmException error(String key, String expected, JsonNode found) {
        return new JvlmException(where + ": \"" + key + "\" must be " + expected + ", found " + found);
    }
}
