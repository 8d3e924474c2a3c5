package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Donut's {@code DonutModel.token2json} (clovaai/donut {@code donut/model.py}): turns a generated
 * sequence of {@code <s_key>value</s_key>} tokens, with {@code <sep/>} between list items, into JSON.
 * Tolerates what a model emits: an unclosed start token is deleted and parsing goes on.
 * <p>
 * Not reproduced: unwrapping of categorical special tokens such as {@code <advertisement/>}, which
 * Donut does only for tokens in its tokenizer's added vocabulary (RVL-CDIP); such leaves stay literal.
 */
final class DonutTokens {

    /** Python's {@code .} excludes only '\n'; UNIX_LINES gives Java the same. */
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNIX_LINES;
    private static final Pattern START_TOKEN = Pattern.compile("<s_(.*?)>", FLAGS);
    private static final String SEPARATOR = "<sep/>";
    private static final String TEXT_SEQUENCE = "text_sequence";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DonutTokens() {
    }

    /**
     * The parsed document: an object, or an array where items at the top level are separated by
     * {@code <sep/>}; {@code {"text_sequence": rest}} when no key/value pair parses.
     *
     * @throws IllegalArgumentException when a key is not a valid regular expression: Donut splices the key
     *                                  into a regex unescaped and fails on it too
     */
    static JsonNode parse(String tokens) {
        return parse(tokens, false);
    }

    private static JsonNode parse(String tokens, boolean innerValue) {
        ObjectNode output = JSON.objectNode();
        while (!tokens.isEmpty()) {
            Matcher start = START_TOKEN.matcher(tokens);
            if (!start.find()) {
                break;
            }
            String key = start.group(1);
            String startToken = start.group();
            Matcher end = endTokenPattern(key).matcher(tokens);
            if (!end.find()) {
                tokens = tokens.replace(startToken, "");
                continue;
            }
            String endToken = end.group();
            Matcher content = Pattern.compile(Pattern.quote(startToken) + "(.*?)" + Pattern.quote(endToken), FLAGS)
                    .matcher(tokens);
            if (content.find()) {
                String inner = Py.strip(content.group(1));
                if (inner.contains("<s_") && inner.contains("</s_")) {
                    JsonNode value = parse(inner, true);
                    if (!value.isEmpty()) {
                        output.set(key, value.size() == 1 ? value.get(0) : value);
                    }
                } else {
                    ArrayNode leaves = JSON.arrayNode();
                    for (String leaf : inner.split(Pattern.quote(SEPARATOR), -1)) {
                        leaves.add(Py.strip(leaf));
                    }
                    output.set(key, leaves.size() == 1 ? leaves.get(0) : leaves);
                }
            }
            tokens = Py.strip(tokens.substring(tokens.indexOf(endToken) + endToken.length()));
            if (tokens.startsWith(SEPARATOR)) {
                ArrayNode items = JSON.arrayNode().add(output);
                items.addAll((ArrayNode) parse(tokens.substring(SEPARATOR.length()), true));
                return items;
            }
        }
        if (!output.isEmpty()) {
            return innerValue ? JSON.arrayNode().add(output) : output;
        }
        return innerValue ? JSON.arrayNode() : JSON.objectNode().put(TEXT_SEQUENCE, tokens);
    }

    private static Pattern endTokenPattern(String key) {
        try {
            return Pattern.compile("</s_" + key + ">", FLAGS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("token key '" + key + "' is not a valid regular expression", e);
        }
    }
}
