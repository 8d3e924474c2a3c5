package dev.jvlm.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code Gemma3ImageProcessor} without pan-and-scan: RGB conversion, a resize to
 * the configured size (SigLIP style, aspect ratio not kept), rescale and normalise. Output:
 * {@code pixel_values} [images, 3, height, width].
 *
 * <p>Images are always converted to RGB: with {@code do_convert_rgb: null} Hugging Face's
 * processor fails on non-RGB images, and converting is what a user has to do to get past that.
 */
public final class Gemma3ImageProcessor implements ImageProcessor {

    public static final String START_OF_IMAGE = "<start_of_image>";
    public static final String IMAGE_SOFT_TOKEN = "<image_soft_token>";
    public static final String END_OF_IMAGE = "<end_of_image>";

    /**
     * Settings from {@code preprocessor_config.json}, and the tokens per image.
     *
     * @param tokensPerImage {@code image_seq_length} of {@code processor_config.json}, else
     *                       {@code mm_tokens_per_image} of {@code config.json}, else 256
     */
    public record Config(boolean doResize, TargetSize.Exact size, Resample resample, Normalization normalization,
                         int tokensPerImage) {

        static Config parse(ConfigJson pre, ConfigJson processor, ConfigJson model) {
            if (pre.bool("do_pan_and_scan", false)) {
                throw new IllegalArgumentException("preprocessor_config.json: do_pan_and_scan is not supported; "
                        + "set it to false");
            }
            int tokens = processor.has("image_seq_length")
                    ? processor.positive("image_seq_length", 256)
                    : model.positive("mm_tokens_per_image", 256);
            return new Config(pre.bool("do_resize", true),
                    pre.exactSize("size", new TargetSize.Exact(224, 224)),
                    pre.resample(Resample.BILINEAR),
                    Normalization.fromConfig(pre, ConfigJson.IMAGENET_STANDARD_MEAN, ConfigJson.IMAGENET_STANDARD_STD),
                    tokens);
        }
    }

    /**
     * What the prompt needs for one image.
     *
     * @param numCrops pan-and-scan crops: always 0 here
     */
    public record Summary(int width, int height, int numImageTokens, String prompt, int numCrops)
            implements ImageSummary {
    }

    private final Config config;

    public Gemma3ImageProcessor(Config config) {
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
            DecodedImage rgb = image.toRgb();
            if (config.doResize()) {
                rgb = rgb.resize(config.size().width(), config.size().height(), config.resample());
            }
            prepared.add(rgb);
        }
        int h = prepared.getFirst().height();
        int w = prepared.getFirst().width();
        float[] pixels = new float[prepared.size() * 3 * h * w];
        List<ImageSummary> summaries = new ArrayList<>();
        String prompt = "\n\n" + START_OF_IMAGE + IMAGE_SOFT_TOKEN.repeat(config.tokensPerImage()) + END_OF_IMAGE + "\n\n";
        for (int i = 0; i < prepared.size(); i++) {
            ClipImageProcessor.requireSameSize(prepared.get(i), h, w);
            config.normalization().writeChannelsFirst(prepared.get(i), pixels, i * 3 * h * w);
            summaries.add(new Summary(images.get(i).width(), images.get(i).height(), config.tokensPerImage(), prompt, 0));
        }
        return new ProcessedImages(Map.of("pixel_values", new FloatArray(pixels, new int[]{prepared.size(), 3, h, w})),
                summaries);
    }
}
