package dev.jvlm.vision;

/**
 * The {@code size} / {@code crop_size} entries of {@code preprocessor_config.json}, in the forms
 * Hugging Face's {@code get_size_dict} accepts.
 */
public sealed interface TargetSize {

    /** Resize so that the shorter side has this length, keeping the aspect ratio. */
    record ShortestEdge(int edge) implements TargetSize {
    }

    /** Resize so that the longer side has this length, keeping the aspect ratio. */
    record LongestEdge(int edge) implements TargetSize {
    }

    /** Resize to exactly this size. */
    record Exact(int height, int width) implements TargetSize {
    }
}
