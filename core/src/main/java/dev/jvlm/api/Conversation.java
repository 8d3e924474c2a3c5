package dev.jvlm.api;

import dev.jvlm.vision.DecodedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat in the shape chat templates read: messages with a role and content parts (text and image),
 * and the decoded images in the order their parts appear.
 */
public final class Conversation {
    private final List<Map<String, Object>> messages = new ArrayList<>();
    private final List<DecodedImage> images = new ArrayList<>();

    public Conversation system(String text) {
        messages.add(message("system", List.of(textPart(text))));
        return this;
    }

    /** A user turn: the images first, then the text, as the usual VLM chat examples lay them out. */
    public Conversation user(String text, List<DecodedImage> turnImages) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (DecodedImage image : turnImages) {
            parts.add(Map.of("type", "image"));
            images.add(image);
        }
        parts.add(textPart(text));
        messages.add(message("user", parts));
        return this;
    }

    public Conversation user(String text) {
        return user(text, List.of());
    }

    public Conversation assistant(String text) {
        messages.add(message("assistant", List.of(textPart(text))));
        return this;
    }

    /** Removes every message and image. */
    public void clear() {
        messages.clear();
        images.clear();
    }

    public List<Map<String, Object>> messages() {
        return List.copyOf(messages);
    }

    public List<DecodedImage> images() {
        return List.copyOf(images);
    }

    private static Map<String, Object> message(String role, List<Map<String, Object>> content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", List.copyOf(content));
        return m;
    }

    private static Map<String, Object> textPart(String text) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "text");
        p.put("text", text);
        return p;
    }
}
