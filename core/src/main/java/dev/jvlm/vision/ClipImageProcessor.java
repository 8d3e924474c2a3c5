package dev.jvlm.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code CLIPImageProcessor}, the processor of LLaVA 1.5: RGB conversion, a
 * shortest-edge resize, a centre crop, rescaling and normalisation. Output: {@code pixel_values}
 * [images, 3, height, width].
 */
public final class ClipImageProcessor implements ImageProcessor {

    /**
     * Settings from {@code preprocessor_config.json}, plus from {@code config.json} the vision
     * tower's patch size and whether the CLS feature is dropped, which fix the token count.
     *
     * @param dropsClsToken true for {@code vision_feature_select_strategy} "default", false for "full"
     */
    public record Config(boolean doResize, TargetSize size, Resample resample, boolean doCenterCrop,
                         TargetSize.Exact cropSize, Normalization normalization, int patchSize, boolean dropsClsToken) {

        public Config {
            if (size instanceof TargetSize.LongestEdge) {
                throw new IllegalArgumentException("CLIP-style processors take size as shortest_edge or height/width");
            }
        }

        static Config parse(ConfigJson pre, ConfigJson model) {
            ConfigJson vision = model.child("vision_config");
            String strategy = model.text("vision_feature_select_strategy", "default");
            if (!strategy.equals("default") && !strategy.equals("full")) {
                throw model.invalid("vision_feature_select_strategy", "\"default\" or \"full\"", model.get("vision_feature_select_strategy"));
            }
            return new Config(pre.bool("do_resize", true),
                    pre.size("size", new TargetSize.ShortestEdge(224), false),
                    pre.resample(Resample.BICUBIC),
                    pre.bool("do_center_crop", true),
                    pre.exactSize("crop_size", new TargetSize.Exact(224, 224)),
                    Normalization.fromConfig(pre, ConfigJson.OPENAI_CLIP_MEAN, ConfigJson.OPENAI_CLIP_STD),
                    vision.positive("patch_size", 14),
                    strategy.equals("default"));
        }

        /** Image tokens for a processed tile: one per patch, plus the CLS feature unless dropped. */
        int tokensPerTile(int height, int width) {
            return (height / patchSize) * (width / patchSize) + (dropsClsToken ? 0 : 1);
        }
    }

    /** What the prompt needs for one image: {@code <image>} repeated {@code numImageTokens} times. */
    public record Summary(int width, int height, int numImageTokens, String prompt) implements ImageSummary {
    }

    private final Config config;

    public ClipImageProcessor(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    public ProcessedImages process(List<DecodedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to process");
        }
        List<DecodedImage> prepared = new ArrayList<>();
        for (DecodedImage image : images) {
            prepared.add(resizeAndCrop(image.toRgb(), config));
        }
        int h = prepared.getFirst().height();
        int w = prepared.getFirst().width();
        float[] pixels = new float[prepared.size() * 3 * h * w];
        List<ImageSummary> summaries = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            DecodedImage p = prepared.get(i);
            requireSameSize(p, h, w);
            config.normalization().writeChannelsFirst(p, pixels, i * 3 * h * w);
            int tokens = config.tokensPerTile(h, w);
            summaries.add(new Summary(images.get(i).width(), images.get(i).height(), tokens, "<image>".repeat(tokens)));
        }
        return new ProcessedImages(Map.of("pixel_values", new FloatArray(pixels, new int[]{prepared.size(), 3, h, w})),
                summaries);
    }

    static void requireSameSize(DecodedImage image, int height, int width) {
        if (image.height() != height || image.width() != width) {
            throw new IllegalArgumentException("processed images differ in size (" + image.width() + "x" + image.height()
                    + " and " + width + "x" + height + ") and cannot be stacked into one tensor");
        }
    }

    /** The resize and centre crop of {@code CLIPImageProcessor.preprocess}, on an RGB image. */
    static DecodedImage resizeAndCrop(DecodedImage rgb, Config config) {
        DecodedImage out = rgb;
        if (config.doResize()) {
            int[] hw = resizeOutputSize(rgb.height(), rgb.width(), config.size());
            out = out.resize(hw[1], hw[0], config.resample());
        }
        if (config.doCenterCrop()) {
            out = ImageOps.centerCrop(out, config.cropSize().height(), config.cropSize().width());
        }
        return out;
    }

    /**
     * Hugging Face's {@code get_resize_output_image_size} with {@code default_to_square=False}:
     * the short side becomes the edge, the long side {@code int(edge * long / short)}.
     */
    static int[] resizeOutputSize(int height, int width, TargetSize size) {
        return switch (size) {
            case TargetSize.Exact(int h, int w) -> new int[]{h, w};
            case TargetSize.ShortestEdge(int edge) -> {
                int shortSide = Math.min(width, height);
                int longSide = Math.max(width, height);
                int newLong = (int) ((double) ((long) edge * longSide) / shortSide);
                yield width <= height ? new int[]{newLong, edge} : new int[]{edge, newLong};
            }
            case TargetSize.LongestEdge l -> throw new IllegalArgumentException("longest_edge is not a CLIP size");
        };
    }
}
