package dev.jvlm.synth;

import dev.jvlm.JvlmException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a synthetic dataset is made from. The seed and the task list fix every scene, question and
 * answer; the image size changes only the pixels.
 *
 * @param types the question types; examples cycle through them in {@link QuestionType} order
 */
public record SynthConfig(long seed, int imageSize, Set<QuestionType> types) {
    public static final int DEFAULT_IMAGE_SIZE = 96;

    public SynthConfig {
        if (imageSize < SceneRenderer.MIN_SIZE || imageSize > SceneRenderer.MAX_SIZE) {
            throw new JvlmException("image size must be " + SceneRenderer.MIN_SIZE + " to " + SceneRenderer.MAX_SIZE
                    + " pixels, got " + imageSize);
        }
        if (types.isEmpty()) {
            throw new JvlmException("no tasks given; name at least one of qa, caption or a question type");
        }
        types = Collections.unmodifiableSet(EnumSet.copyOf(types));
    }

    /** Every question type and captions, at the default image size. */
    public SynthConfig(long seed) {
        this(seed, DEFAULT_IMAGE_SIZE, EnumSet.allOf(QuestionType.class));
    }
}
