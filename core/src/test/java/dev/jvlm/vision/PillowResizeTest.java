package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Resampling against Pillow's formulas. Small cases are worked out by hand from
 * {@code Resample.c} (noted in each test) or are Pillow's own output for the same call.
 */
class PillowResizeTest {

    private static DecodedImage row(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return new DecodedImage(Mode.L, values.length, 1, b, null);
    }

    private static int[] values(DecodedImage image) {
        int[] out = new int[image.samples().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.samples()[i] & 0xFF;
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Resample.class)
    void constantColourStaysConstantWhenShrinkingAndEnlarging(Resample filter) {
        byte[] rgb = new byte[17 * 11 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 200;
            rgb[i + 1] = 17;
            rgb[i + 2] = (byte) 255;
        }
        DecodedImage image = DecodedImage.rgb(17, 11, rgb);
        for (int[] size : new int[][]{{5, 3}, {40, 29}, {1, 1}, {17, 50}, {1, 500}}) {
            DecodedImage out = image.resize(size[0], size[1], filter);
            assertEquals(size[0], out.width());
            assertEquals(size[1], out.height());
            for (int i = 0; i < out.samples().length; i += 3) {
                assertArrayEquals(new byte[]{(byte) 200, 17, (byte) 255}, Arrays.copyOfRange(out.samples(), i, i + 3),
                        filter + " to " + size[0] + "x" + size[1] + " at " + i / 3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Resample.class)
    void sameSizeIsACopy(Resample filter) {
        DecodedImage image = row(1, 2, 3, 250);
        DecodedImage out = image.resize(4, 1, filter);
        assertEquals(image, out);
        assertNotSame(image.samples(), out.samples());
    }

    /** Bilinear halving: support 2, both taps weigh 0.75 before normalisation, 0.5 after; 127.5 rounds up. */
    @Test
    void bilinearHalvingAveragesAndRoundsHalfUp() {
        assertArrayEquals(new int[]{128}, values(row(0, 255).resize(1, 1, Resample.BILINEAR)));
    }

    /** Box halving: weights 2^21 each, so (10 + 20) / 2 gives 2^21 * 31 >> 22 = 15. */
    @Test
    void boxHalvingAveragesPairs() {
        assertArrayEquals(new int[]{15, 35}, values(row(10, 20, 30, 40).resize(2, 1, Resample.BOX)));
    }

    /**
     * Bicubic doubling of (0, 255): the first output's weights are 0.867 and -0.070 of their
     * sum, so it would be negative and clips to 0; the second is 255 * 0.2071 = 52.8, so 53.
     */
    @Test
    void bicubicEnlargingClipsOvershootAndRounds() {
        assertArrayEquals(new int[]{0, 53, 202, 255}, values(row(0, 255).resize(4, 1, Resample.BICUBIC)));
    }

    /** Pillow's output for the same calls. */
    @Test
    void matchesPillowOnSmallRows() {
        int[] src = {10, 200, 30, 90, 250, 0, 128};
        assertArrayEquals(new int[]{90, 120, 101}, values(row(src).resize(3, 1, Resample.BICUBIC)));
        assertArrayEquals(new int[]{84, 123, 104}, values(row(src).resize(3, 1, Resample.LANCZOS)));
        assertArrayEquals(new int[]{106, 114, 81}, values(row(src).resize(3, 1, Resample.HAMMING)));
        assertArrayEquals(new int[]{0, 14, 57, 100, 166, 233, 255}, values(row(0, 100, 255).resize(7, 1, Resample.BILINEAR)));
        assertArrayEquals(new int[]{11, 0, 0, 0, 0, 77, 178, 255, 255, 255, 255, 244},
                values(row(0, 0, 255, 255).resize(12, 1, Resample.LANCZOS)));
    }

    /** Both passes, horizontal then vertical through an 8-bit intermediate: Pillow's output. */
    @Test
    void twoPassResizeMatchesPillow() {
        DecodedImage image = new DecodedImage(Mode.L, 3, 2, new byte[]{0, 50, 100, (byte) 150, (byte) 200, (byte) 250}, null);
        assertArrayEquals(new int[]{5, 75, 90, 160, 175, 245}, values(image.resize(2, 3, Resample.BICUBIC)));
    }

    /** Nearest: source x = floor((x + 0.5) * in / out), accumulated as Pillow does. */
    @Test
    void nearestPicksPixelCentres() {
        assertArrayEquals(new int[]{2, 4, 6}, values(row(1, 2, 3, 4, 5, 6, 7).resize(3, 1, Resample.NEAREST)));
        assertArrayEquals(new int[]{1, 1, 2, 2, 2, 3, 3}, values(row(1, 2, 3).resize(7, 1, Resample.NEAREST)));
    }

    @Test
    void paletteImagesAreAlwaysResizedNearestNeighbour() {
        byte[] palette = {0, 0, 0, (byte) 255, (byte) 255, (byte) 255};
        DecodedImage image = new DecodedImage(Mode.P, 2, 1, new byte[]{0, 1}, palette);
        DecodedImage out = image.resize(4, 1, Resample.LANCZOS);
        assertEquals(new DecodedImage(Mode.P, 4, 1, new byte[]{0, 0, 1, 1}, palette), out);
    }

    /**
     * RGBA is resampled premultiplied: opaque red beside transparent blue halves to red at half
     * alpha (premultiplied (128, 0, 0, 128) turns back into 255 * 128 / 128 = 255), where a
     * straight average would give purple. Gray 200 beside transparent black: premultiplied
     * average 100 at alpha 128 turns back into 255 * 100 / 128 = 199.
     */
    @Test
    void rgbaIsResampledWithPremultipliedAlpha() {
        DecodedImage image = new DecodedImage(Mode.RGBA, 2, 1,
                new byte[]{(byte) 255, 0, 0, (byte) 255, 0, 0, (byte) 255, 0}, null);
        assertArrayEquals(new byte[]{(byte) 255, 0, 0, (byte) 128}, image.resize(1, 1, Resample.BILINEAR).samples());
        DecodedImage la = new DecodedImage(Mode.LA, 2, 1, new byte[]{(byte) 200, (byte) 255, 0, 0}, null);
        assertArrayEquals(new byte[]{(byte) 199, (byte) 128}, la.resize(1, 1, Resample.BILINEAR).samples());
    }

    @Test
    void extremeAspectRatiosResize() {
        byte[] tall = new byte[500];
        for (int i = 0; i < 500; i++) {
            tall[i] = (byte) (i % 256);
        }
        DecodedImage column = new DecodedImage(Mode.L, 1, 500, tall, null);
        DecodedImage squashed = column.resize(1, 1, Resample.BOX);
        // Box over all 500 rows: the mean of 0..255 twice and 0..243, rounded.
        long sum = 0;
        for (byte b : tall) {
            sum += b & 0xFF;
        }
        assertEquals(Math.round((double) sum / 500), squashed.samples()[0] & 0xFF);
        assertEquals(500, column.resize(500, 1, Resample.BICUBIC).width());
    }

    @Test
    void resizingToNothingIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> row(1, 2).resize(0, 1, Resample.BILINEAR));
    }
}
