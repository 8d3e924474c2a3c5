package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hugging Face's {@code Idefics3ImageProcessor} (Idefics3, SmolVLM) and the prompt expansion of
 * {@code Idefics3Processor}. The image is resized so that its longest edge is
 * {@code size.longest_edge}, then to multiples of the tile size {@code max_image_size.longest_edge},
 * split into tiles (row-major) followed by the whole image resized to one tile, and only then
 * converted to RGB. Output: {@code pixel_values} [samples, tiles, 3, height, width] and
 * {@code pixel_attention_mask} [samples, tiles, height, width], zero-padded across the batch.
 *
 * <p>Resizing happens in the image's own mode, as Hugging Face does it: RGBA keeps its alpha
 * (resampled premultiplied) and is composited onto white after splitting; single-channel images
 * (grayscale and palette indices) are resized nearest-neighbour, because Hugging Face hands them
 * to Pillow as palette images, which Pillow only resizes that way.
 */
public final class Idefics3ImageProcessor implements ImageProcessor {

    /** Placeholder tokens of {@code Idefics3Processor}. */
    public static final String IMAGE_TOKEN = "<image>";
    public static final String FAKE_TOKEN_AROUND_IMAGE = "<fake_token_around_image>";
    public static final String GLOBAL_IMAGE_TOKEN = "<global-img>";

    /**
     * Settings from {@code preprocessor_config.json}, and the tokens per tile.
     *
     * @param size         {@code size}: a longest edge, or an exact height and width
     * @param tileSize     {@code max_image_size.longest_edge}: the side of each square tile
     * @param imageSeqLen  image tokens per tile: {@code image_seq_len} of {@code processor_config.json},
     *                     else (vision image size / patch size)^2 / scale_factor^2 from {@code config.json}
     */
    public record Config(boolean doResize, TargetSize size, Resample resample, boolean doImageSplitting,
                         int tileSize, Normalization normalization, boolean doPad, int imageSeqLen) {

        public Config {
            if (size instanceof TargetSize.ShortestEdge) {
                throw new IllegalArgumentException("Idefics3 takes size as longest_edge or height/width");
            }
        }

        static Config parse(ConfigJson pre, ConfigJson processor, ConfigJson model) {
            int imageSeqLen;
            if (processor.has("image_seq_len")) {
                imageSeqLen = processor.positive("image_seq_len", 169);
            } else if (model.has("vision_config")) {
                ConfigJson vision = model.child("vision_config");
                int side = vision.positive("image_size", 224) / vision.positive("patch_size", 32);
                int scale = model.positive("scale_factor", 2);
                imageSeqLen = side * side / (scale * scale);
            } else {
                imageSeqLen = 169;
            }
            return new Config(pre.bool("do_resize", true),
                    pre.size("size", new TargetSize.LongestEdge(4 * 364), false),
                    pre.resample(Resample.LANCZOS),
                    pre.bool("do_image_splitting", true),
                    pre.child("max_image_size").positive("longest_edge", 364),
                    Normalization.fromConfig(pre, ConfigJson.IMAGENET_STANDARD_MEAN, ConfigJson.IMAGENET_STANDARD_STD),
                    pre.bool("do_pad", true),
                    imageSeqLen);
        }
    }

    /**
     * What the prompt needs for one image.
     *
     * @param rows       tile rows (0 when the image was not split)
     * @param cols       tile columns (0 when the image was not split)
     * @param imageSeqLen image tokens per tile
     * @param numTiles   rows * cols tiles plus the global image
     */
    public record Summary(int width, int height, int numImageTokens, String prompt, int rows, int cols,
                          int imageSeqLen, int numTiles) implements ImageSummary {
    }

    private final Config config;

    public Idefics3ImageProcessor(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Processes the images of one sample: {@code pixel_values} [1, tiles, 3, h, w]. */
    @Override
    public ProcessedImages process(List<DecodedImage> images) {
        return processBatch(List.of(images));
    }

    /**
     * Processes several samples, each with its own images; tiles are zero-padded to the largest
     * tile and the tile count of the largest sample, as {@code do_pad} does.
     */
    public ProcessedImages processBatch(List<List<DecodedImage>> samples) {
        if (samples.isEmpty() || samples.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("every sample needs at least one image");
        }
        List<List<DecodedImage>> tilesPerSample = new ArrayList<>();
        List<ImageSummary> summaries = new ArrayList<>();
        int maxHeight = 0;
        int maxWidth = 0;
        int maxTiles = 0;
        for (List<DecodedImage> sample : samples) {
            List<DecodedImage> tiles = new ArrayList<>();
            for (DecodedImage image : sample) {
                Split split = splitImage(image);
                for (DecodedImage tile : split.tiles()) {
                    DecodedImage rgb = ModeConversion.compositeOnWhite(tile);
                    tiles.add(rgb);
                    maxHeight = Math.max(maxHeight, rgb.height());
                    maxWidth = Math.max(maxWidth, rgb.width());
                }
                int tokens = config.imageSeqLen() * split.tiles().size();
                summaries.add(new Summary(image.width(), image.height(), tokens,
                        promptFor(split.rows(), split.cols(), config.imageSeqLen()), split.rows(), split.cols(),
                        config.imageSeqLen(), split.tiles().size()));
            }
            tilesPerSample.add(tiles);
            maxTiles = Math.max(maxTiles, tiles.size());
        }
        boolean uniform = tilesPerSample.stream().allMatch(t -> t.size() == tilesPerSample.getFirst().size()
                && t.stream().allMatch(i -> i.width() == tilesPerSample.getFirst().getFirst().width()
                && i.height() == tilesPerSample.getFirst().getFirst().height()));
        if (!config.doPad() && !uniform) {
            throw new IllegalArgumentException("tiles differ in size or count and do_pad is false; they cannot be stacked");
        }
        int plane = maxHeight * maxWidth;
        float[] pixels = new float[samples.size() * maxTiles * 3 * plane];
        long[] mask = new long[samples.size() * maxTiles * plane];
        for (int s = 0; s < tilesPerSample.size(); s++) {
            List<DecodedImage> tiles = tilesPerSample.get(s);
            for (int t = 0; t < tiles.size(); t++) {
                DecodedImage tile = tiles.get(t);
                int index = s * maxTiles + t;
                // Normalise the tile on its own, then copy it into the top-left of its padded slot.
                float[] own = new float[3 * tile.width() * tile.height()];
                config.normalization().writeChannelsFirst(tile, own, 0);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < tile.height(); y++) {
                        System.arraycopy(own, (c * tile.height() + y) * tile.width(), pixels,
                                (index * 3 + c) * plane + y * maxWidth, tile.width());
                    }
                }
                for (int y = 0; y < tile.height(); y++) {
                    Arrays.fill(mask, index * plane + y * maxWidth, index * plane + y * maxWidth + tile.width(), 1L);
                }
            }
        }
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        tensors.put("pixel_values", new FloatArray(pixels, new int[]{samples.size(), maxTiles, 3, maxHeight, maxWidth}));
        if (config.doPad()) {
            tensors.put("pixel_attention_mask", new LongArray(mask, new int[]{samples.size(), maxTiles, maxHeight, maxWidth}));
        }
        return new ProcessedImages(tensors, summaries);
    }

    /** The tiles of one image (global image last), still in the image's own mode. */
    record Split(List<DecodedImage> tiles, int rows, int cols) {
    }

    /**
     * The resizes and the split of {@code Idefics3ImageProcessor.preprocess} for one image: the
     * longest-edge resize, the resize to tile multiples ({@code resize_for_vision_encoder}) and
     * {@code split_image}.
     */
    Split splitImage(DecodedImage image) {
        DecodedImage current = ownModeForResizing(image);
        if (config.doResize()) {
            int[] hw = switch (config.size()) {
                case TargetSize.LongestEdge(int edge) -> longestEdgeSize(current.height(), current.width(), edge);
                case TargetSize.Exact(int h, int w) -> new int[]{h, w};
                case TargetSize.ShortestEdge s -> throw new IllegalStateException("rejected by Config");
            };
            current = resize(current, hw[0], hw[1]);
        }
        if (!config.doImageSplitting()) {
            return new Split(List.of(current), 0, 0);
        }
        int tile = config.tileSize();
        int[] hw = tileMultipleSize(current.height(), current.width(), tile);
        current = resize(current, hw[0], hw[1]);
        int height = current.height();
        int width = current.width();
        if (height <= tile && width <= tile) {
            return new Split(List.of(current), 0, 0);
        }
        int rows = ceilDiv(height, tile);
        int cols = ceilDiv(width, tile);
        int tileHeight = ceilDiv(height, rows);
        int tileWidth = ceilDiv(width, cols);
        List<DecodedImage> tiles = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int x0 = c * tileWidth;
                int y0 = r * tileHeight;
                tiles.add(ImageOps.crop(current, x0, y0, Math.min(x0 + tileWidth, width), Math.min(y0 + tileHeight, height)));
            }
        }
        tiles.add(resize(current, tile, tile));
        return new Split(tiles, rows, cols);
    }

    /**
     * Modes Hugging Face cannot resize meaningfully are converted first, as a user would:
     * grayscale+alpha to RGBA (it stays composited onto white), 16-bit grayscale to RGB.
     */
    private static DecodedImage ownModeForResizing(DecodedImage image) {
        return switch (image.mode()) {
            case LA -> ModeConversion.toRgba(image);
            case I16 -> image.toRgb();
            case L, P, RGB, RGBA -> image;
        };
    }

    private DecodedImage resize(DecodedImage image, int height, int width) {
        boolean singleChannel = image.mode() == Mode.L || image.mode() == Mode.P;
        return image.resize(width, height, singleChannel ? Resample.NEAREST : config.resample());
    }

    /**
     * {@code get_resize_output_image_size}: the longest edge becomes {@code edge}, the other side
     * {@code int(edge / aspect)} rounded up to even, then capped so no side exceeds 1820 pixels
     * (Hugging Face's {@code max_image_size} default there).
     */
    static int[] longestEdgeSize(int height, int width, int edge) {
        final int maxImageSize = 1820;
        if (edge > maxImageSize) {
            throw new IllegalArgumentException("size.longest_edge " + edge + " is larger than " + maxImageSize);
        }
        double aspect = (double) width / height;
        int h;
        int w;
        if (width >= height) {
            w = edge;
            h = (int) (w / aspect);
            if (h % 2 != 0) {
                h++;
            }
        } else {
            h = edge;
            w = (int) (h * aspect);
            if (w % 2 != 0) {
                w++;
            }
        }
        h = Math.max(h, 1);
        w = Math.max(w, 1);
        // _resize_output_size_scale_below_upper_bound
        double capAspect = (double) w / h;
        if (w >= h && w > maxImageSize) {
            w = maxImageSize;
            h = (int) (w / capAspect);
        } else if (h > w && h > maxImageSize) {
            h = maxImageSize;
            w = (int) (h * capAspect);
        }
        return new int[]{Math.max(h, 1), Math.max(w, 1)};
    }

    /** {@code resize_for_vision_encoder}: both sides up to multiples of the tile size. */
    static int[] tileMultipleSize(int height, int width, int tile) {
        double aspect = (double) width / height;
        int h;
        int w;
        if (width >= height) {
            w = ceilDiv(width, tile) * tile;
            h = (int) (w / aspect);
            h = ceilDiv(h, tile) * tile;
        } else {
            h = ceilDiv(height, tile) * tile;
            w = (int) (h * aspect);
            w = ceilDiv(w, tile) * tile;
        }
        return new int[]{h, w};
    }

    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }

    /**
     * The text {@code Idefics3Processor} puts in place of one {@code <image>}: per tile
     * {@code <fake_token_around_image><row_r_col_c>} and the image tokens, a newline after each
     * row, then a blank line and the global image; or only the global image when not split.
     */
    public static String promptFor(int rows, int cols, int imageSeqLen) {
        String imageTokens = IMAGE_TOKEN.repeat(imageSeqLen);
        StringBuilder s = new StringBuilder();
        if (rows == 0 && cols == 0) {
            return s.append(FAKE_TOKEN_AROUND_IMAGE).append(GLOBAL_IMAGE_TOKEN).append(imageTokens)
                    .append(FAKE_TOKEN_AROUND_IMAGE).toString();
        }
        for (int r = 1; r <= rows; r++) {
            for (int c = 1; c <= cols; c++) {
                s.append(FAKE_TOKEN_AROUND_IMAGE).append("<row_").append(r).append("_col_").append(c).append('>')
                        .append(imageTokens);
            }
            s.append('\n');
        }
        return s.append('\n').append(FAKE_TOKEN_AROUND_IMAGE).append(GLOBAL_IMAGE_TOKEN).append(imageTokens)
                .append(FAKE_TOKEN_AROUND_IMAGE).toString();
    }

    /**
     * Replaces each {@code <image>} of a prompt with its image's expansion, in order, as
     * {@code Idefics3Processor.__call__} does.
     *
     * @throws IllegalArgumentException when the prompt holds a different number of {@code <image>}
     */
    public static String expandPrompt(String text, List<Summary> images) {
        String[] parts = text.split(Pattern.quote(IMAGE_TOKEN), -1);
        if (parts.length - 1 != images.size()) {
            throw new IllegalArgumentException("the prompt has " + (parts.length - 1) + " " + IMAGE_TOKEN
                    + " placeholders but " + images.size() + " images were given");
        }
        StringBuilder s = new StringBuilder(parts[0]);
        for (int i = 0; i < images.size(); i++) {
            s.append(images.get(i).prompt()).append(parts[i + 1]);
        }
        return s.toString();
    }
}
