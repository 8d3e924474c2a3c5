package dev.jvlm.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The EXIF orientation tag and {@code PIL.ImageOps.exif_transpose}, which Hugging Face's
 * {@code load_image} applies so that a photo taken sideways is seen upright.
 */
final class ExifOrientation {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;

    private ExifOrientation() {
    }

    /**
     * The orientation (1 to 8) in an EXIF block (a TIFF structure, optionally prefixed by
     * {@code "Exif\0\0"}), or 1 when the block is absent, malformed or has no such tag: a broken
     * EXIF block should not make an otherwise good image unreadable.
     */
    static int read(byte[] exif) {
        if (exif == null) {
            return 1;
        }
        int base = exif.length >= 6 && exif[0] == 'E' && exif[1] == 'x' && exif[2] == 'i' && exif[3] == 'f'
                && exif[4] == 0 && exif[5] == 0 ? 6 : 0;
        if (exif.length < base + 8) {
            return 1;
        }
        ByteBuffer b = ByteBuffer.wrap(exif);
        if (exif[base] == 'I' && exif[base + 1] == 'I') {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (exif[base] == 'M' && exif[base + 1] == 'M') {
            b.order(ByteOrder.BIG_ENDIAN);
        } else {
            return 1;
        }
        long ifd = Integer.toUnsignedLong(b.getInt(base + 4)) + base;
        if (ifd + 2 > exif.length) {
            return 1;
        }
        int entries = b.getShort((int) ifd) & 0xFFFF;
        for (int i = 0; i < entries; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > exif.length) {
                return 1;
            }
            int tag = b.getShort((int) entry) & 0xFFFF;
            if (tag == ORIENTATION_TAG && (b.getShort((int) entry + 2) & 0xFFFF) == TYPE_SHORT) {
                int value = b.getShort((int) entry + 8) & 0xFFFF;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /** The image turned upright for {@code orientation}, as {@code exif_transpose} does. */
    static DecodedImage apply(DecodedImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int bpp = image.mode().bytesPerPixel();
        boolean swapsAxes = orientation >= 5;
        int outW = swapsAxes ? h : w;
        int outH = swapsAxes ? w : h;
        byte[] in = image.samples();
        byte[] out = new byte[in.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                // Source pixel of output (x, y) for each of Pillow's transpose methods.
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { // FLIP_LEFT_RIGHT
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> { // ROTATE_180
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> { // FLIP_TOP_BOTTOM
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> { // TRANSPOSE
                        sx = y;
                        sy = x;
                    }
                    case 6 -> { // ROTATE_270 (90 degrees clockwise)
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> { // TRANSVERSE
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> { // 8: ROTATE_90 (90 degrees counter-clockwise)
                        sx = w - 1 - y;
                        sy = x;
                    }
                }
                System.arraycopy(in, (sy * w + sx) * bpp, out, (y * outW + x) * bpp, bpp);
            }
        }
        return new DecodedImage(image.mode(), outW, outH, out, image.palette());
    }
}
