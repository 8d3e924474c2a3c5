package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pillow's {@code convert("RGB")} and the alpha handling Hugging Face's processors rely on. */
class ModeConversionTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void grayscaleIsReplicated() {
        assertArrayEquals(b(7, 7, 7, 250, 250, 250), new DecodedImage(Mode.L, 2, 1, b(7, 250), null).toRgb().samples());
        assertArrayEquals(b(7, 7, 7), new DecodedImage(Mode.LA, 1, 1, b(7, 0), null).toRgb().samples());
    }

    @Test
    void alphaIsDroppedNotComposited() {
        DecodedImage rgba = new DecodedImage(Mode.RGBA, 1, 1, b(10, 20, 30, 0), null);
        assertArrayEquals(b(10, 20, 30), rgba.toRgb().samples());
    }

    @Test
    void paletteIndicesTakeTheirColourAndUndefinedEntriesPillowsGrayRamp() {
        DecodedImage p = new DecodedImage(Mode.P, 2, 1, b(1, 9), b(1, 2, 3, 4, 5, 6));
        assertArrayEquals(b(4, 5, 6, 9, 9, 9), p.toRgb().samples());
    }

    @Test
    void rgbIsReturnedAsIs() {
        DecodedImage rgb = DecodedImage.rgb(1, 1, b(1, 2, 3));
        assertEquals(rgb, rgb.toRgb());
    }

    /** {@code MULDIV255}: 200 * 128 / 255 = 100.39, rounded 100; 255 * a / 255 = a exactly. */
    @Test
    void premultiplyAndBackFollowPillowsIntegerFormulas() {
        byte[] s = b(200, 255, 1, 128, 50, 60, 70, 0);
        ModeConversion.premultiply(s, 4);
        assertArrayEquals(b(100, 128, 1, 128, 0, 0, 0, 0), s);
        ModeConversion.unpremultiply(s, 4);
        // 255 * 100 / 128 = 199 (integer division), 255 * 128 / 128 = 255, 255 * 1 / 128 = 1.
        assertArrayEquals(b(199, 255, 1, 128, 0, 0, 0, 0), s);
    }

    /**
     * Over opaque white: alpha 0 gives white, alpha 255 the colour, alpha 128 gives
     * coef1 = 128 * 128 = 16384 and 100 * 16384 + 255 * 16256 rounded / 255 / 128 = 177.
     */
    @Test
    void compositingOntoWhiteMatchesAlphaComposite() {
        assertEquals(255, ModeConversion.blendOverWhite(100, 0));
        assertEquals(100, ModeConversion.blendOverWhite(100, 255));
        assertEquals(177, ModeConversion.blendOverWhite(100, 128));
        DecodedImage rgba = new DecodedImage(Mode.RGBA, 2, 1, b(100, 0, 50, 128, 9, 9, 9, 0), null);
        assertArrayEquals(b(177, 127, 152, 255, 255, 255), ModeConversion.compositeOnWhite(rgba).samples());
    }

    @Test
    void invalidImagesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DecodedImage(Mode.RGB, 2, 2, new byte[11], null));
        assertThrows(IllegalArgumentException.class, () -> new DecodedImage(Mode.L, 0, 2, new byte[0], null));
        assertThrows(NullPointerException.class, () -> new DecodedImage(Mode.P, 1, 1, new byte[1], null));
    }
}
