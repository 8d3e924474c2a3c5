package dev.jvlm.vision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code Gemma3ImageProcessor}: RGB conversion, optionally pan-and-scan crops (an image
 * far from square is also cut into 2 to {@code pan_and_scan_max_num_crops} equal crops along its long
 * side), each image and crop resized to the configured size (SigLIP style, aspect ratio not kept),
 * rescale and normalise. Output: {@code pixel_values} [images + crops, 3, height, width], each image
 * followed by its crops. The prompt text for an image with crops is what Gemma3's processor writes:
 * "Here is the original image", the image, "and here are some crops to help you see better", the crops.
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
                         int tokensPerImage, PanAndScan panAndScan) {

        static Config parse(ConfigJson pre, ConfigJson processor, ConfigJson model) {
            int tokens = processor.has("image_seq_length")
                    ? processor.positive("image_seq_length", 256)
                    : model.positive("mm_tokens_per_image", 256);
            return new Config(pre.bool("do_resize", true),
                    pre.exactSize("size", new TargetSize.Exact(224, 224)),
                    pre.resample(Resample.BILINEAR),
                    Normalization.fromConfig(pre, ConfigJson.IMAGENET_STANDARD_MEAN, ConfigJson.IMAGENET_STANDARD_STD),
                    tokens, PanAndScan.parse(pre));
        }

        /** The same settings with pan-and-scan switched on (as {@code do_pan_and_scan=True} in a processor call). */
        public Config withPanAndScan() {
            PanAndScan p = panAndScan;
            return new Config(doResize, size, resample, normalization, tokensPerImage,
                    new PanAndScan(true, p.minCropSize(), p.maxNumCrops(), p.minRatioToActivate()));
        }
    }

    /**
     * The pan-and-scan settings; absent (or null) values take the defaults Gemma3's processor passes
     * (256, 4, 1.2).
     *
     * @param enabled            {@code do_pan_and_scan}
     * @param minCropSize        {@code pan_and_scan_min_crop_size}: no crop may be smaller, in pixels
     * @param maxNumCrops        {@code pan_and_scan_max_num_crops}
     * @param minRatioToActivate {@code pan_and_scan_min_ratio_to_activate}: long side / short side from which to crop
     */
    public record PanAndScan(boolean enabled, int minCropSize, int maxNumCrops, double minRatioToActivate) {
        static PanAndScan parse(ConfigJson pre) {
            double ratio = pre.number("pan_and_scan_min_ratio_to_activate", 1.2);
            if (!(ratio > 0)) {
                throw pre.invalid("pan_and_scan_min_ratio_to_activate", "a positive number", pre.get("pan_and_scan_min_ratio_to_activate"));
            }
            return new PanAndScan(pre.bool("do_pan_and_scan", false), pre.positive("pan_and_scan_min_crop_size", 256),
                    pre.positive("pan_and_scan_max_num_crops", 4), ratio);
        }

        /**
         * {@code pan_and_scan}'s crop boxes {x0, y0, x1, y1} for an image, clipped to it as numpy slicing
         * clips; none when the image is too close to square or the crops would be too small. The crop
         * count is the aspect ratio rounded half up, at most {@code floor(long side / minCropSize)},
         * then clamped to [2, maxNumCrops]; crops are {@code ceil(side / count)} wide or tall.
         */
        public List<int[]> cropBoxes(int width, int height) {
            int cropsW = 1;
            int cropsH = 1;
            if (width >= height) {
                if ((double) width / height < minRatioToActivate) {
                    return List.of();
                }
                cropsW = Math.min((int) Math.floor((double) width / minCropSize), (int) Math.floor((double) width / height + 0.5));
                cropsW = Math.min(maxNumCrops, Math.max(2, cropsW));
            } else {
                if ((double) height / width < minRatioToActivate) {
                    return List.of();
                }
                cropsH = Math.min((int) Math.floor((double) height / minCropSize), (int) Math.floor((double) height / width + 0.5));
                cropsH = Math.min(maxNumCrops, Math.max(2, cropsH));
            }
            int cropW = (int) Math.ceil((double) width / cropsW);
            int cropH = (int) Math.ceil((double) height / cropsH);
            if (Math.min(cropW, cropH) < minCropSize) {
                return List.of();
            }
            List<int[]> boxes = new ArrayList<>();
            for (int r = 0; r < cropsH; r++) {
                for (int c = 0; c < cropsW; c++) {
                    boxes.add(new int[] {c * cropW, r * cropH, Math.min(width, (c + 1) * cropW), Math.min(height, (r + 1) * cropH)});
                }
            }
            return boxes;
        }
    }

    /**
     * What the prompt needs for one image.
     *
     * @param numCrops pan-and-scan crops (0 when pan-and-scan is off or the image is not cropped)
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
        List<ImageSummary> summaries = new ArrayList<>();
        String full = "\n\n" + START_OF_IMAGE + IMAGE_SOFT_TOKEN.repeat(config.tokensPerImage()) + END_OF_IMAGE + "\n\n";
        for (DecodedImage image : images) {
            DecodedImage rgb = image.toRgb();
            List<DecodedImage> crops = new ArrayList<>();
            if (config.panAndScan().enabled()) {
                for (int[] box : config.panAndScan().cropBoxes(rgb.width(), rgb.height())) {
                    crops.add(ImageOps.crop(rgb, box[0], box[1], box[2], box[3]));
                }
            }
            prepared.add(rgb);
            prepared.addAll(crops);
            String prompt = crops.isEmpty() ? full
                    : "Here is the original image " + full + " and here are some crops to help you see better "
                    + String.join(" ", Collections.nCopies(crops.size(), full));
            summaries.add(new Summary(image.width(), image.height(), config.tokensPerImage() * (1 + crops.size()), prompt,
                    crops.size()));
        }
        if (config.doResize()) {
            prepared.replaceAll(p -> p.resize(config.size().width(), config.size().height(), config.resample()));
        }
        int h = prepared.getFirst().height();
        int w = prepared.getFirst().width();
        float[] pixels = new float[prepared.size() * 3 * h * w];
        for (int i = 0; i < prepared.size(); i++) {
            ClipImageProcessor.requireSameSize(prepared.get(i), h, w);
            config.normalization().writeChannelsFirst(prepared.get(i), pixels, i * 3 * h * w);
        }
        return new ProcessedImages(Map.of("pixel_values", new FloatArray(pixels, new int[]{prepared.size(), 3, h, w})),
                summaries);
    }
}
