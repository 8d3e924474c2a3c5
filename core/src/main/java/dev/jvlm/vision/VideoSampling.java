package dev.jvlm.vision;

/**
 * How to pick frames from a video, as the {@code videos_kwargs} of a Hugging Face processor call:
 * {@code fps} or {@code num_frames} (not both), and the {@code min_frames} / {@code max_frames}
 * bounds of fps sampling. A null field takes the video processor config's value.
 *
 * @param fps       frames per second to sample; also the time scale of Qwen2.5-VL's
 *                  {@code second_per_grid_ts} (temporal patch size / fps)
 * @param numFrames how many frames to sample uniformly, rounded to a multiple of the temporal patch size
 * @param minFrames the fewest frames fps sampling keeps
 * @param maxFrames the most frames fps sampling keeps
 */
public record VideoSampling(Double fps, Integer numFrames, Integer minFrames, Integer maxFrames) {

    /** Everything from the video processor config. */
    public static final VideoSampling DEFAULT = new VideoSampling(null, null, null, null);

    public VideoSampling {
        if (fps != null && numFrames != null) {
            throw new IllegalArgumentException("fps and num_frames are mutually exclusive; give one of them");
        }
        if (fps != null && !(fps > 0 && Double.isFinite(fps))) {
            throw new IllegalArgumentException("fps must be a positive number, got " + fps);
        }
        if (numFrames != null && numFrames < 1) {
            throw new IllegalArgumentException("num_frames must be a positive integer, got " + numFrames);
        }
        if (minFrames != null && minFrames < 1) {
            throw new IllegalArgumentException("min_frames must be a positive integer, got " + minFrames);
        }
        if (maxFrames != null && maxFrames < 1) {
            throw new IllegalArgumentException("max_frames must be a positive integer, got " + maxFrames);
        }
    }
}
