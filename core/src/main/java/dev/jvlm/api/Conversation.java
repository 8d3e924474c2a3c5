package dev.jvlm.api;

import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.VideoSampling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat in the shape chat templates read: messages with a role and content parts (text, image and
 * video), the decoded images and videos in the order their parts appear, and how videos are sampled
 * (one setting for the whole conversation, as one Hugging Face processor call has one).
 */
public final class Conversation {
    private final List<Map<String, Object>> messages = new ArrayList<>();
    private final List<DecodedImage> images = new ArrayList<>();
    private final List<DecodedVideo> videos = new ArrayList<>();
    private VideoSampling videoSampling = VideoSampling.DEFAULT;

    public Conversation system(String text) {
        messages.add(message("system", List.of(textPart(text))));
        return this;
    }

    /** A user turn: the images first, then the text, as the usual VLM chat examples lay them out. */
    public Conversation user(String text, List<DecodedImage> turnImages) {
        return user(text, turnImages, List.of());
    }

    /**
     * A user turn: the images, then the videos ({@code {"type": "video"}} parts, which Qwen's chat
     * templates write as a video placeholder), then the text.
     */
    public Conversation user(String text, List<DecodedImage> turnImages, List<DecodedVideo> turnVideos) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (DecodedImage image : turnImages) {
            parts.add(Map.of("type", "image"));
            images.add(image);
        }
        for (DecodedVideo video : turnVideos) {
            parts.add(Map.of("type", "video"));
            videos.add(video);
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

    /** How this conversation's videos are sampled (fps or frame count); the model's config fills what is null. */
    public Conversation videoSampling(VideoSampling sampling) {
        this.videoSampling = Objects.requireNonNull(sampling, "sampling");
        return this;
    }

    public VideoSampling videoSampling() {
        return videoSampling;
    }

    /** Removes every message, image and video. */
    public void clear() {
        messages.clear();
        images.clear();
        videos.clear();
    }

    public List<Map<String, Object>> messages() {
        return List.copyOf(messages);
    }

    public List<DecodedImage> images() {
        return List.copyOf(images);
    }

    public List<DecodedVideo> videos() {
        return List.copyOf(videos);
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
