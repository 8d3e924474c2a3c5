package dev.jvlm.vision;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded image held the way Pillow holds it: a mode, a size and interleaved 8-bit samples
 * (row-major, top-left first), plus a palette for {@link Mode#P}.
 *
 * <p>The modes are Pillow's, because Hugging Face's image processors branch on them: CLIP-style
 * processors call Pillow's {@code convert("RGB")}, Idefics3 resizes in the image's own mode and
 * composites alpha onto white afterwards. Keeping the mode as stored in the file (rather than
 * converting to RGB at load time) is what lets every processor reproduce its Hugging Face twin.
 *
 * @param mode    the pixel layout
 * @param width   width in pixels, at least 1
 * @param height  height in pixels, at least 1
 * @param samples {@code width * height * mode.bytesPerPixel()} bytes; {@link Mode#I16} stores each
 *                16-bit value little-endian
 * @param palette for {@link Mode#P}: RGB triplets, at most 256 entries; {@code null} otherwise
 */
public record DecodedImage(Mode mode, int width, int height, byte[] samples, byte[] palette) {

    /** Pillow's image modes that decoding produces. */
    public enum Mode {
        /** 8-bit grayscale. */
        L(1),
        /** 8-bit grayscale with alpha. */
        LA(2),
        /** 8-bit RGB. */
        RGB(3),
        /** 8-bit RGB with straight (not premultiplied) alpha. */
        RGBA(4),
        /** 8-bit palette indices into {@link DecodedImage#palette()}. */
        P(1),
        /** 16-bit grayscale (Pillow's {@code I;16}), as 16-bit PNGs open in Pillow. */
        I16(2);

        private final int bytesPerPixel;

        Mode(int bytesPerPixel) {
            this.bytesPerPixel = bytesPerPixel;
        }

        /** Bytes each pixel takes in {@link DecodedImage#samples()}. */
        public int bytesPerPixel() {
            return bytesPerPixel;
        }
    }

    public DecodedImage {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(samples, "samples");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be at least 1x1, got " + width + "x" + height);
        }
        if ((long) width * height * mode.bytesPerPixel() != samples.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " " + mode + " image needs "
                    + (long) width * height * mode.bytesPerPixel() + " bytes, got " + samples.length);
        }
        if (mode == Mode.P) {
            Objects.requireNonNull(palette, "a P image needs a palette");
            if (palette.length % 3 != 0 || palette.length > 768) {
                throw new IllegalArgumentException("palette must hold at most 256 RGB triplets, got " + palette.length + " bytes");
            }
        } else if (palette != null) {
            throw new IllegalArgumentException("only P images have a palette, this one is " + mode);
        }
    }

    /** An 8-bit RGB image from interleaved R, G, B bytes. */
    public static DecodedImage rgb(int width, int height, byte[] rgb) {
        return new DecodedImage(Mode.RGB, width, height, rgb, null);
    }

    /** Number of pixels, {@code width * height}. */
    public long pixelCount() {
        return (long) width * height;
    }

    /**
     * Pillow's {@code convert("RGB")}: grayscale is replicated, alpha is dropped (not composited),
     * palette indices take their palette colour, 16-bit values above 255 clip to 255.
     */
    public DecodedImage toRgb() {
        return mode == Mode.RGB ? this : ModeConversion.toRgb(this);
    }

    /**
     * Pillow's {@code Image.resize((width, height), filter)} with no box and no reducing gap, as
     * Hugging Face calls it: a copy when the size is unchanged, {@link Resample#NEAREST} for
     * palette images, and premultiplied alpha while resampling {@code LA} and {@code RGBA}.
     */
    public DecodedImage resize(int newWidth, int newHeight, Resample filter) {
        return PillowResize.resize(this, newWidth, newHeight, filter);
    }

    /** Equal when mode, size, samples and palette are equal (arrays by content). */
    @Override
    public boolean equals(Object other) {
        return other instanceof DecodedImage that
                && mode == that.mode && width == that.width && height == that.height
                && Arrays.equals(samples, that.samples) && Arrays.equals(palette, that.palette);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, width, height, Arrays.hashCode(samples), Arrays.hashCode(palette));
    }

    @Override
    public String toString() {
        return "DecodedImage[" + mode + " " + width + "x" + height + "]";
    }
}
