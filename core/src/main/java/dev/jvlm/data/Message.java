package dev.jvlm.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation.
 *
 * @param role          {@code system}, {@code user}, {@code assistant} or whatever else the chat template knows
 * @param parts         the content, in order
 * @param stringContent the content was given as a plain string (exactly one text part); templates then
 *                      see a string, as Hugging Face passes it, which text-only templates need
 */
public record Message(String role, List<Part> parts, boolean stringContent) {

    public Message {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
        if (stringContent && (parts.size() != 1 || !(parts.getFirst() instanceof Part.Text))) {
            throw new IllegalArgumentException("string content is exactly one text part, got " + parts);
        }
    }

    /** A message whose content is a plain string. */
    public static Message text(String role, String text) {
        return new Message(role, List.of(new Part.Text(text)), true);
    }

    /** A message whose content is a list of parts. */
    public static Message parts(String role, Part... parts) {
        return new Message(role, List.of(parts), false);
    }

    /** Number of image parts. */
    public int imageCount() {
        return (int) parts.stream().filter(p -> p instanceof Part.Image).count();
    }

    /** The message as chat templates receive it: {@code {"role": ..., "content": string | [parts]}}. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        if (stringContent) {
            m.put("content", ((Part.Text) parts.getFirst()).text());
            return m;
        }
        List<Map<String, Object>> content = new ArrayList<>();
        for (Part p : parts) {
            Map<String, Object> part = new LinkedHashMap<>();
            switch (p) {
                case Part.Text t -> {
                    part.put("type", "text");
                    part.put("text", t.text());
                }
                case Part.Image i -> part.put("type", "image");
            }
            content.add(part);
        }
        m.put("content", content);
        return m;
    }
}
