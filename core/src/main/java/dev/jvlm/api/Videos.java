package dev.jvlm.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.Qwen2VlVideoProcessor;
import dev.jvlm.vision.VideoLoader;
import dev.jvlm.vision.VideoSampling;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The glue between video sources (frame folders, animated GIF / WebP), a model's video processor and its inputs. */
public final class Videos {
    /** What Qwen's chat templates write for a {@code {"type": "video"}} part. */
    public static final String TEMPLATE_PLACEHOLDER = "<|vision_start|><|video_pad|><|vision_end|>";

    private Videos() {
    }

    /** Decodes a folder of frames, an animated GIF or an animated WebP; a clear error naming it otherwise. */
    public static DecodedVideo load(Path path) {
        try {
            return new VideoLoader().load(path);
        } catch (IOException e) {
            throw new JvlmException(e.getMessage(), e);
        }
    }

    /** The video processor of a model directory; a clear error for models that take no video. */
    public static Qwen2VlVideoProcessor processor(Path modelDir, String modelType) {
        if (!modelType.equals("qwen2_vl") && !modelType.equals("qwen2_5_vl")) {
            throw new JvlmException(modelDir + ": model_type \"" + modelType + "\" takes no video; video input needs a "
                    + "Qwen2-VL or Qwen2.5-VL model");
        }
        try {
            return Qwen2VlVideoProcessor.fromDirectory(modelDir);
        } catch (IOException | RuntimeException e) {
            throw new JvlmException(modelDir + ": cannot build the video processor (" + e.getMessage() + ")", e);
        }
    }

    /** Processor tensors ({@code pixel_values_videos}, {@code video_grid_thw}, {@code second_per_grid_ts}) and per-video summaries. */
    public record Processed(Map<String, Tensor> tensors, List<Qwen2VlVideoProcessor.Summary> summaries) {
    }

    /** Samples and processes the videos of one prompt. */
    public static Processed process(Qwen2VlVideoProcessor processor, List<DecodedVideo> videos, VideoSampling sampling) {
        Qwen2VlVideoProcessor.Processed out;
        try {
            out = processor.process(videos, sampling);
        } catch (IllegalArgumentException e) {
            throw new JvlmException("video processing failed: " + e.getMessage(), e);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        out.tensors().forEach((name, array) -> tensors.put(name, Images.tensor(array)));
        return new Processed(tensors, out.videos());
    }

    /** Replaces each video placeholder of a rendered prompt by its video's expansion, in order. */
    public static String expandPrompt(String prompt, List<Qwen2VlVideoProcessor.Summary> summaries) {
        return Images.expand(prompt, TEMPLATE_PLACEHOLDER, summaries.stream().map(Qwen2VlVideoProcessor.Summary::prompt).toList(),
                "video");
    }

    /** The per-video JSON of {@code jvlm preprocess}. */
    public static ObjectNode summaryJson(Qwen2VlVideoProcessor.Summary s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("width", s.width());
        o.put("height", s.height());
        o.put("frames", s.frames());
        var sampled = o.putArray("sampled_frames");
        for (int i : s.sampledFrames()) {
            sampled.add(i);
        }
        var grid = o.putArray("video_grid_thw");
        for (int v : s.gridThw()) {
            grid.add(v);
        }
        o.putArray("resized_hw").add(s.resizedHeight()).add(s.resizedWidth());
        o.put("fps", s.fps());
        o.put("second_per_grid_t", s.secondPerGrid());
        o.put("num_video_tokens", s.numVideoTokens());
        o.put("prompt", s.prompt());
        return o;
    }
}
