package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;

/** Builds test items and scores them through the public metric API. */
final class Items {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Items() {
    }

    static JsonNode json(Object value) {
        return MAPPER.valueToTree(value);
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ItemScore score(String metric, Map<String, ?> item) {
        return Metrics.find(metric).orElseThrow().score(json(item));
    }

    static double value(String metric, Map<String, ?> item) {
        return score(metric, item).value();
    }

    /** The extracted answer as text, or null when the metric extracted nothing. */
    static String extracted(String metric, Map<String, ?> item) {
        JsonNode extracted = score(metric, item).extracted().orElseThrow();
        return extracted.isNull() ? null : extracted.asText();
    }
}
