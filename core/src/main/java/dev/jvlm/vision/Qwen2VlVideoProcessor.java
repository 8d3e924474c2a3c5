package dev.jvlm.vision;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code Qwen2VLVideoProcessor} (Qwen2-VL and Qwen2.5-VL): frame sampling as its
 * {@code sample_frames} (by {@code num_frames} or {@code fps}, bounded by {@code min_frames} /
 * {@code max_frames}, rounded to the temporal patch size), RGB conversion, every frame resized to the
 * {@code smart_resize} of the first frame's size within the video pixel budget, rescale and normalise,
 * the frame count padded to a multiple of the temporal patch size by repeating the last frame, and
 * patches cut as for images with real frames in the temporal slots. Output:
 * {@code pixel_values_videos} [patches, 3 * temporal * patch * patch], {@code video_grid_thw}
 * [videos, 3] and {@code second_per_grid_ts} [videos] (temporal patch size / fps, which Qwen2.5-VL
 * turns into temporal positions; Qwen2-VL ignores it).
 *
 * <p>Resizing is Pillow's, as transformers 4.50's {@code Qwen2VLImageProcessor} resized video frames;
 * current transformers resizes frames with torchvision, which can differ from Pillow by a level or so.
 */
public final class Qwen2VlVideoProcessor {

    /** Qwen2VLVideoProcessor's class defaults for the pixel budget of one frame. */
    static final int DEFAULT_MIN_PIXELS = 128 * 28 * 28;
    static final int DEFAULT_MAX_PIXELS = 28 * 28 * 768;
    /** The {@code fps} Hugging Face's Qwen2.5-VL processor assumes when none is given. */
    static final double DEFAULT_FPS = 2.0;

    /**
     * Settings from {@code video_preprocessor_config.json} (else {@code preprocessor_config.json}, as
     * Hugging Face falls back to it).
     *
     * @param minPixels       {@code min_pixels} (else {@code size.shortest_edge}): the least pixels of a resized frame
     * @param maxPixels       {@code max_pixels} (else {@code size.longest_edge}): the most pixels of a resized frame
     * @param doSampleFrames  {@code do_sample_frames}: sample frames even when the call asks for no sampling
     * @param fps             {@code fps}, or null
     * @param numFrames       {@code num_frames}, or null
     */
    public record Config(boolean doResize, Resample resample, int minPixels, int maxPixels, int patchSize,
                         int temporalPatchSize, int mergeSize, Normalization normalization, boolean doSampleFrames,
                         Double fps, Integer numFrames, int minFrames, int maxFrames) {

        static Config parse(ConfigJson pre) {
            ConfigJson size = pre.child("size");
            Double fps = pre.has("fps") ? pre.number("fps", DEFAULT_FPS) : null;
            Integer numFrames = pre.has("num_frames") ? pre.positive("num_frames", 1) : null;
            return new Config(pre.bool("do_resize", true),
                    pre.resample(Resample.BICUBIC),
                    pre.positive("min_pixels", size.positive("shortest_edge", DEFAULT_MIN_PIXELS)),
                    pre.positive("max_pixels", size.positive("longest_edge", DEFAULT_MAX_PIXELS)),
                    pre.positive("patch_size", 14),
                    pre.positive("temporal_patch_size", 2),
                    pre.positive("merge_size", 2),
                    Normalization.fromConfig(pre, ConfigJson.OPENAI_CLIP_MEAN, ConfigJson.OPENAI_CLIP_STD),
                    pre.bool("do_sample_frames", false), fps, numFrames,
                    pre.positive("min_frames", 4), pre.positive("max_frames", 768));
        }
    }

    private final Config config;

    public Qwen2VlVideoProcessor(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /**
     * The video processor of a model directory: {@code video_preprocessor_config.json}, else
     * {@code preprocessor_config.json}; its processor type must be Qwen2-VL's (Qwen2.5-VL uses the same).
     */
    public static Qwen2VlVideoProcessor fromDirectory(Path modelDirectory) throws IOException {
        Path video = modelDirectory.resolve("video_preprocessor_config.json");
        Path file = Files.isRegularFile(video) ? video : modelDirectory.resolve("preprocessor_config.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(modelDirectory + ": no video_preprocessor_config.json or preprocessor_config.json");
        }
        return fromJson(Files.readString(file), file.getFileName().toString());
    }

    /** The processor for a video (or image) preprocessor config document; {@code source} names it in errors. */
    public static Qwen2VlVideoProcessor fromJson(String json, String source) {
        ConfigJson pre;
        try {
            pre = new ConfigJson(new ObjectMapper().readTree(json), source);
        } catch (IOException e) {
            throw new UncheckedIOException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        String type = pre.text("video_processor_type", pre.text("image_processor_type", null));
        if (type == null || !type.replace("Fast", "").matches("Qwen2(_5)?_?VL(Video|Image)Processor")) {
            throw new IllegalArgumentException(source + ": processor type " + type + " has no video input; videos need a "
                    + "Qwen2-VL or Qwen2.5-VL model (Qwen2VLImageProcessor / Qwen2VLVideoProcessor)");
        }
        return new Qwen2VlVideoProcessor(Config.parse(pre));
    }

    /**
     * What the prompt needs for one video.
     *
     * @param frames           frames the video had
     * @param sampledFrames    indices of the frames kept, in order
     * @param gridThw          (temporal, height, width) in patches
     * @param fps              the time scale: frames per second of the kept frames
     * @param secondPerGrid    seconds one temporal patch spans: temporal patch size / fps
     * @param numVideoTokens   video placeholder tokens in the prompt
     * @param prompt           the placeholder text: vision start, the video pads, vision end
     */
    public record Summary(int width, int height, int frames, int[] sampledFrames, int[] gridThw, int resizedHeight,
                          int resizedWidth, double fps, double secondPerGrid, int numVideoTokens, String prompt) {
    }

    /** Processor tensors by Hugging Face name and one summary per video, in input order. */
    public record Processed(Map<String, NdArray> tensors, List<Summary> videos) {
    }

    /** Processes the videos of one prompt, each sampled as {@code sampling} and the config say. */
    public Processed process(List<DecodedVideo> videos, VideoSampling sampling) {
        if (videos.isEmpty()) {
            throw new IllegalArgumentException("no videos to process");
        }
        int p = config.patchSize();
        int tp = config.temporalPatchSize();
        int m = config.mergeSize();
        int patchLength = 3 * tp * p * p;
        double fps = sampling.fps() != null ? sampling.fps() : config.fps() != null ? config.fps() : DEFAULT_FPS;
        List<float[]> perVideo = new ArrayList<>();
        long[] grid = new long[videos.size() * 3];
        float[] seconds = new float[videos.size()];
        List<Summary> summaries = new ArrayList<>();
        int totalPatches = 0;
        for (int v = 0; v < videos.size(); v++) {
            DecodedVideo video = videos.get(v);
            int[] keep = sampleIndices(video, sampling);
            DecodedImage first = video.frames().get(keep[0]);
            int height = first.height();
            int width = first.width();
            if (config.doResize()) {
                int[] hw = Qwen2VlImageProcessor.smartResize(height, width, p * m, config.minPixels(), config.maxPixels());
                height = hw[0];
                width = hw[1];
            }
            if (height % (p * m) != 0 || width % (p * m) != 0) {
                throw new IllegalArgumentException(video.source() + ": frames of " + width + "x" + height + " are not a multiple of "
                        + p * m + " pixels; enable do_resize");
            }
            int groups = (keep.length + tp - 1) / tp;
            float[][] chw = new float[groups * tp][];
            for (int k = 0; k < keep.length; k++) {
                DecodedImage frame = video.frames().get(keep[k]).toRgb();
                if (frame.width() != width || frame.height() != height) {
                    if (!config.doResize()) {
                        throw new IllegalArgumentException(video.source() + ": frame " + keep[k] + " is " + frame.width() + "x"
                                + frame.height() + " but frame " + keep[0] + " is " + width + "x" + height
                                + "; with do_resize off every frame must have the same size");
                    }
                    frame = frame.resize(width, height, config.resample());
                }
                chw[k] = new float[3 * height * width];
                config.normalization().writeChannelsFirst(frame, chw[k], 0);
            }
            for (int k = keep.length; k < chw.length; k++) {
                chw[k] = chw[keep.length - 1]; // padded to whole temporal patches with the last frame
            }
            int gridH = height / p;
            int gridW = width / p;
            int perGroup = gridH * gridW;
            float[] flat = new float[groups * perGroup * patchLength];
            for (int g = 0; g < groups; g++) {
                float[][] group = new float[tp][];
                System.arraycopy(chw, g * tp, group, 0, tp);
                Qwen2VlImageProcessor.patchify(group, height, width, p, m, flat, g * perGroup * patchLength);
            }
            perVideo.add(flat);
            totalPatches += groups * perGroup;
            grid[3 * v] = groups;
            grid[3 * v + 1] = gridH;
            grid[3 * v + 2] = gridW;
            seconds[v] = (float) (tp / fps);
            int tokens = groups * perGroup / (m * m);
            summaries.add(new Summary(first.width(), first.height(), video.frames().size(), keep, new int[] {groups, gridH, gridW},
                    height, width, fps, tp / fps, tokens, "<|vision_start|>" + "<|video_pad|>".repeat(tokens) + "<|vision_end|>"));
        }
        float[] pixels = new float[totalPatches * patchLength];
        int offset = 0;
        for (float[] flat : perVideo) {
            System.arraycopy(flat, 0, pixels, offset, flat.length);
            offset += flat.length;
        }
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        tensors.put("pixel_values_videos", new FloatArray(pixels, new int[] {totalPatches, patchLength}));
        tensors.put("video_grid_thw", new LongArray(grid, new int[] {videos.size(), 3}));
        tensors.put("second_per_grid_ts", new FloatArray(seconds, new int[] {videos.size()}));
        return new Processed(tensors, summaries);
    }

    /**
     * The frames to keep: all of them unless the call or the config asks to sample. Sampling by
     * {@code num_frames} works for any video; sampling by {@code fps} needs the source's frame rate, so
     * a folder of frames (which has none) is taken as already sampled at that rate.
     */
    int[] sampleIndices(DecodedVideo video, VideoSampling sampling) {
        int total = video.frames().size();
        Integer numFrames = sampling.numFrames();
        Double fps = sampling.fps();
        if (numFrames == null && fps == null && config.doSampleFrames()) {
            numFrames = config.numFrames();
            fps = numFrames == null ? config.fps() : null;
        }
        if (numFrames == null && (fps == null || video.fps().isEmpty())) {
            return range(total);
        }
        int minFrames = sampling.minFrames() != null ? sampling.minFrames() : config.minFrames();
        int maxFrames = sampling.maxFrames() != null ? sampling.maxFrames() : config.maxFrames();
        return sampleFrames(total, video.fps().orElse(0), fps, numFrames, minFrames, maxFrames, config.temporalPatchSize(),
                video.source());
    }

    /**
     * {@code Qwen2VLVideoProcessor.sample_frames}: {@code num_frames} rounded (half to even) to a multiple
     * of the temporal patch size; or, from {@code fps}, the video's duration times fps, at least
     * {@code minFrames}, at most {@code maxFrames} (itself rounded down to the patch size) and the frame
     * count, rounded down to the patch size. The indices are {@code torch.arange(0, total, total / n).int()}:
     * multiples of the float step, each rounded to float32 and truncated.
     */
    static int[] sampleFrames(int total, double sourceFps, Double fps, Integer numFrames, int minFrames, int maxFrames, int tp,
                              String source) {
        long n;
        if (numFrames != null) {
            n = (long) Math.rint((double) numFrames / tp) * tp;
        } else {
            double capped = Math.floor((double) Math.min(maxFrames, total) / tp) * tp;
            double wanted = total / sourceFps * fps;
            double x = Math.min(Math.min(Math.max(wanted, minFrames), capped), total);
            n = (long) Math.floor(x / tp) * tp;
        }
        if (n > total) {
            throw new IllegalArgumentException(source + ": cannot sample " + n + " frames from a video of " + total
                    + " frames; ask for fewer frames or a lower fps");
        }
        if (n == 0) {
            throw new IllegalArgumentException(source + ": sampling keeps 0 frames of " + total + " (counts are rounded to "
                    + "multiples of the temporal patch size " + tp + "); ask for more frames");
        }
        double step = (double) total / n;
        int size = (int) Math.ceil(total / step);
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = (int) (float) (i * step);
        }
        return indices;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
