package dev.jvlm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The Donut token format of structured targets (CORD-v2 and other document datasets): JSON written
 * as {@code <s_key>value</s_key>}, list items separated by {@code <sep/>}.
 *
 * <p>{@link #json2token} is the seeds' (NeMo's and Donut's) {@code json2token}. {@link #token2json}
 * is its exact inverse for well-formed sequences and rejects malformed ones; scoring a model's free
 * output, which may be malformed, is the evaluation side's tolerant parser.
 */
public final class DonutJson {

    private static final String SEPARATOR = "<sep/>";
    private static final String TEXT_SEQUENCE = "text_sequence";

    private DonutJson() {
    }

    /**
     * Donut's {@code json2token(obj, sort_json_key)}: an object becomes {@code <s_k>value</s_k>} per
     * key (keys in reverse code-point order when sorting, as Python's {@code sorted(..., reverse=True)}),
     * except that an object holding only {@code text_sequence} becomes that value; a list joins its
     * items with {@code <sep/>}; anything else is Python's {@code str()} of the value.
     */
    public static String json2token(JsonNode value, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        write(value, sortKeys, out);
        return out.toString();
    }

    private static void write(JsonNode value, boolean sortKeys, StringBuilder out) {
        if (value.isObject()) {
            if (value.size() == 1 && value.has(TEXT_SEQUENCE)) {
                write(value.get(TEXT_SEQUENCE), sortKeys, out);
                return;
            }
            List<String> keys = new ArrayList<>();
            value.fieldNames().forEachRemaining(keys::add);
            if (sortKeys) {
                keys.sort(DonutJson::compareCodePoints);
                keys = keys.reversed();
            }
            for (String key : keys) {
                out.append("<s_").append(key).append('>');
                write(value.get(key), sortKeys, out);
                out.append("</s_").append(key).append('>');
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(SEPARATOR);
                }
                write(value.get(i), sortKeys, out);
            }
        } else {
            out.append(pythonStr(value));
        }
    }

    /** Python orders strings by code point; Java's compareTo by UTF-16 unit, which differs above U+FFFF. */
    private static int compareCodePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    /** {@code str()} of what Python's {@code json.loads} makes of a scalar. */
    private static String pythonStr(JsonNode scalar) {
        if (scalar.isTextual()) {
            return scalar.asText();
        }
        if (scalar.isNull()) {
            return "None";
        }
        if (scalar.isBoolean()) {
            return scalar.asBoolean() ? "True" : "False";
        }
        if (scalar.isIntegralNumber()) {
            return scalar.bigIntegerValue().toString();
        }
        return pythonFloat(scalar.asDouble());
    }

    /** Python's float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String pythonFloat(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return 1 / x < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = d.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (x < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /**
     * The JSON a well-formed token sequence stands for: objects with keys in order of appearance,
     * lists where items are separated by {@code <sep/>}, text leaves as strings. A sequence that holds
     * no {@code <s_key>} at the top is {@code {"text_sequence": sequence}}, as in Donut.
     *
     * @throws IllegalArgumentException on an unclosed or mismatched tag, naming the character position
     */
    public static JsonNode token2json(String tokens) {
        if (!tokens.startsWith("<s_")) {
            ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
            wrapped.put(TEXT_SEQUENCE, tokens);
            return wrapped;
        }
        Parser parser = new Parser(tokens);
        JsonNode value = parser.value(null);
        if (parser.pos != tokens.length()) {
            throw new IllegalArgumentException("unexpected text at character " + parser.pos + ": "
                    + tokens.substring(parser.pos, Math.min(tokens.length(), parser.pos + 20)));
        }
        return value;
    }

    /** Recursive descent over {@code value := item (<sep/> item)*, item := (<s_k> value </s_k>)+ | text}. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        /** A value that ends at {@code </s_closingKey>} (or the end of input when null). */
        JsonNode value(String closingKey) {
            List<JsonNode> items = new ArrayList<>();
            items.add(item(closingKey));
            while (s.startsWith(SEPARATOR, pos)) {
                pos += SEPARATOR.length();
                items.add(item(closingKey));
            }
            if (items.size() == 1) {
                return items.getFirst();
            }
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            items.forEach(array::add);
            return array;
        }

        private JsonNode item(String closingKey) {
            if (!s.startsWith("<s_", pos)) {
                return JsonNodeFactory.instance.textNode(text(closingKey));
            }
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            while (s.startsWith("<s_", pos)) {
                int close = s.indexOf('>', pos);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated tag at character " + pos);
                }
                String key = s.substring(pos + 3, close);
                pos = close + 1;
                JsonNode value = value(key);
                String end = "</s_" + key + ">";
                if (!s.startsWith(end, pos)) {
                    throw new IllegalArgumentException("expected " + end + " at character " + pos);
                }
                pos += end.length();
                object.set(key, value);
            }
            return object;
        }

        /** Text up to the next separator or the closing tag. */
        private String text(String closingKey) {
            int end = closingKey == null ? s.length() : s.indexOf("</s_" + closingKey + ">", pos);
            if (end < 0) {
                throw new IllegalArgumentException("no </s_" + closingKey + "> after character " + pos);
            }
            int sep = s.indexOf(SEPARATOR, pos);
            if (sep >= 0 && sep < end) {
                end = sep;
            }
            String text = s.substring(pos, end);
            pos = end;
            return text;
        }
    }

    /** The first ground truth of a CORD-style {@code ground_truth} document: {@code gt_parse}, or {@code gt_parses[0]}. */
    static JsonNode firstParse(JsonNode groundTruth) {
        if (groundTruth.has("gt_parses")) {
            JsonNode parses = groundTruth.get("gt_parses");
            if (!parses.isArray() || parses.isEmpty()) {
                throw new IllegalArgumentException("\"gt_parses\" must be a non-empty list");
            }
            return parses.get(0);
        }
        JsonNode parse = groundTruth.get("gt_parse");
        if (parse == null || !parse.isObject()) {
            throw new IllegalArgumentException("needs \"gt_parse\" (an object) or \"gt_parses\" (a list)");
        }
        return parse;
    }
}
