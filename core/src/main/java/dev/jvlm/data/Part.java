package dev.jvlm.data;

import java.util.Objects;

/** One part of a message's content, as chat templates see it: text, or the place of an image. */
public sealed interface Part {

    /** A piece of text: {@code {"type": "text", "text": ...}}. */
    record Text(String text) implements Part {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The place of the next image of the sample: {@code {"type": "image"}}. Images are taken from
     * {@link Sample#images()} in the order their parts appear in the conversation.
     */
    record Image() implements Part {
    }
}
