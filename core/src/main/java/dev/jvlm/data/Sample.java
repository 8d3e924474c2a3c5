package dev.jvlm.data;

import java.util.List;
import java.util.Objects;

/**
 * One training example: a conversation and the images its image parts stand for, in order.
 *
 * @param messages the conversation; at least one assistant message carries the targets
 * @param images   one image per {@link Part.Image} of {@code messages}, in order of appearance
 * @param origin   where the sample came from (e.g. {@code "train.jsonl line 12"}), for error messages
 */
public record Sample(List<Message> messages, List<ImageSource> images, String origin) {

    public Sample {
        messages = List.copyOf(messages);
        images = List.copyOf(images);
        Objects.requireNonNull(origin, "origin");
    }

    /** Number of image parts in the conversation. */
    public int imagePartCount() {
        return messages.stream().mapToInt(Message::imageCount).sum();
    }
}
