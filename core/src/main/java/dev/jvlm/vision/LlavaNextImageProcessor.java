package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code LlavaNextImageProcessor} ("any resolution"), as in transformers 4.50: the
 * image is resized into the best of {@code image_grid_pinpoints}, padded, cut into tiles of the
 * crop size, and preceded by the whole image squashed to one tile. Output: {@code pixel_values}
 * [images, tiles, 3, height, width] (images with fewer tiles padded with zero tiles) and
 * {@code image_sizes} [images, 2] (original height, width).
 */
public final class LlavaNextImageProcessor implements ImageProcessor {

    /**
     * Settings: the CLIP ones plus the candidate resolutions.
     *
     * @param gridPinpoints candidate (height, width) resolutions
     * @param doPad         pad images with fewer tiles to the largest tile count of the batch
     */
    public record Config(ClipImageProcessor.Config clip, List<int[]> gridPinpoints, boolean doPad) {

        public Config {
            if (gridPinpoints.isEmpty()) {
                throw new IllegalArgumentException("image_grid_pinpoints is empty");
            }
            gridPinpoints = gridPinpoints.stream().map(int[]::clone).toList();
        }

        static Config parse(ConfigJson pre, ConfigJson model) {
            JsonNode pins = pre.get("image_grid_pinpoints");
            if (pins == null) {
                pins = model.get("image_grid_pinpoints");
            }
            List<int[]> pinpoints = new ArrayList<>();
            if (pins == null) {
                pinpoints.addAll(List.of(new int[]{336, 672}, new int[]{672, 336}, new int[]{672, 672},
                        new int[]{1008, 336}, new int[]{336, 1008}));
            } else {
                for (JsonNode p : pins) {
                    if (!p.isArray() || p.size() != 2 || !p.get(0).isIntegralNumber() || !p.get(1).isIntegralNumber()) {
                        throw pre.invalid("image_grid_pinpoints", "a list of [height, width] pairs", pins);
                    }
                    pinpoints.add(new int[]{p.get(0).intValue(), p.get(1).intValue()});
                }
            }
            return new Config(ClipImageProcessor.Config.parse(pre, model), pinpoints, pre.bool("do_pad", true));
        }
    }

    /**
     * What the prompt needs for one image.
     *
     * @param bestResolution           the chosen pinpoint, (height, width)
     * @param numTilesIncludingBase    tiles of this image, the squashed whole image included
     */
    public record Summary(int width, int height, int numImageTokens, String prompt, int[] bestResolution,
                          int numTilesIncludingBase) implements ImageSummary {
    }

    private final Config config;

    public LlavaNextImageProcessor(Config config) {
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
        ClipImageProcessor.Config clip = config.clip();
        List<List<DecodedImage>> tilesPerImage = new ArrayList<>();
        for (DecodedImage image : images) {
            List<DecodedImage> tiles = new ArrayList<>();
            for (DecodedImage tile : imageTiles(image.toRgb())) {
                tiles.add(ClipImageProcessor.resizeAndCrop(tile, clip));
            }
            tilesPerImage.add(tiles);
        }
        int tileHeight = tilesPerImage.getFirst().getFirst().height();
        int tileWidth = tilesPerImage.getFirst().getFirst().width();
        int maxTiles = 0;
        for (List<DecodedImage> tiles : tilesPerImage) {
            maxTiles = Math.max(maxTiles, tiles.size());
        }
        if (!config.doPad() && tilesPerImage.stream().anyMatch(t -> t.size() != tilesPerImage.getFirst().size())) {
            throw new IllegalArgumentException("images have different tile counts and do_pad is false; they cannot be stacked");
        }
        int tileFloats = 3 * tileHeight * tileWidth;
        float[] pixels = new float[images.size() * maxTiles * tileFloats];
        long[] sizes = new long[images.size() * 2];
        List<ImageSummary> summaries = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            List<DecodedImage> tiles = tilesPerImage.get(i);
            for (int t = 0; t < tiles.size(); t++) {
                ClipImageProcessor.requireSameSize(tiles.get(t), tileHeight, tileWidth);
                clip.normalization().writeChannelsFirst(tiles.get(t), pixels, (i * maxTiles + t) * tileFloats);
            }
            DecodedImage image = images.get(i);
            sizes[2 * i] = image.height();
            sizes[2 * i + 1] = image.width();
            int[] best = selectBestResolution(image.height(), image.width(), config.gridPinpoints());
            int tokens = numImageTokens(image.height(), image.width(), tileHeight, tileWidth);
            summaries.add(new Summary(image.width(), image.height(), tokens, "<image>".repeat(tokens), best, tiles.size()));
        }
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        tensors.put("pixel_values", new FloatArray(pixels, new int[]{images.size(), maxTiles, 3, tileHeight, tileWidth}));
        tensors.put("image_sizes", new LongArray(sizes, new int[]{images.size(), 2}));
        return new ProcessedImages(tensors, summaries);
    }

    /**
     * {@code get_image_patches}: the whole image resized to a square of the shortest edge, then the
     * tiles of the image resized and padded into the best resolution, row-major. Tiles at the end
     * of a row or column may be smaller than the crop size; the CLIP resize and crop that follow
     * bring them to it.
     */
    List<DecodedImage> imageTiles(DecodedImage rgb) {
        ClipImageProcessor.Config clip = config.clip();
        int[] best = selectBestResolution(rgb.height(), rgb.width(), config.gridPinpoints());
        int[] scaled = patchOutputSize(rgb.height(), rgb.width(), best[0], best[1]);
        DecodedImage resized = rgb.resize(scaled[1], scaled[0], clip.resample());
        // transformers 4.50 pads floor(margin / 2) on both sides, so an odd margin leaves the
        // padded image one pixel short of the best resolution (4.52 puts the pixel at the end).
        int padY = (best[0] - scaled[0]) / 2;
        int padX = (best[1] - scaled[1]) / 2;
        DecodedImage padded = ImageOps.place(resized, padX, padY, scaled[1] + 2 * padX, scaled[0] + 2 * padY);

        int edge = switch (clip.size()) {
            case TargetSize.ShortestEdge(int e) -> e;
            case TargetSize.Exact(int h, int w) -> Math.min(h, w);
            case TargetSize.LongestEdge l -> throw new IllegalStateException("rejected by ClipImageProcessor.Config");
        };
        List<DecodedImage> tiles = new ArrayList<>();
        tiles.add(rgb.resize(edge, edge, clip.resample()));
        int tile = clip.cropSize().height();
        for (int y = 0; y < padded.height(); y += tile) {
            for (int x = 0; x < padded.width(); x += tile) {
                tiles.add(ImageOps.crop(padded, x, y, x + tile, y + tile));
            }
        }
        return tiles;
    }

    /**
     * Hugging Face's {@code select_best_resolution}: the pinpoint that keeps the most of the
     * image's pixels when the image is scaled to fit, ties going to the one that wastes least.
     */
    public static int[] selectBestResolution(int height, int width, List<int[]> pinpoints) {
        int[] best = null;
        long maxEffective = 0;
        long minWasted = Long.MAX_VALUE;
        for (int[] p : pinpoints) {
            double scale = Math.min((double) p[1] / width, (double) p[0] / height);
            long downscaledWidth = (long) (width * scale);
            long downscaledHeight = (long) (height * scale);
            long effective = Math.min(downscaledWidth * downscaledHeight, (long) width * height);
            long wasted = (long) p[0] * p[1] - effective;
            if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
                maxEffective = effective;
                minWasted = wasted;
                best = p;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no grid pinpoint fits a " + width + "x" + height + " image");
        }
        return best.clone();
    }

    /** {@code get_patch_output_size}: the size that fits the target, the other side rounded up. */
    static int[] patchOutputSize(int height, int width, int targetHeight, int targetWidth) {
        double scaleW = (double) targetWidth / width;
        double scaleH = (double) targetHeight / height;
        if (scaleW < scaleH) {
            return new int[]{Math.min((int) Math.ceil(height * scaleW), targetHeight), targetWidth};
        }
        return new int[]{targetHeight, Math.min((int) Math.ceil(width * scaleH), targetWidth)};
    }

    /**
     * {@code LlavaNextProcessor._get_number_of_features}: the base tile's features plus the
     * unpadded feature grid of the tiles with one newline feature per row.
     */
    int numImageTokens(int height, int width, int tileHeight, int tileWidth) {
        ClipImageProcessor.Config clip = config.clip();
        int[] best = selectBestResolution(height, width, config.gridPinpoints());
        int patchesHeight = tileHeight / clip.patchSize();
        int patchesWidth = tileWidth / clip.patchSize();
        int currentHeight = patchesHeight * (best[0] / tileHeight);
        int currentWidth = patchesWidth * (best[1] / tileWidth);
        double originalAspect = (double) width / height;
        double currentAspect = (double) currentWidth / currentHeight;
        if (originalAspect > currentAspect) {
            int newHeight = roundTo7AndTruncate(height * ((double) currentWidth / width));
            currentHeight -= (currentHeight - newHeight) / 2 * 2;
        } else {
            int newWidth = roundTo7AndTruncate(width * ((double) currentHeight / height));
            currentWidth -= (currentWidth - newWidth) / 2 * 2;
        }
        int unpadded = currentHeight * currentWidth;
        int newlines = currentHeight;
        return unpadded + newlines + clip.tokensPerTile(tileHeight, tileWidth);
    }

    /**
     * Python's {@code int(round(x, 7))}: round the double's exact value half-to-even at the 7th
     * decimal, then truncate.
     */
    public static int roundTo7AndTruncate(double x) {
        return new BigDecimal(x).setScale(7, RoundingMode.HALF_EVEN).intValue();
    }
}
