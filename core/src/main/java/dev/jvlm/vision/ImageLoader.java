package dev.jvlm.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens image files as Pillow does for Hugging Face's processors: PNG, JPEG, WebP, BMP and GIF
 * (first frame) in the mode stored in the file, turned upright by their EXIF orientation (as
 * Hugging Face's {@code load_image} does with {@code ImageOps.exif_transpose}).
 *
 * <p>Unlike {@code load_image}, the mode is not converted to RGB here: each processor converts as
 * its Hugging Face twin does (Idefics3, for instance, composites alpha onto white).
 */
public final class ImageLoader {

    /** The default limit on pixels per image: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private final long maxPixels;

    /** A loader that rejects images of more than {@link #DEFAULT_MAX_PIXELS} pixels. */
    public ImageLoader() {
        this(DEFAULT_MAX_PIXELS);
    }

    /** A loader that rejects images of more than {@code maxPixels} pixels. */
    public ImageLoader(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** Reads and decodes an image file; messages name the file. */
    public DecodedImage load(Path file) throws IOException {
        Path name = file.getFileName();
        return decode(Files.readAllBytes(file), name == null ? file.toString() : name.toString());
    }

    /**
     * Decodes an image held in memory; {@code name} (a file name or other label) is used in error
     * messages.
     */
    public DecodedImage decode(byte[] data, String name) throws InvalidImageException {
        if (data.length == 0) {
            throw new InvalidImageException(name + ": empty file, expected PNG, JPEG, WebP, BMP or GIF image data");
        }
        try {
            return switch (Format.sniff(data)) {
                case PNG -> {
                    PngDecoder.Result png = PngDecoder.decode(data, name, maxPixels);
                    yield ExifOrientation.apply(png.image(), ExifOrientation.read(png.exif()));
                }
                case JPEG -> {
                    DecodedImage image = JpegDecoder.decode(data, name, maxPixels);
                    yield ExifOrientation.apply(image, ExifOrientation.read(JpegDecoder.exif(data)));
                }
                case WEBP -> {
                    DecodedImage image = ImageIoDecoder.decode(data, name, "webp", maxPixels);
                    yield ExifOrientation.apply(image, ExifOrientation.read(webpExif(data)));
                }
                case BMP -> ImageIoDecoder.decode(data, name, "bmp", maxPixels);
                case GIF -> ImageIoDecoder.decode(data, name, "gif", maxPixels);
                case UNKNOWN -> throw new InvalidImageException(name + ": not an image: expected PNG, JPEG, WebP, "
                        + "BMP or GIF data, the file starts with bytes " + hexPrefix(data));
            };
        } catch (RuntimeException e) {
            // Decoders signal some corrupt inputs with unchecked exceptions (index errors and the like).
            throw new InvalidImageException(name + ": corrupt or truncated image data (" + e + ")", e);
        }
    }

    /** Rejects sizes of 0 pixels or above the limit; decoders call this before decoding pixels. */
    static void checkSize(String name, long width, long height, long maxPixels) throws InvalidImageException {
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(name + ": image has no pixels (" + width + "x" + height
                    + "), expected at least 1x1");
        }
        if (width * height > maxPixels) {
            throw new InvalidImageException(name + ": image is " + width + "x" + height + " = " + width * height
                    + " pixels, more than the limit of " + maxPixels);
        }
        // Samples live in one Java array: 8 bytes per pixel is the most any decoding step holds.
        if (width * height > (Integer.MAX_VALUE - 16) / 8) {
            throw new InvalidImageException(name + ": image is " + width + "x" + height
                    + ", too large to decode in memory (at most " + (Integer.MAX_VALUE - 16) / 8 + " pixels)");
        }
    }

    private enum Format {
        PNG, JPEG, WEBP, BMP, GIF, UNKNOWN;

        static Format sniff(byte[] d) {
            if (startsWith(d, PngDecoder.SIGNATURE)) {
                return PNG;
            }
            if (d.length >= 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xD8 && (d[2] & 0xFF) == 0xFF) {
                return JPEG;
            }
            if (d.length >= 12 && startsWith(d, "RIFF".getBytes()) && d[8] == 'W' && d[9] == 'E' && d[10] == 'B' && d[11] == 'P') {
                return WEBP;
            }
            if (startsWith(d, "GIF87a".getBytes()) || startsWith(d, "GIF89a".getBytes())) {
                return GIF;
            }
            if (startsWith(d, "BM".getBytes()) && d.length >= 14) {
                return BMP;
            }
            return UNKNOWN;
        }

        private static boolean startsWith(byte[] d, byte[] prefix) {
            if (d.length < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (d[i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The payload of a WebP file's {@code EXIF} chunk, or null. */
    private static byte[] webpExif(byte[] d) {
        int pos = 12;
        while (pos + 8 <= d.length) {
            int size = (d[pos + 4] & 0xFF) | (d[pos + 5] & 0xFF) << 8 | (d[pos + 6] & 0xFF) << 16 | (d[pos + 7] & 0xFF) << 24;
            if (size < 0 || pos + 8L + size > d.length) {
                return null;
            }
            if (d[pos] == 'E' && d[pos + 1] == 'X' && d[pos + 2] == 'I' && d[pos + 3] == 'F') {
                byte[] exif = new byte[size];
                System.arraycopy(d, pos + 8, exif, 0, size);
                return exif;
            }
            pos += 8 + size + (size & 1);
        }
        return null;
    }

    private static String hexPrefix(byte[] data) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, data.length); i++) {
            s.append(String.format("%02x", data[i] & 0xFF));
        }
        return s.toString();
    }
}
