package dev.jvlm.synth;

import java.util.Locale;

/**
 * The dataset splits. Every scene layout (which shapes, colours, sizes and cells) belongs to exactly
 * one split, whatever the seed, so a held-out scene is never seen in training, even with a
 * different seed or more examples.
 */
public enum Split {
    TRAIN, VAL, TEST;

    /** The file stem: {@code train.jsonl}, {@code images/train_000000.png}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
