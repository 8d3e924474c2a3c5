package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.vision.VideoSampling;
import picocli.CommandLine.Option;

/** Video frame sampling flags shared by {@code chat} and {@code preprocess}; what is not given comes from the model's config. */
final class VideoOptions {
    @Option(names = "--fps", paramLabel = "F", description = "Sample videos at F frames per second (a frame folder, which "
            + "has no frame rate, is taken as already at F); Qwen2.5-VL's time scale. Default: config, else all frames at 2.")
    Double fps;

    @Option(names = "--num-frames", paramLabel = "N", description = "Sample N frames uniformly (rounded to the temporal patch size).")
    Integer numFrames;

    @Option(names = "--min-frames", paramLabel = "N", description = "Fewest frames --fps sampling keeps (default: config, else 4).")
    Integer minFrames;

    @Option(names = "--max-frames", paramLabel = "N", description = "Most frames --fps sampling keeps (default: config, else 768).")
    Integer maxFrames;

    VideoSampling sampling() {
        try {
            return new VideoSampling(fps, numFrames, minFrames, maxFrames);
        } catch (IllegalArgumentException e) {
            throw new JvlmException("video sampling flags: " + e.getMessage().replace("num_frames", "--num-frames")
                    .replace("min_frames", "--min-frames").replace("max_frames", "--max-frames").replace("fps", "--fps"));
        }
    }
}
