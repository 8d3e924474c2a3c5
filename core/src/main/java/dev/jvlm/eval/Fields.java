package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed, checked access to the fields of one input item; every failure names the field. */
final class Fields {

    static final String PREDICTION = "prediction";
    static final String REFERENCES = "references";

    private final JsonNode item;

    Fields(JsonNode item) {
        if (item == null || !item.isObject()) {
            throw new BadItemException(null, "an item must be a JSON object");
        }
        this.item = item;
    }

    /** A field that must be present and not null. */
    JsonNode required(String name) {
        JsonNode value = item.get(name);
        if (value == null || value.isNull()) {
            throw new BadItemException(name, "missing");
        }
        return value;
    }

    Optional<JsonNode> optional(String name) {
        JsonNode value = item.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    String string(String name) {
        return text(required(name), name);
    }

    /** An array of strings with at least {@code minimum} elements. */
    List<String> strings(String name, int minimum) {
        return strings(required(name), name, minimum);
    }

    /** The {@code references} list, which must hold at least one answer. */
    List<String> references() {
        return strings(REFERENCES, 1);
    }

    /** The one reference answer of metrics whose toolkit compares against a single gold string. */
    String singleReference() {
        List<String> references = strings(REFERENCES, 1);
        if (references.size() != 1) {
            throw new BadItemException(REFERENCES, "expected exactly one reference answer, got " + references.size());
        }
        return references.getFirst();
    }

    String prediction() {
        return string(PREDICTION);
    }

    /** An integer field, defaulting when absent; an integral float such as 2.0 is accepted. */
    int integer(String name, int defaultValue) {
        Optional<JsonNode> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        JsonNode node = value.get();
        if (!node.isNumber() || !node.canConvertToExactIntegral() || !node.canConvertToInt()) {
            throw new BadItemException(name, "expected an integer, got " + node);
        }
        return node.intValue();
    }

    static String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new BadItemException(field, "expected a string, got " + describe(node));
        }
        return node.textValue();
    }

    static List<String> strings(JsonNode node, String field, int minimum) {
        if (!node.isArray()) {
            throw new BadItemException(field, "expected an array of strings, got " + describe(node));
        }
        List<String> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            values.add(text(node.get(i), field + "[" + i + "]"));
        }
        if (values.size() < minimum) {
            throw new BadItemException(field, "expected at least " + minimum + " element(s), got " + values.size());
        }
        return values;
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
