package dev.jvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gemma 3 pan-and-scan as Gemma3ImageProcessor.pan_and_scan computes it, with crop boxes worked out
 * by hand from its formula (defaults: min crop 256, at most 4 crops, from an aspect ratio of 1.2), the
 * crops' pixels, and the prompt text Gemma3's processor writes for an image with crops.
 */
class PanAndScanTest {
    private static final Gemma3ImageProcessor.PanAndScan DEFAULTS = new Gemma3ImageProcessor.PanAndScan(true, 256, 4, 1.2);

    private static String boxes(int width, int height) {
        StringBuilder s = new StringBuilder();
        for (int[] b : DEFAULTS.cropBoxes(width, height)) {
            s.append(java.util.Arrays.toString(b));
        }
        return s.toString();
    }

    @Test
    void cropBoxesForSeveralAspectRatios() {
        // 1000x400: ratio 2.5 -> floor(3.0) = 3 crops, floor(1000 / 256) = 3 allows it; 334 wide (ceil 1000/3), last one clipped
        assertEquals("[0, 0, 334, 400][334, 0, 668, 400][668, 0, 1000, 400]", boxes(1000, 400));
        // the same portrait: crops stacked
        assertEquals("[0, 0, 400, 334][0, 334, 400, 668][0, 668, 400, 1000]", boxes(400, 1000));
        // 600x500: ratio exactly 1.2 activates; round(1.2) = 1 raised to the minimum of 2 crops of 300
        assertEquals("[0, 0, 300, 500][300, 0, 600, 500]", boxes(600, 500));
        // 599x500: ratio 1.198 < 1.2, no crops
        assertEquals("", boxes(599, 500));
        // 2000x300: ratio 6.67 -> 7 crops, capped at 4 of 500x300
        assertEquals("[0, 0, 500, 300][500, 0, 1000, 300][1000, 0, 1500, 300][1500, 0, 2000, 300]", boxes(2000, 300));
        // 2000x200: 4 crops of 500x200, but 200 < 256: none
        assertEquals("", boxes(2000, 200));
        // 500x300: floor(500 / 256) = 1, raised to 2 crops of 250 < 256: none
        assertEquals("", boxes(500, 300));
        // square: none
        assertEquals("", boxes(300, 300));
        // 1500x600 with at most 2 crops and 100-pixel minimum: ratio 2.5 -> 3, capped at 2 of 750
        assertEquals(List.of("[0, 0, 750, 600]", "[750, 0, 1500, 600]"),
                new Gemma3ImageProcessor.PanAndScan(true, 100, 2, 1.2).cropBoxes(1500, 600).stream().map(java.util.Arrays::toString).toList());
    }

    private static DecodedImage noise(int width, int height) {
        SplittableRandom r = new SplittableRandom(9);
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        return DecodedImage.rgb(width, height, px);
    }

    @Test
    void cropsFollowTheirImageAndThePromptNamesThem() throws IOException {
        String pre = Files.readString(Fixtures.path("gemma3/preprocessor_config.json"));
        String model = Files.readString(Fixtures.path("gemma3/config.json"));
        Gemma3ImageProcessor off = (Gemma3ImageProcessor) ImageProcessor.fromJson(pre, null, model);
        assertFalse(off.config().panAndScan().enabled(), "the fixture config has do_pan_and_scan false, crop settings null");
        assertEquals(new Gemma3ImageProcessor.PanAndScan(false, 256, 4, 1.2), off.config().panAndScan(),
                "null settings take the processor's defaults");
        Gemma3ImageProcessor on = new Gemma3ImageProcessor(off.config().withPanAndScan());

        DecodedImage wide = noise(1000, 400);
        DecodedImage square = noise(300, 300);
        ProcessedImages out = on.process(List.of(wide, square));
        FloatArray px = out.pixelValues();
        assertArrayEquals(new int[] {5, 3, 32, 32}, px.shape(), "the wide image, its 3 crops, the square image");
        Gemma3ImageProcessor.Summary s = (Gemma3ImageProcessor.Summary) out.images().get(0);
        assertEquals(3, s.numCrops());
        assertEquals(4 * 4, s.numImageTokens(), "4 tokens per image for the original and each crop");
        String full = "\n\n<start_of_image>" + "<image_soft_token>".repeat(4) + "<end_of_image>\n\n";
        assertEquals("Here is the original image " + full + " and here are some crops to help you see better " + full + " " + full
                + " " + full, s.prompt());
        assertEquals(0, ((Gemma3ImageProcessor.Summary) out.images().get(1)).numCrops());
        assertEquals(full, out.images().get(1).prompt());

        ProcessedImages alone = off.process(List.of(wide, ImageOps.crop(wide, 334, 0, 668, 400), ImageOps.crop(wide, 668, 0, 1000, 400)));
        int plane = 3 * 32 * 32;
        float[] a = alone.pixelValues().data();
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 0, plane), java.util.Arrays.copyOfRange(px.data(), 0, plane), "original");
        assertArrayEquals(java.util.Arrays.copyOfRange(a, plane, 2 * plane), java.util.Arrays.copyOfRange(px.data(), 2 * plane, 3 * plane),
                "crop 2 is columns 334..668");
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 2 * plane, 3 * plane),
                java.util.Arrays.copyOfRange(px.data(), 3 * plane, 4 * plane), "crop 3 is columns 668..1000 (332 wide)");
    }

    @Test
    void configTurnsItOnAndBadValuesAreNamed() throws IOException {
        String model = Files.readString(Fixtures.path("gemma3/config.json"));
        Gemma3ImageProcessor p = (Gemma3ImageProcessor) ImageProcessor.fromJson("""
                {"image_processor_type": "Gemma3ImageProcessor", "size": {"height": 32, "width": 32}, "do_pan_and_scan": true,
                 "pan_and_scan_min_crop_size": 100, "pan_and_scan_max_num_crops": 2, "pan_and_scan_min_ratio_to_activate": 1.5}""",
                null, model);
        assertEquals(new Gemma3ImageProcessor.PanAndScan(true, 100, 2, 1.5), p.config().panAndScan());
        assertEquals(2, ((Gemma3ImageProcessor.Summary) p.process(List.of(noise(300, 150))).images().getFirst()).numCrops());
        assertEquals(0, ((Gemma3ImageProcessor.Summary) p.process(List.of(noise(280, 200))).images().getFirst()).numCrops(),
                "ratio 1.4 < 1.5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageProcessor.fromJson("""
                {"image_processor_type": "Gemma3ImageProcessor", "pan_and_scan_max_num_crops": 0}""", null, model));
        assertTrue(e.getMessage().contains("\"pan_and_scan_max_num_crops\" must be a positive integer"), e.getMessage());
    }
}
