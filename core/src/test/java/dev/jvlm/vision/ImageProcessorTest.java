package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Processor arithmetic and configuration beyond the reference fixtures. */
class ImageProcessorTest {

    private static DecodedImage constant(int width, int height, int r, int g, int b) {
        byte[] s = new byte[width * height * 3];
        for (int i = 0; i < s.length; i += 3) {
            s[i] = (byte) r;
            s[i + 1] = (byte) g;
            s[i + 2] = (byte) b;
        }
        return DecodedImage.rgb(width, height, s);
    }

    /** The normalised value of an 8-bit level as Hugging Face computes it (float64 rescale, float32 normalise). */
    private static float normalised(int level, double mean, double std) {
        return ((float) (level * (1.0 / 255)) - (float) mean) / (float) std;
    }

    private static ImageProcessor fixtureProcessor(String family) throws IOException {
        return ImageProcessor.fromDirectory(Fixtures.path(family));
    }

    /**
     * A constant image of any shape, 1x1 and 1x500 included, gives constant normalised values on
     * every real pixel, whatever the resizing, tiling and padding.
     */
    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({"llava, 1, 1", "llava, 1, 500", "llava, 500, 1", "llava_next, 1, 1", "llava_next, 1, 500",
            "llava_next, 500, 1", "idefics3, 1, 1", "idefics3, 1, 500", "idefics3, 500, 1", "qwen2_vl, 1, 1",
            "qwen2_vl, 2, 300", "gemma3, 1, 1", "gemma3, 1, 500"})
    void constantImagesStayConstantAtExtremeSizes(String family, int width, int height) throws IOException {
        ImageProcessor processor = fixtureProcessor(family);
        ProcessedImages out = processor.process(List.of(constant(width, height, 30, 140, 250)));
        float[] pixels = out.pixelValues().data();
        int[] shape = out.pixelValues().shape();
        double[] mean = family.equals("idefics3") || family.equals("gemma3") ? ConfigJson.IMAGENET_STANDARD_MEAN : ConfigJson.OPENAI_CLIP_MEAN;
        double[] std = family.equals("idefics3") || family.equals("gemma3") ? ConfigJson.IMAGENET_STANDARD_STD : ConfigJson.OPENAI_CLIP_STD;
        int[] levels = {30, 140, 250};
        if (family.startsWith("qwen")) {
            // [patches, channel * temporal * 14 * 14]: each row holds 2 * 196 values per channel.
            for (int i = 0; i < pixels.length; i++) {
                int c = (i % shape[1]) / (2 * 14 * 14);
                assertEquals(normalised(levels[c], mean[c], std[c]), pixels[i], 0f);
            }
            return;
        }
        int h = shape[shape.length - 2];
        int w = shape[shape.length - 1];
        int tiles = pixels.length / (3 * h * w);
        long[] mask = out.tensor("pixel_attention_mask") instanceof LongArray m ? m.data() : null;
        for (int t = 0; t < tiles; t++) {
            // LLaVA-NeXT tiles other than the base image may hold zero padding around the image.
            if (family.equals("llava_next") && t > 0) {
                continue;
            }
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < h * w; i++) {
                    if (mask == null || mask[t * h * w + i] == 1) {
                        assertEquals(normalised(levels[c], mean[c], std[c]), pixels[(t * 3 + c) * h * w + i], 0f,
                                "tile " + t + " channel " + c + " pixel " + i);
                    }
                }
            }
        }
        assertTrue(out.images().getFirst().numImageTokens() > 0);
    }

    @Test
    void qwenRejectsAspectRatiosAbove200LikeSmartResize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fixtureProcessor("qwen2_vl").process(List.of(constant(1, 500, 0, 0, 0))));
        assertTrue(e.getMessage().contains("aspect ratio must be smaller than 200"), e.getMessage());
    }

    /** {@code smart_resize}, including Python's half-to-even rounding (2.5 -> 2, 3.5 -> 4). */
    @Test
    void smartResizeFollowsQwen() {
        assertArrayEquals(new int[]{700, 1400}, Qwen2VlImageProcessor.smartResize(1000, 2000, 28, 56 * 56, 28 * 28 * 1280));
        assertArrayEquals(new int[]{56, 56}, Qwen2VlImageProcessor.smartResize(70, 70, 28, 1, 1_000_000_000));
        assertArrayEquals(new int[]{112, 112}, Qwen2VlImageProcessor.smartResize(98, 98, 28, 1, 1_000_000_000));
        assertArrayEquals(new int[]{56, 56}, Qwen2VlImageProcessor.smartResize(1, 1, 28, 56 * 56, 28 * 28 * 1280));
        assertArrayEquals(new int[]{28, 700}, Qwen2VlImageProcessor.smartResize(10, 1500, 28, 56 * 56, 28 * 28 * 1280));
    }

    /** Patches of one merge window are consecutive rows; each row is (channel, temporal, y, x). */
    @Test
    void qwenPatchOrderGroupsMergeWindows() throws IOException {
        // 56x56 with a distinct level per 14x14 patch: patch (py, px) has level 10 * (py * 4 + px).
        byte[] s = new byte[56 * 56 * 3];
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                byte level = (byte) (10 * ((y / 14) * 4 + x / 14));
                s[(y * 56 + x) * 3] = level;
                s[(y * 56 + x) * 3 + 1] = level;
                s[(y * 56 + x) * 3 + 2] = level;
            }
        }
        ProcessedImages out = fixtureProcessor("qwen2_vl").process(List.of(DecodedImage.rgb(56, 56, s)));
        assertArrayEquals(new int[]{16, 1176}, out.pixelValues().shape());
        assertArrayEquals(new long[]{1, 4, 4}, ((LongArray) out.tensor("image_grid_thw")).data());
        // Row order: window (0,0) holds patches (0,0), (0,1), (1,0), (1,1); then window (0,1) ...
        int[] expectedPatch = {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15};
        for (int row = 0; row < 16; row++) {
            float expected = normalised(10 * expectedPatch[row], ConfigJson.OPENAI_CLIP_MEAN[0], ConfigJson.OPENAI_CLIP_STD[0]);
            assertEquals(expected, out.pixelValues().data()[row * 1176], 0f, "row " + row);
        }
        assertEquals(4, out.images().getFirst().numImageTokens());
    }

    @Test
    void llavaNextChoosesTheResolutionKeepingMostPixels() {
        List<int[]> pins = List.of(new int[]{336, 672}, new int[]{672, 336}, new int[]{672, 672},
                new int[]{1008, 336}, new int[]{336, 1008});
        assertArrayEquals(new int[]{672, 672}, LlavaNextImageProcessor.selectBestResolution(480, 640, pins));
        assertArrayEquals(new int[]{336, 1008}, LlavaNextImageProcessor.selectBestResolution(100, 1000, pins));
        assertArrayEquals(new int[]{1008, 336}, LlavaNextImageProcessor.selectBestResolution(1000, 100, pins));
        // A 1-pixel-wide image keeps a column only where the width scale reaches 1: 672x336 keeps 500 pixels.
        assertArrayEquals(new int[]{672, 336}, LlavaNextImageProcessor.selectBestResolution(500, 1, pins));
        // With small pinpoints every candidate keeps 0 pixels: the first, least wasteful, wins.
        assertArrayEquals(new int[]{32, 64}, LlavaNextImageProcessor.selectBestResolution(500, 1,
                List.of(new int[]{32, 64}, new int[]{64, 32}, new int[]{96, 32})));
    }

    /** {@code int(round(x, 7))}: rounding before truncation turns 5.99999999 into 6, not 5. */
    @Test
    void unpaddingRoundsToSevenDecimalsBeforeTruncating() {
        assertEquals(6, LlavaNextImageProcessor.roundTo7AndTruncate(5.99999999));
        assertEquals(4, LlavaNextImageProcessor.roundTo7AndTruncate(4.00000004));
        assertEquals(3, LlavaNextImageProcessor.roundTo7AndTruncate(2.99999996));
        assertEquals(5, LlavaNextImageProcessor.roundTo7AndTruncate(5.9999));
    }

    /** The models README's sample: 26x65 (h x w), best 32x96, 3 tiles + base, 60 tokens. */
    @Test
    void llavaNextTokenCountOfTheModelSample() throws IOException {
        ProcessedImages out = fixtureProcessor("llava_next").process(List.of(constant(65, 26, 1, 2, 3)));
        LlavaNextImageProcessor.Summary s = (LlavaNextImageProcessor.Summary) out.images().getFirst();
        assertArrayEquals(new int[]{32, 96}, s.bestResolution());
        assertEquals(4, s.numTilesIncludingBase());
        assertEquals(60, s.numImageTokens());
        assertArrayEquals(new long[]{26, 65}, ((LongArray) out.tensor("image_sizes")).data());
    }

    @Test
    void llavaNextPadsTileCountsAcrossImages() throws IOException {
        ProcessedImages out = fixtureProcessor("llava_next").process(List.of(constant(65, 26, 1, 2, 3), constant(61, 45, 1, 2, 3)));
        assertArrayEquals(new int[]{2, 5, 3, 32, 32}, out.pixelValues().shape());
        float[] data = out.pixelValues().data();
        int tile = 3 * 32 * 32;
        // The first image has 4 tiles; its fifth slot is zeros.
        for (int i = 4 * tile; i < 5 * tile; i++) {
            assertEquals(0f, data[i]);
        }
    }

    @Test
    void idefics3PromptForAnUnsplitImageIsTheGlobalImageOnly() {
        assertEquals("<fake_token_around_image><global-img><image><image><fake_token_around_image>",
                Idefics3ImageProcessor.promptFor(0, 0, 2));
        assertEquals("<fake_token_around_image><row_1_col_1><image>"
                        + "<fake_token_around_image><row_1_col_2><image>\n"
                        + "\n<fake_token_around_image><global-img><image><fake_token_around_image>",
                Idefics3ImageProcessor.promptFor(1, 2, 1));
    }

    @Test
    void idefics3ExpandsEveryImagePlaceholderInOrder() throws IOException {
        Idefics3ImageProcessor processor = (Idefics3ImageProcessor) fixtureProcessor("idefics3");
        ProcessedImages out = processor.process(List.of(constant(20, 10, 0, 0, 0), constant(61, 45, 0, 0, 0)));
        List<Idefics3ImageProcessor.Summary> images = out.images().stream()
                .map(Idefics3ImageProcessor.Summary.class::cast).toList();
        String expanded = Idefics3ImageProcessor.expandPrompt("A<image>B<image>C", images);
        assertEquals("A" + images.get(0).prompt() + "B" + images.get(1).prompt() + "C", expanded);
        // 20x10 -> longest edge 64 -> 64x32 -> tiles 1 x 2; 61x45 -> 2 x 2.
        assertEquals(1, images.get(0).rows());
        assertEquals(2, images.get(0).cols());
        assertEquals(2, images.get(1).rows());
        assertArrayEquals(new int[]{1, 3 + 5, 3, 32, 32}, out.pixelValues().shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idefics3ImageProcessor.expandPrompt("only <image>", images));
        assertTrue(e.getMessage().contains("1 <image> placeholders but 2 images"), e.getMessage());
    }

    /** Samples with fewer or smaller tiles are zero-padded at the end and bottom-right; the mask marks real pixels. */
    @Test
    void idefics3PadsTilesAcrossSamples() {
        String json = """
                {"image_processor_type": "Idefics3ImageProcessor", "do_image_splitting": false,
                 "size": {"longest_edge": 8}, "resample": 1}""";
        Idefics3ImageProcessor processor = (Idefics3ImageProcessor) ImageProcessor.fromJson(json, "{\"image_seq_len\": 3}", null);
        ProcessedImages out = processor.processBatch(List.of(
                List.of(constant(8, 4, 255, 255, 255)),
                List.of(constant(4, 8, 255, 255, 255), constant(6, 6, 255, 255, 255))));
        // 8x4 stays 8x4 (w x h); 4x8 stays; 6x6 -> 8x8. Padded to 8x8, 2 tiles per sample.
        assertArrayEquals(new int[]{2, 2, 3, 8, 8}, out.pixelValues().shape());
        long[] mask = ((LongArray) out.tensor("pixel_attention_mask")).data();
        assertArrayEquals(new int[]{2, 2, 8, 8}, out.tensor("pixel_attention_mask").shape());
        assertEquals(32, Arrays.stream(mask, 0, 64).sum(), "8 wide x 4 high");
        assertEquals(0, Arrays.stream(mask, 64, 128).sum(), "missing second image of sample 1");
        assertEquals(32, Arrays.stream(mask, 128, 192).sum(), "4 wide x 8 high");
        assertEquals(64, Arrays.stream(mask, 192, 256).sum(), "6x6 resized to 8x8");
        assertEquals(1, mask[128 + 3]);
        assertEquals(0, mask[128 + 4]);
        float white = normalised(255, 0.5, 0.5);
        assertEquals(white, out.pixelValues().data()[0], 0f);
        assertEquals(0f, out.pixelValues().data()[4 * 8], 0f, "padding below the 8x4 image is 0");
        assertEquals(3, out.images().get(2).numImageTokens(), "image_seq_len 3, one unsplit tile");
    }

    /** Idefics3 composites RGBA onto white after resizing; a fully transparent image becomes white. */
    @Test
    void idefics3CompositesTransparentPixelsOntoWhite() throws IOException {
        byte[] s = new byte[40 * 30 * 4];
        Arrays.fill(s, (byte) 7); // colour 7, alpha 7
        for (int i = 3; i < s.length; i += 4) {
            s[i] = 0;
        }
        ProcessedImages out = fixtureProcessor("idefics3").process(List.of(new DecodedImage(Mode.RGBA, 40, 30, s, null)));
        for (float v : out.pixelValues().data()) {
            assertEquals(1f, v, 0f);
        }
    }

    @Test
    void missingKeysTakeHuggingFaceDefaults() {
        ClipImageProcessor clip = (ClipImageProcessor) ImageProcessor.fromJson("{\"image_processor_type\": \"CLIPImageProcessor\"}", null, null);
        assertEquals(new TargetSize.ShortestEdge(224), clip.config().size());
        assertEquals(new TargetSize.Exact(224, 224), clip.config().cropSize());
        assertEquals(Resample.BICUBIC, clip.config().resample());
        assertArrayEquals(ConfigJson.OPENAI_CLIP_MEAN, clip.config().normalization().mean());
        assertEquals(14, clip.config().patchSize());
        ProcessedImages out = clip.process(List.of(constant(300, 200, 1, 2, 3)));
        assertArrayEquals(new int[]{1, 3, 224, 224}, out.pixelValues().shape());
        assertEquals(256, out.images().getFirst().numImageTokens());

        Idefics3ImageProcessor idefics = (Idefics3ImageProcessor) ImageProcessor.fromJson(
                "{\"image_processor_type\": \"Idefics3ImageProcessor\"}", null, null);
        assertEquals(new TargetSize.LongestEdge(1456), idefics.config().size());
        assertEquals(364, idefics.config().tileSize());
        assertEquals(Resample.LANCZOS, idefics.config().resample());
        assertEquals(169, idefics.config().imageSeqLen());

        Qwen2VlImageProcessor qwen = (Qwen2VlImageProcessor) ImageProcessor.fromJson(
                "{\"image_processor_type\": \"Qwen2VLImageProcessorFast\"}", null, null);
        assertEquals(3136, qwen.config().minPixels());
        assertEquals(1003520, qwen.config().maxPixels());

        Gemma3ImageProcessor gemma = (Gemma3ImageProcessor) ImageProcessor.fromJson(
                "{\"image_processor_type\": \"Gemma3ImageProcessor\"}", null, null);
        assertEquals(new TargetSize.Exact(224, 224), gemma.config().size());
        assertEquals(Resample.BILINEAR, gemma.config().resample());
        assertEquals(256, gemma.config().tokensPerImage());
    }

    @Test
    void fullFeatureStrategyKeepsTheClsToken() {
        ClipImageProcessor clip = (ClipImageProcessor) ImageProcessor.fromJson(
                "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": 32, \"crop_size\": 32}", null,
                "{\"vision_feature_select_strategy\": \"full\", \"vision_config\": {\"patch_size\": 8}}");
        assertEquals(17, clip.process(List.of(constant(5, 5, 0, 0, 0))).images().getFirst().numImageTokens());
    }

    @Test
    void badConfigurationsAreRejectedWithTheKeyNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ImageProcessor.fromJson("{\"image_processor_type\": \"SamImageProcessor\"}", null, null));
        assertTrue(unknown.getMessage().contains("unsupported image_processor_type SamImageProcessor"));
        IllegalArgumentException resample = assertThrows(IllegalArgumentException.class,
                () -> ImageProcessor.fromJson("{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": 9}", null, null));
        assertTrue(resample.getMessage().contains("unknown Pillow resampling filter 9"), resample.getMessage());
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class,
                () -> ImageProcessor.fromJson("{\"image_processor_type\": \"CLIPImageProcessor\", \"image_mean\": [1, 2]}", null, null));
        assertTrue(mean.getMessage().contains("\"image_mean\" must be"), mean.getMessage());
        IllegalArgumentException pan = assertThrows(IllegalArgumentException.class,
                () -> ImageProcessor.fromJson("{\"image_processor_type\": \"Gemma3ImageProcessor\", \"do_pan_and_scan\": 1}", null, null));
        assertTrue(pan.getMessage().contains("\"do_pan_and_scan\" must be true or false"), pan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClipImageProcessor(
                ((ClipImageProcessor) ImageProcessor.fromJson("{\"image_processor_type\": \"CLIPImageProcessor\"}", null, null)).config())
                .process(List.of()));
    }

    @Test
    void gemma3PromptWrapsTheSoftTokens() throws IOException {
        ImageSummary s = fixtureProcessor("gemma3").process(List.of(constant(3, 3, 0, 0, 0))).images().getFirst();
        assertInstanceOf(Gemma3ImageProcessor.Summary.class, s);
        assertEquals("\n\n<start_of_image>" + "<image_soft_token>".repeat(4) + "<end_of_image>\n\n", s.prompt());
    }
}
