package dev.jvlm.models;

import static dev.jvlm.models.VisionFixtures.ids;
import static dev.jvlm.models.VisionFixtures.model;
import static dev.jvlm.models.VisionFixtures.relativeError;
import static dev.jvlm.models.VisionFixtures.times;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.Gemma3ImageProcessor;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.ProcessedImages;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gemma 3 with pan-and-scan: an image with three crops fills four image blocks of the prompt (laid out
 * with the fixture's stand-in ids: "\n\n" 108, boi 500, image 502, eoi 501, and two text ids standing
 * for the "Here is the original image" / "and here are some crops" text); each block gets the features
 * of its own picture, in order.
 */
class PanAndScanModelTest {
    @Test
    void eachCropFillsItsOwnImageBlock() throws IOException {
        Gemma3ImageProcessor plain = (Gemma3ImageProcessor) ImageProcessor.fromDirectory(VisionFixtures.dir("gemma3"));
        Gemma3ImageProcessor pan = new Gemma3ImageProcessor(plain.config().withPanAndScan());
        DecodedImage wide = VisionFixtures.image(1000, 400, 7);
        ProcessedImages processed = pan.process(List.of(wide));
        assertEquals(3, ((Gemma3ImageProcessor.Summary) processed.images().getFirst()).numCrops());
        Map<String, Tensor> inputs = VisionFixtures.tensors(processed);
        long[] block = ids(108, 500, times(502, 4), 501, 108);
        long[] prompt = ids(2, 11, block, 12, block, 13, block, 13, block, 14);
        LanguageModel lm = model("gemma3");
        Prefill prefill = lm.prefill(new long[][] {prompt}, null, inputs);
        assertArrayEquals(new int[] {4, 4, 64}, prefill.imageFeatures().shape());
        float[] features = prefill.imageFeatures().floats();
        for (int picture = 0; picture < 4; picture++) {
            float[] alone = lm.prefill(new long[][] {ids(2, block)}, null,
                    VisionFixtures.tensors(plain.process(List.of(crop(wide, picture))))).imageFeatures().floats();
            double err = relativeError(Arrays.copyOfRange(features, picture * alone.length, (picture + 1) * alone.length), alone);
            assertTrue(err < 1e-6, "block " + picture + ": relative error " + err);
        }
    }

    /** Picture 0 is the image; 1..3 its crops, columns [0, 334), [334, 668), [668, 1000). */
    private static DecodedImage crop(DecodedImage image, int picture) {
        if (picture == 0) {
            return image;
        }
        int x0 = (picture - 1) * 334;
        int x1 = Math.min(1000, x0 + 334);
        byte[] out = new byte[(x1 - x0) * image.height() * 3];
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.samples(), (y * image.width() + x0) * 3, out, y * (x1 - x0) * 3, (x1 - x0) * 3);
        }
        return DecodedImage.rgb(x1 - x0, image.height(), out);
    }
}
