package dev.jvlm.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.LlavaNextImageProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * LLaVA-NeXT ({@code LlavaNextForConditionalGeneration}, {@code model_type} "llava_next"): LLaVA's
 * tower and projector run on every tile of an any-resolution image (the base image first, then the
 * tiles of the best {@code image_grid_pinpoints} resolution); {@code pack_image_features} then lays
 * the tile features out as one grid, crops the padding the processor added ({@code unpad_image}),
 * ends every grid row with {@code image_newline} and puts the base image's features in front
 * (the "spatial_unpad" merge, the only one transformers 4.50 implements).
 */
final class LlavaNext implements VisionLanguage {
    /** LlavaNextConfig's default pinpoints, (height, width). */
    private static final int[][] DEFAULT_PINPOINTS = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};

    private final Llava llava;
    private final List<int[]> imageGridPinpoints;
    private final Tensor imageNewline;

    private LlavaNext(Llava llava, List<int[]> imageGridPinpoints, Tensor imageNewline) {
        this.llava = llava;
        this.imageGridPinpoints = imageGridPinpoints;
        this.imageNewline = imageNewline;
    }

    static LlavaNext load(ConfigNode root, Checkpoint ckpt, TextConfig text) {
        Llava llava = Llava.load(root, ckpt, text);
        if (!llava.config().dropClassToken()) {
            throw new JvlmException(root.where() + ": llava_next with vision_feature_select_strategy \"full\" cannot lay tiles out "
                    + "as a patch grid (transformers fails on it too); use \"default\"");
        }
        String newline = VisionLanguage.prefix(ckpt, "image_newline", "", "model.");
        return new LlavaNext(llava, pinpoints(root), ckpt.get(newline + "image_newline", text.hiddenSize()).toF32());
    }

    private static List<int[]> pinpoints(ConfigNode root) {
        JsonNode n = root.raw("image_grid_pinpoints");
        if (n == null) {
            return Arrays.asList(DEFAULT_PINPOINTS);
        }
        List<int[]> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode p : n) {
                if (!p.isArray() || p.size() != 2 || !p.get(0).isIntegralNumber() || !p.get(1).isIntegralNumber()) {
                    out = null;
                    break;
                }
                out.add(new int[] {p.get(0).asInt(), p.get(1).asInt()});
            }
        }
        if (out == null || out.isEmpty()) {
            throw root.error("image_grid_pinpoints", "a list of [height, width] pairs", n);
        }
        return out;
    }

    @Override
    public Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs) {
        Tensor pixels = VisionLanguage.required(inputs, "pixel_values", "llava_next");
        int[][] sizes = VisionLanguage.intRows(VisionLanguage.required(inputs, "image_sizes", "llava_next"), "image_sizes", 2);
        int tile = llava.config().vision().imageSize();
        int[] tilesPerImage = new int[sizes.length];
        int total = 0;
        for (int i = 0; i < sizes.length; i++) {
            int[] best = LlavaNextImageProcessor.selectBestResolution(sizes[i][0], sizes[i][1], imageGridPinpoints);
            tilesPerImage[i] = ceilDiv(best[0], tile) * ceilDiv(best[1], tile) + 1;
            total += tilesPerImage[i];
        }
        Tensor tiles = tilesOf(pixels, tilesPerImage, total);
        Tensor features = llava.imageFeatures(tiles);
        Tensor packed = packImageFeatures(features, sizes, tilesPerImage);
        long token = llava.config().imageTokenIndex();
        Tensor embeds = VisionLanguage.embedPrompt(lm, ids, token);
        embeds = VisionLanguage.merge(embeds, ids, token, packed, "image");
        return lm.prefillFromEmbeddings(embeds, mask, null, features);
    }

    /**
     * The tiles of every image, concatenated: {@code [images, max tiles, 3, H, W]} keeps the first
     * {@code tilesPerImage[i]} of image i (shorter images are zero-padded); a 4-D input is taken as
     * already concatenated, as Hugging Face does.
     */
    private static Tensor tilesOf(Tensor pixels, int[] tilesPerImage, int total) {
        if (pixels.rank() == 4) {
            if (pixels.dim(0) != total) {
                throw new JvlmException("pixel_values: " + pixels.dim(0) + " tiles given, but image_sizes call for " + total);
            }
            return pixels;
        }
        VisionLanguage.checkShape(pixels, "pixel_values", "[images, tiles, 3, height, width]", tilesPerImage.length, -1, -1, -1, -1);
        int per = (int) (pixels.numel() / ((long) pixels.dim(0) * pixels.dim(1)));
        float[] src = pixels.toF32().floats();
        float[] out = new float[total * per];
        for (int i = 0, next = 0; i < tilesPerImage.length; i++) {
            if (tilesPerImage[i] > pixels.dim(1)) {
                throw new JvlmException("pixel_values: image " + i + " needs " + tilesPerImage[i] + " tiles for its image_sizes, only "
                        + pixels.dim(1) + " given");
            }
            System.arraycopy(src, i * pixels.dim(1) * per, out, next * per, tilesPerImage[i] * per);
            next += tilesPerImage[i];
        }
        return Tensor.of(out, total, pixels.dim(2), pixels.dim(3), pixels.dim(4));
    }

    /**
     * {@code pack_image_features}: per image, the base tile's features, then the unpadded grid of the
     * other tiles row by row, each row followed by {@code image_newline}. Returns {@code [tokens, hidden]}.
     */
    private Tensor packImageFeatures(Tensor features, int[][] sizes, int[] tilesPerImage) {
        int side = llava.patchesPerSide();
        int patches = features.dim(1);
        int d = features.dim(2);
        int tile = llava.config().vision().imageSize();
        // Rows are picked from the tiles' feature rows followed by one image_newline row.
        int newline = features.dim(0) * patches;
        List<Integer> rows = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < sizes.length; i++) {
            for (int p = 0; p < patches; p++) {
                rows.add(first * patches + p);
            }
            if (tilesPerImage[i] == 1) {
                rows.add(newline);
            } else {
                int[] best = LlavaNextImageProcessor.selectBestResolution(sizes[i][0], sizes[i][1], imageGridPinpoints);
                int gridRows = best[0] / tile;
                int gridCols = best[1] / tile;
                int height = gridRows * side;
                int width = gridCols * side;
                int[] crop = unpad(sizes[i][0], sizes[i][1], height, width);
                for (int y = crop[0]; y < crop[1]; y++) {
                    for (int x = crop[2]; x < crop[3]; x++) {
                        int t = first + 1 + (y / side) * gridCols + x / side;
                        rows.add(t * patches + (y % side) * side + x % side);
                    }
                    rows.add(newline);
                }
            }
            first += tilesPerImage[i];
        }
        Tensor source = Layout.concat(0, features.reshape(newline, d), imageNewline.reshape(1, d));
        return Layout.gatherRows(source, rows.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * {@code unpad_image}: the rows [0, 1) and columns [2, 3) of a {@code height x width} feature grid
     * that show the original image, cropping {@code (current - new) // 2} from both sides of the
     * padded dimension, with the new size computed as {@code int(round(x, 7))}.
     */
    static int[] unpad(int originalHeight, int originalWidth, int height, int width) {
        double originalAspect = (double) originalWidth / originalHeight;
        double currentAspect = (double) width / height;
        if (originalAspect > currentAspect) {
            int newHeight = LlavaNextImageProcessor.roundTo7AndTruncate(originalHeight * ((double) width / originalWidth));
            int padding = Math.floorDiv(height - newHeight, 2);
            return new int[] {padding, height - padding, 0, width};
        }
        int newWidth = LlavaNextImageProcessor.roundTo7AndTruncate(originalWidth * ((double) height / originalHeight));
        int padding = Math.floorDiv(width - newWidth, 2);
        return new int[] {0, height, padding, width - padding};
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
