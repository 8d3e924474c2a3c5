package dev.jvlm.vision;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The frames of a video in temporal order, each a full picture (animation frames already composited),
 * and the source's frame rate where it has one.
 *
 * @param source what the frames came from (a file or folder name), for messages
 * @param frames at least one frame
 * @param fps    frames per second of the source (an animation's frame delays); empty for a folder of
 *               frames, which carries no timing
 */
public record DecodedVideo(String source, List<DecodedImage> frames, OptionalDouble fps) {

    public DecodedVideo {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException(source + ": a video needs at least one frame");
        }
        if (fps.isPresent() && !(fps.getAsDouble() > 0 && Double.isFinite(fps.getAsDouble()))) {
            throw new IllegalArgumentException(source + ": frame rate must be positive, got " + fps.getAsDouble());
        }
    }

    /** A video of the given frames with no frame rate (a folder of frames, or frames made in memory). */
    public static DecodedVideo of(String source, List<DecodedImage> frames) {
        return new DecodedVideo(source, frames, OptionalDouble.empty());
    }
}
