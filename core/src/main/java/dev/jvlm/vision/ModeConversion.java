package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

/**
 * Pillow's mode conversions ({@code libImaging/Convert.c}, {@code AlphaComposite.c}) that Hugging
 * Face's processors rely on, with the same integer arithmetic so that results are bit-identical.
 */
final class ModeConversion {

    private ModeConversion() {
    }

    /** {@code convert("RGB")}. */
    static DecodedImage toRgb(DecodedImage image) {
        int n = (int) image.pixelCount();
        byte[] in = image.samples();
        byte[] out = new byte[n * 3];
        switch (image.mode()) {
            case RGB -> System.arraycopy(in, 0, out, 0, out.length);
            case L -> {
                for (int i = 0; i < n; i++) {
                    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[i];
                }
            }
            case LA -> {
                for (int i = 0; i < n; i++) {
                    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[2 * i];
                }
            }
            case RGBA -> {
                for (int i = 0; i < n; i++) {
                    out[3 * i] = in[4 * i];
                    out[3 * i + 1] = in[4 * i + 1];
                    out[3 * i + 2] = in[4 * i + 2];
                }
            }
            case P -> {
                byte[] lut = paletteLookup(image.palette());
                for (int i = 0; i < n; i++) {
                    int index = in[i] & 0xFF;
                    out[3 * i] = lut[3 * index];
                    out[3 * i + 1] = lut[3 * index + 1];
                    out[3 * i + 2] = lut[3 * index + 2];
                }
            }
            case I16 -> {
                // Pillow's I16_RGB clips instead of scaling: values above 255 become white.
                for (int i = 0; i < n; i++) {
                    byte v = in[2 * i + 1] == 0 ? in[2 * i] : (byte) 255;
                    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
                }
            }
        }
        return DecodedImage.rgb(image.width(), image.height(), out);
    }

    /**
     * {@code convert("RGBA")} for the modes that have no transparency of their own (an opaque alpha
     * channel is added); LA is widened to RGBA keeping its alpha.
     */
    static DecodedImage toRgba(DecodedImage image) {
        if (image.mode() == Mode.RGBA) {
            return image;
        }
        int n = (int) image.pixelCount();
        byte[] out = new byte[n * 4];
        if (image.mode() == Mode.LA) {
            byte[] in = image.samples();
            for (int i = 0; i < n; i++) {
                out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = in[2 * i];
                out[4 * i + 3] = in[2 * i + 1];
            }
        } else {
            byte[] rgb = toRgb(image).samples();
            for (int i = 0; i < n; i++) {
                out[4 * i] = rgb[3 * i];
                out[4 * i + 1] = rgb[3 * i + 1];
                out[4 * i + 2] = rgb[3 * i + 2];
                out[4 * i + 3] = (byte) 255;
            }
        }
        return new DecodedImage(Mode.RGBA, image.width(), image.height(), out, null);
    }

    /**
     * Pillow's 256-entry palette: entries the image's palette does not define keep Pillow's
     * initial grayscale ramp (index i is (i, i, i)).
     */
    private static byte[] paletteLookup(byte[] palette) {
        byte[] lut = new byte[768];
        for (int i = 0; i < 256; i++) {
            lut[3 * i] = lut[3 * i + 1] = lut[3 * i + 2] = (byte) i;
        }
        System.arraycopy(palette, 0, lut, 0, palette.length);
        return lut;
    }

    /**
     * RGBA to premultiplied RGBa ({@code rgbA2rgba}), in place on interleaved samples with
     * {@code channels} = 4 (RGBA) or 2 (LA: the colour channel is byte 0, alpha byte 1).
     */
    static void premultiply(byte[] samples, int channels) {
        int alphaIndex = channels - 1;
        for (int p = 0; p < samples.length; p += channels) {
            int alpha = samples[p + alphaIndex] & 0xFF;
            for (int c = 0; c < alphaIndex; c++) {
                samples[p + c] = (byte) mulDiv255(samples[p + c] & 0xFF, alpha);
            }
        }
    }

    /** Premultiplied back to straight alpha ({@code rgba2rgbA}), in place. */
    static void unpremultiply(byte[] samples, int channels) {
        int alphaIndex = channels - 1;
        for (int p = 0; p < samples.length; p += channels) {
            int alpha = samples[p + alphaIndex] & 0xFF;
            if (alpha == 255 || alpha == 0) {
                continue;
            }
            for (int c = 0; c < alphaIndex; c++) {
                samples[p + c] = (byte) Math.min(255, (255 * (samples[p + c] & 0xFF)) / alpha);
            }
        }
    }

    /**
     * Idefics3's {@code convert_to_rgb}: {@code Image.alpha_composite} of the image (as RGBA) over
     * an opaque white background, then {@code convert("RGB")}.
     */
    static DecodedImage compositeOnWhite(DecodedImage image) {
        DecodedImage rgba = toRgba(image);
        byte[] in = rgba.samples();
        int n = (int) rgba.pixelCount();
        byte[] out = new byte[n * 3];
        for (int i = 0; i < n; i++) {
            int alpha = in[4 * i + 3] & 0xFF;
            for (int c = 0; c < 3; c++) {
                out[3 * i + c] = (byte) blendOverWhite(in[4 * i + c] & 0xFF, alpha);
            }
        }
        return DecodedImage.rgb(rgba.width(), rgba.height(), out);
    }

    /**
     * One channel of {@code ImagingAlphaComposite} with an opaque white destination: the general
     * formula with 7 extra bits of precision and rounded divisions by 255.
     */
    static int blendOverWhite(int source, int alpha) {
        if (alpha == 0) {
            return 255;
        }
        final int precisionBits = 7;
        long outAlpha255 = alpha * 255L + 255L * (255 - alpha);
        long coef1 = alpha * 255L * 255L * (1 << precisionBits) / outAlpha255;
        long coef2 = 255L * (1 << precisionBits) - coef1;
        long tmp = source * coef1 + 255 * coef2 + (0x80L << precisionBits);
        return (int) ((((tmp >> 8) + tmp) >> 8) >> precisionBits);
    }

    /** Pillow's {@code MULDIV255}: a * b / 255 rounded, without a division. */
    static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }
}
