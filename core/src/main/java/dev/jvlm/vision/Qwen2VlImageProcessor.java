package dev.jvlm.vision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code Qwen2VLImageProcessor} (Qwen2-VL and Qwen2.5-VL) for still images: RGB
 * conversion, {@code smart_resize} to multiples of patch size x merge size within the pixel
 * budget, rescale and normalise, then the image repeated over the temporal patch and cut into
 * flattened patches ordered so that each merge window's patches are consecutive. Output:
 * {@code pixel_values} [patches, 3 * temporal * patch * patch] and {@code image_grid_thw}
 * [images, 3].
 */
public final class Qwen2VlImageProcessor implements ImageProcessor {

    /**
     * Settings from {@code preprocessor_config.json}.
     *
     * @param minPixels {@code min_pixels} (else {@code size.shortest_edge}): the least pixels after resizing
     * @param maxPixels {@code max_pixels} (else {@code size.longest_edge}): the most pixels after resizing
     */
    public record Config(boolean doResize, Resample resample, int minPixels, int maxPixels, int patchSize,
                         int temporalPatchSize, int mergeSize, Normalization normalization) {

        static Config parse(ConfigJson pre) {
            ConfigJson size = pre.child("size");
            return new Config(pre.bool("do_resize", true),
                    pre.resample(Resample.BICUBIC),
                    pre.positive("min_pixels", size.positive("shortest_edge", 56 * 56)),
                    pre.positive("max_pixels", size.positive("longest_edge", 28 * 28 * 1280)),
                    pre.positive("patch_size", 14),
                    pre.positive("temporal_patch_size", 2),
                    pre.positive("merge_size", 2),
                    Normalization.fromConfig(pre, ConfigJson.OPENAI_CLIP_MEAN, ConfigJson.OPENAI_CLIP_STD));
        }
    }

    /**
     * What the prompt needs for one image.
     *
     * @param gridThw    (temporal, height, width) in patches
     * @param resizedHeight height after {@code smart_resize}
     * @param resizedWidth  width after {@code smart_resize}
     */
    public record Summary(int width, int height, int numImageTokens, String prompt, int[] gridThw,
                          int resizedHeight, int resizedWidth) implements ImageSummary {
    }

    private final Config config;

    public Qwen2VlImageProcessor(Config config) {
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
        int p = config.patchSize();
        int tp = config.temporalPatchSize();
        int m = config.mergeSize();
        int patchLength = 3 * tp * p * p;
        List<float[]> perImage = new ArrayList<>();
        long[] grid = new long[images.size() * 3];
        List<ImageSummary> summaries = new ArrayList<>();
        int totalPatches = 0;
        for (int i = 0; i < images.size(); i++) {
            DecodedImage rgb = images.get(i).toRgb();
            if (config.doResize()) {
                int[] hw = smartResize(rgb.height(), rgb.width(), p * m, config.minPixels(), config.maxPixels());
                rgb = rgb.resize(hw[1], hw[0], config.resample());
            }
            int gridH = rgb.height() / p;
            int gridW = rgb.width() / p;
            if (rgb.height() % (p * m) != 0 || rgb.width() % (p * m) != 0) {
                throw new IllegalArgumentException(rgb.width() + "x" + rgb.height() + " is not a multiple of "
                        + p * m + " pixels; enable do_resize");
            }
            float[] chw = new float[3 * rgb.height() * rgb.width()];
            config.normalization().writeChannelsFirst(rgb, chw, 0);
            int patches = gridH * gridW;
            float[] flat = new float[patches * patchLength];
            float[][] group = new float[tp][];
            Arrays.fill(group, chw); // a still image fills every temporal slot
            patchify(group, rgb.height(), rgb.width(), p, m, flat, 0);
            perImage.add(flat);
            totalPatches += patches;
            grid[3 * i] = 1;
            grid[3 * i + 1] = gridH;
            grid[3 * i + 2] = gridW;
            int tokens = patches / (m * m);
            summaries.add(new Summary(images.get(i).width(), images.get(i).height(), tokens,
                    "<|vision_start|>" + "<|image_pad|>".repeat(tokens) + "<|vision_end|>",
                    new int[]{1, gridH, gridW}, rgb.height(), rgb.width()));
        }
        float[] pixels = new float[totalPatches * patchLength];
        int offset = 0;
        for (float[] flat : perImage) {
            System.arraycopy(flat, 0, pixels, offset, flat.length);
            offset += flat.length;
        }
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        tensors.put("pixel_values", new FloatArray(pixels, new int[]{totalPatches, patchLength}));
        tensors.put("image_grid_thw", new LongArray(grid, new int[]{images.size(), 3}));
        return new ProcessedImages(tensors, summaries);
    }

    /**
     * The reshape and transpose of {@code _preprocess} for one temporal group: {@code frames} holds
     * temporal-patch-size channels-first frames of {@code height x width} (a still image passes the same
     * frame for every slot). Patch rows run over (merge row, merge column, row in window, column in
     * window), each patch holding (channel, frame, y, x); they are written to {@code out} from
     * {@code offset}.
     */
    static void patchify(float[][] frames, int height, int width, int p, int m, float[] out, int offset) {
        int tp = frames.length;
        int gridH = height / p;
        int gridW = width / p;
        int patchLength = 3 * tp * p * p;
        int row = 0;
        for (int bh = 0; bh < gridH / m; bh++) {
            for (int bw = 0; bw < gridW / m; bw++) {
                for (int mh = 0; mh < m; mh++) {
                    for (int mw = 0; mw < m; mw++) {
                        int y0 = (bh * m + mh) * p;
                        int x0 = (bw * m + mw) * p;
                        int o = offset + row * patchLength;
                        for (int c = 0; c < 3; c++) {
                            for (float[] chw : frames) {
                                for (int y = 0; y < p; y++) {
                                    System.arraycopy(chw, (c * height + y0 + y) * width + x0, out, o, p);
                                    o += p;
                                }
                            }
                        }
                        row++;
                    }
                }
            }
        }
    }

    /**
     * Qwen's {@code smart_resize}: both sides rounded (half to even) to multiples of
     * {@code factor}, then scaled down or up to fit {@code [minPixels, maxPixels]}.
     */
    static int[] smartResize(int height, int width, int factor, int minPixels, int maxPixels) {
        if ((double) Math.max(height, width) / Math.min(height, width) > 200) {
            throw new IllegalArgumentException("absolute aspect ratio must be smaller than 200, got "
                    + (double) Math.max(height, width) / Math.min(height, width) + " for " + width + "x" + height);
        }
        long hBar = (long) Math.rint((double) height / factor) * factor;
        long wBar = (long) Math.rint((double) width / factor) * factor;
        if (hBar * wBar > maxPixels) {
            double beta = Math.sqrt((double) height * width / maxPixels);
            hBar = (long) Math.floor(height / beta / factor) * factor;
            wBar = (long) Math.floor(width / beta / factor) * factor;
        } else if (hBar * wBar < minPixels) {
            double beta = Math.sqrt((double) minPixels / ((double) height * width));
            hBar = (long) Math.ceil(height * beta / factor) * factor;
            wBar = (long) Math.ceil(width * beta / factor) * factor;
        }
        return new int[]{(int) hBar, (int) wBar};
    }
}
