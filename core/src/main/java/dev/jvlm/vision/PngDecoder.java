package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PNG decoder that yields the mode and samples Pillow's PNG plugin yields. ImageIO is not used
 * for PNG because it turns {@code tRNS} colour keys into an alpha channel and widens low bit
 * depths differently, and Hugging Face's processors see Pillow's view of the file: 1-bit
 * grayscale as 0/255, 2- and 4-bit grayscale scaled to 8 bits, 16-bit grayscale as {@code I;16},
 * 16-bit colour channels truncated to their high byte, 16-bit grayscale+alpha as RGBA, and
 * {@code tRNS} kept out of the pixels.
 */
final class PngDecoder {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static final int[][] ADAM7 = {
            // x start, y start, x step, y step
            {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    /** The decoded image and the raw EXIF block of an {@code eXIf} chunk, or null. */
    record Result(DecodedImage image, byte[] exif) {
    }

    private PngDecoder() {
    }

    static Result decode(byte[] data, String name, long maxPixels) throws InvalidImageException {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        in.position(SIGNATURE.length);
        int width = 0;
        int height = 0;
        int bitDepth = 0;
        int colorType = -1;
        int interlace = 0;
        byte[] palette = null;
        byte[] exif = null;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        boolean sawEnd = false;
        while (!sawEnd) {
            if (in.remaining() < 12) {
                throw new InvalidImageException(name + ": truncated PNG: the file ends before its IEND chunk");
            }
            int length = in.getInt();
            byte[] typeBytes = new byte[4];
            in.get(typeBytes);
            String type = new String(typeBytes, StandardCharsets.ISO_8859_1);
            if (length < 0 || in.remaining() < (long) length + 4) {
                throw new InvalidImageException(name + ": truncated PNG: chunk " + type + " of " + length
                        + " bytes runs past the end of the file");
            }
            byte[] body = new byte[length];
            in.get(body);
            CRC32 crc = new CRC32();
            crc.update(typeBytes);
            crc.update(body);
            if ((int) crc.getValue() != in.getInt()) {
                throw new InvalidImageException(name + ": corrupt PNG: bad checksum in chunk " + type);
            }
            if (colorType < 0 && !type.equals("IHDR")) {
                throw new InvalidImageException(name + ": corrupt PNG: expected the IHDR chunk first, found " + type);
            }
            switch (type) {
                case "IHDR" -> {
                    if (length != 13) {
                        throw new InvalidImageException(name + ": corrupt PNG: IHDR must be 13 bytes, is " + length);
                    }
                    ByteBuffer h = ByteBuffer.wrap(body);
                    width = h.getInt();
                    height = h.getInt();
                    bitDepth = h.get() & 0xFF;
                    colorType = h.get() & 0xFF;
                    h.get(); // compression method: always deflate
                    h.get(); // filter method: always adaptive
                    interlace = h.get() & 0xFF;
                    ImageLoader.checkSize(name, width, height, maxPixels);
                    checkDepth(name, colorType, bitDepth);
                }
                case "PLTE" -> palette = body;
                case "eXIf" -> exif = body;
                case "IDAT" -> idat.write(body, 0, body.length);
                case "IEND" -> sawEnd = true;
                default -> {
                    // Ancillary chunks (text, gamma, colour profiles, tRNS) do not change the
                    // pixels Pillow returns.
                }
            }
        }
        if (colorType == 3 && palette == null) {
            throw new InvalidImageException(name + ": corrupt PNG: a palette image without a PLTE chunk");
        }
        int channels = switch (colorType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            default -> 4;
        };
        int bitsPerPixel = channels * bitDepth;
        byte[] raw = inflate(idat.toByteArray(), name, expectedSize(width, height, bitsPerPixel, interlace));
        // Samples at the file's depth, one row after another, no filter bytes.
        int rowBytes = (int) (((long) width * bitsPerPixel + 7) / 8);
        byte[] pixels = new byte[rowBytes * height];
        if (interlace == 0) {
            unfilter(raw, 0, pixels, width, height, bitsPerPixel, name);
        } else {
            int offset = 0;
            for (int[] pass : ADAM7) {
                int passWidth = (width - pass[0] + pass[2] - 1) / pass[2];
                int passHeight = (height - pass[1] + pass[3] - 1) / pass[3];
                if (passWidth <= 0 || passHeight <= 0) {
                    continue;
                }
                int passRowBytes = (int) (((long) passWidth * bitsPerPixel + 7) / 8);
                byte[] sub = new byte[passRowBytes * passHeight];
                offset = unfilter(raw, offset, sub, passWidth, passHeight, bitsPerPixel, name);
                scatter(sub, passWidth, passHeight, passRowBytes, pixels, rowBytes, bitsPerPixel, pass);
            }
        }
        return new Result(toPillowMode(pixels, width, height, rowBytes, colorType, bitDepth, palette, name), exif);
    }

    private static void checkDepth(String name, int colorType, int bitDepth) throws InvalidImageException {
        boolean ok = switch (colorType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
        if (!ok) {
            throw new InvalidImageException(name + ": corrupt PNG: colour type " + colorType + " with bit depth "
                    + bitDepth + " is not a valid combination");
        }
    }

    private static long expectedSize(int width, int height, int bitsPerPixel, int interlace) {
        if (interlace == 0) {
            return (((long) width * bitsPerPixel + 7) / 8 + 1) * height;
        }
        long total = 0;
        for (int[] pass : ADAM7) {
            long w = (width - pass[0] + pass[2] - 1) / pass[2];
            long h = (height - pass[1] + pass[3] - 1) / pass[3];
            if (w > 0 && h > 0) {
                total += ((w * bitsPerPixel + 7) / 8 + 1) * h;
            }
        }
        return total;
    }

    private static byte[] inflate(byte[] compressed, String name, long expected) throws InvalidImageException {
        if (expected > Integer.MAX_VALUE - 16) {
            throw new InvalidImageException(name + ": PNG too large to decode (" + expected + " bytes of pixel data)");
        }
        byte[] out = new byte[(int) expected];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            int filled = 0;
            while (filled < out.length) {
                int n = inflater.inflate(out, filled, out.length - filled);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                filled += n;
            }
            if (filled < out.length) {
                throw new InvalidImageException(name + ": truncated PNG: image data holds " + filled + " of the "
                        + out.length + " bytes its size needs");
            }
            return out;
        } catch (DataFormatException e) {
            throw new InvalidImageException(name + ": corrupt PNG: image data is not valid deflate data", e);
        } finally {
            inflater.end();
        }
    }

    /**
     * Undoes the per-row filters of {@code height} rows starting at {@code raw[offset]} into
     * {@code out} (rows packed without filter bytes); returns the offset just past the rows read.
     */
    private static int unfilter(byte[] raw, int offset, byte[] out, int width, int height, int bitsPerPixel,
                                String name) throws InvalidImageException {
        int rowBytes = (int) (((long) width * bitsPerPixel + 7) / 8);
        int bpp = Math.max(1, bitsPerPixel / 8);
        for (int y = 0; y < height; y++) {
            int filter = raw[offset++] & 0xFF;
            int row = y * rowBytes;
            int prev = y == 0 ? -1 : row - rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                int x = raw[offset + i] & 0xFF;
                int a = i >= bpp ? out[row + i - bpp] & 0xFF : 0;
                int b = prev >= 0 ? out[prev + i] & 0xFF : 0;
                int c = i >= bpp && prev >= 0 ? out[prev + i - bpp] & 0xFF : 0;
                int value = switch (filter) {
                    case 0 -> x;
                    case 1 -> x + a;
                    case 2 -> x + b;
                    case 3 -> x + ((a + b) >>> 1);
                    case 4 -> x + paeth(a, b, c);
                    default -> throw new InvalidImageException(name + ": corrupt PNG: unknown row filter " + filter);
                };
                out[row + i] = (byte) value;
            }
            offset += rowBytes;
        }
        return offset;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    /** Copies the pixels of one Adam7 pass into their places in the full image. */
    private static void scatter(byte[] sub, int subWidth, int subHeight, int subRowBytes, byte[] full, int rowBytes,
                                int bitsPerPixel, int[] pass) {
        for (int y = 0; y < subHeight; y++) {
            int fy = pass[1] + y * pass[3];
            for (int x = 0; x < subWidth; x++) {
                int fx = pass[0] + x * pass[2];
                if (bitsPerPixel >= 8) {
                    int bytes = bitsPerPixel / 8;
                    System.arraycopy(sub, y * subRowBytes + x * bytes, full, fy * rowBytes + fx * bytes, bytes);
                } else {
                    int value = readBits(sub, y * subRowBytes, x, bitsPerPixel);
                    int bit = fx * bitsPerPixel;
                    int shift = 8 - bitsPerPixel - (bit & 7);
                    full[fy * rowBytes + (bit >> 3)] |= (byte) (value << shift);
                }
            }
        }
    }

    private static int readBits(byte[] row, int rowStart, int x, int bits) {
        int bit = x * bits;
        int shift = 8 - bits - (bit & 7);
        return ((row[rowStart + (bit >> 3)] & 0xFF) >> shift) & ((1 << bits) - 1);
    }

    private static DecodedImage toPillowMode(byte[] px, int width, int height, int rowBytes, int colorType, int depth,
                                             byte[] palette, String name) throws InvalidImageException {
        int n = width * height;
        switch (colorType) {
            case 0 -> {
                if (depth == 16) {
                    byte[] out = new byte[n * 2];
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            int src = y * rowBytes + 2 * x;
                            out[2 * (y * width + x)] = px[src + 1];
                            out[2 * (y * width + x) + 1] = px[src];
                        }
                    }
                    return new DecodedImage(Mode.I16, width, height, out, null);
                }
                // Pillow opens 1-bit grayscale as mode "1", whose pixels are 0 or 255.
                int scale = switch (depth) {
                    case 1 -> 255;
                    case 2 -> 85;
                    case 4 -> 17;
                    default -> 1;
                };
                byte[] out = new byte[n];
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        out[y * width + x] = (byte) (readBits(px, y * rowBytes, x, depth) * scale);
                    }
                }
                return new DecodedImage(Mode.L, width, height, out, null);
            }
            case 3 -> {
                if (palette.length % 3 != 0 || palette.length == 0 || palette.length > 768) {
                    throw new InvalidImageException(name + ": corrupt PNG: PLTE must hold 1 to 256 RGB entries, holds "
                            + palette.length + " bytes");
                }
                byte[] out = new byte[n];
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        out[y * width + x] = (byte) readBits(px, y * rowBytes, x, depth);
                    }
                }
                return new DecodedImage(Mode.P, width, height, out, palette.clone());
            }
            default -> {
                int channels = colorType == 2 ? 3 : colorType == 4 ? 2 : 4;
                // 16-bit grayscale+alpha has no 8-bit Pillow mode of its own: Pillow opens it as RGBA.
                boolean laToRgba = colorType == 4 && depth == 16;
                Mode mode = laToRgba ? Mode.RGBA : switch (colorType) {
                    case 2 -> Mode.RGB;
                    case 4 -> Mode.LA;
                    default -> Mode.RGBA;
                };
                int step = depth / 8;
                byte[] out = new byte[n * mode.bytesPerPixel()];
                int o = 0;
                for (int y = 0; y < height; y++) {
                    int src = y * rowBytes;
                    for (int x = 0; x < width; x++) {
                        // The high byte of each 16-bit sample (PNG is big-endian), as Pillow's ";16B" unpackers.
                        if (laToRgba) {
                            byte gray = px[src];
                            out[o++] = gray;
                            out[o++] = gray;
                            out[o++] = gray;
                            out[o++] = px[src + step];
                        } else {
                            for (int c = 0; c < channels; c++) {
                                out[o++] = px[src + c * step];
                            }
                        }
                        src += channels * step;
                    }
                }
                return new DecodedImage(mode, width, height, out, null);
            }
        }
    }
}
