package dev.jvlm.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one dataset record (a JSONL object or a parquet row, as plain Java values) into a
 * {@link Sample}. Errors name the record and the field path, e.g.
 * {@code "train.jsonl line 4: messages[1].content[0].text: expected a string, found null"}.
 */
final class Records {

    private Records() {
    }

    /**
     * @param origin  the record, e.g. {@code "train.jsonl line 4"}
     * @param baseDir where relative image paths start
     * @throws SampleException when the record does not fit the schema
     */
    static Sample toSample(Map<String, Object> record, DatasetSchema schema, Path baseDir, String origin) {
        return switch (schema) {
            case CONVERSATIONS -> conversation(record, baseDir, origin);
            case CAPTIONS -> {
                ImageSource image = ImageCells.resolve(required(record, "image", origin), baseDir, origin + ", image");
                yield caption(image, string(record.get("text"), origin, "text"), origin);
            }
            case DONUT_JSON -> {
                ImageSource image = ImageCells.resolve(required(record, "image", origin), baseDir, origin + ", image");
                String target = donutTarget(required(record, "ground_truth", origin), origin);
                yield new Sample(List.of(
                        Message.parts("user", new Part.Image(), new Part.Text(DatasetSchema.DONUT_INSTRUCTION)),
                        Message.parts("assistant", new Part.Text(target))), List.of(image), origin);
            }
        };
    }

    /** A captioning sample as the seeds' rdr-items recipe builds it: instruction, image; the caption answers. */
    static Sample caption(ImageSource image, String text, String origin) {
        return new Sample(List.of(
                Message.parts("user", new Part.Text(DatasetSchema.CAPTION_INSTRUCTION), new Part.Image()),
                Message.parts("assistant", new Part.Text(text))), List.of(image), origin);
    }

    private static String donutTarget(Object groundTruth, String origin) {
        JsonNode json = switch (groundTruth) {
            case String s -> parseJson(s, origin + ", ground_truth");
            case Map<?, ?> m -> Json.MAPPER.valueToTree(m);
            default -> throw new SampleException(origin + ": ground_truth: expected a JSON string, found "
                    + groundTruth.getClass().getSimpleName());
        };
        try {
            return DonutJson.json2token(DonutJson.firstParse(json), true);
        } catch (IllegalArgumentException e) {
            throw new SampleException(origin + ": ground_truth " + e.getMessage());
        }
    }

    private static JsonNode parseJson(String text, String where) {
        try {
            return Json.parse(text, where);
        } catch (dev.jvlm.JvlmException e) {
            throw new SampleException(e.getMessage(), e);
        }
    }

    private static Sample conversation(Map<String, Object> record, Path baseDir, String origin) {
        if (!(required(record, "messages", origin) instanceof List<?> rawMessages) || rawMessages.isEmpty()) {
            throw new SampleException(origin + ": messages: expected a non-empty list of {\"role\", \"content\"}");
        }
        List<Message> messages = new ArrayList<>();
        List<ImageSource> inline = new ArrayList<>();
        for (int m = 0; m < rawMessages.size(); m++) {
            String field = "messages[" + m + "]";
            if (!(rawMessages.get(m) instanceof Map<?, ?> message)) {
                throw new SampleException(origin + ": " + field + ": expected an object with \"role\" and \"content\"");
            }
            String role = string(message.get("role"), origin, field + ".role");
            Object content = message.get("content");
            switch (content) {
                case String text -> messages.add(Message.text(role, text));
                case List<?> parts -> messages.add(new Message(role, parts(parts, baseDir, origin, field + ".content", inline), false));
                case null, default -> throw new SampleException(origin + ": " + field + ".content: expected a string or a list of "
                        + "parts, found " + (content == null ? "null" : content.getClass().getSimpleName()));
            }
        }
        List<ImageSource> listed = new ArrayList<>();
        Object images = record.get("images");
        if (images instanceof List<?> cells) {
            for (int i = 0; i < cells.size(); i++) {
                listed.add(ImageCells.resolve(cells.get(i), baseDir, origin + ", images[" + i + "]"));
            }
        } else if (images != null) {
            listed.add(ImageCells.resolve(images, baseDir, origin + ", images"));
        }
        if (!listed.isEmpty() && !inline.isEmpty()) {
            throw new SampleException(origin + ": images are given both inline in the image parts and in \"images\"; use one");
        }
        return new Sample(messages, inline.isEmpty() ? listed : inline, origin);
    }

    private static List<Part> parts(List<?> rawParts, Path baseDir, String origin, String field, List<ImageSource> inline) {
        List<Part> parts = new ArrayList<>();
        for (int p = 0; p < rawParts.size(); p++) {
            String partField = field + "[" + p + "]";
            if (!(rawParts.get(p) instanceof Map<?, ?> part)) {
                throw new SampleException(origin + ": " + partField + ": expected {\"type\": \"text\" | \"image\", ...}");
            }
            String type = string(part.get("type"), origin, partField + ".type");
            switch (type) {
                case "text" -> parts.add(new Part.Text(string(part.get("text"), origin, partField + ".text")));
                case "image" -> {
                    parts.add(new Part.Image());
                    if (part.get("image") != null) {
                        inline.add(ImageCells.resolve(part.get("image"), baseDir, origin + ", " + partField + ".image"));
                    }
                }
                default -> throw new SampleException(origin + ": " + partField + ".type: unsupported part type \"" + type
                        + "\" (supported: text, image)");
            }
        }
        return parts;
    }

    private static Object required(Map<String, Object> record, String field, String origin) {
        Object value = record.get(field);
        if (value == null) {
            throw new SampleException(origin + ": " + field + ": missing or null");
        }
        return value;
    }

    private static String string(Object value, String origin, String field) {
        if (value instanceof String s) {
            return s;
        }
        throw new SampleException(origin + ": " + field + ": expected a string, found "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    /** A JSON value as plain Java: Map, List, String, Long / BigInteger, Double, Boolean, null. */
    static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(plain(e)));
            return list;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.asLong() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return null;
    }
}
