package dev.jvlm.vision;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes PNG files of any colour type and bit depth for decoder tests, from samples given one int
 * per channel value. Rows use a rotating choice of the five filter types so that every unfilter
 * path is exercised; Adam7 interlacing is optional.
 */
final class TestPng {

    private static final int[][] ADAM7 = {
            {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private TestPng() {
    }

    /**
     * @param samples  width * height * channels values, each below 2^bitDepth
     * @param palette  RGB triplets for colour type 3, else null
     * @param exif     raw TIFF EXIF block for an eXIf chunk, or null
     */
    static byte[] encode(int width, int height, int colorType, int bitDepth, int[] samples, byte[] palette,
                         boolean interlaced, byte[] exif) {
        TestPng png = new TestPng();
        png.out.writeBytes(PngDecoder.SIGNATURE);
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0)
                .put((byte) (interlaced ? 1 : 0));
        png.chunk("IHDR", ihdr.array());
        if (palette != null) {
            png.chunk("PLTE", palette);
        }
        if (exif != null) {
            png.chunk("eXIf", exif);
        }
        int channels = switch (colorType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            default -> 4;
        };
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        if (interlaced) {
            for (int[] pass : ADAM7) {
                int pw = (width - pass[0] + pass[2] - 1) / pass[2];
                int ph = (height - pass[1] + pass[3] - 1) / pass[3];
                if (pw <= 0 || ph <= 0) {
                    continue;
                }
                int[] sub = new int[pw * ph * channels];
                for (int y = 0; y < ph; y++) {
                    for (int x = 0; x < pw; x++) {
                        int src = ((pass[1] + y * pass[3]) * width + pass[0] + x * pass[2]) * channels;
                        System.arraycopy(samples, src, sub, (y * pw + x) * channels, channels);
                    }
                }
                writeRows(raw, sub, pw, ph, channels, bitDepth);
            }
        } else {
            writeRows(raw, samples, width, height, channels, bitDepth);
        }
        Deflater deflater = new Deflater();
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!deflater.finished()) {
            z.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        png.chunk("IDAT", z.toByteArray());
        png.chunk("IEND", new byte[0]);
        return png.out.toByteArray();
    }

    private static void writeRows(ByteArrayOutputStream raw, int[] samples, int width, int height, int channels,
                                  int bitDepth) {
        int rowBytes = (width * channels * bitDepth + 7) / 8;
        int bpp = Math.max(1, channels * bitDepth / 8);
        byte[] previous = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
            byte[] row = new byte[rowBytes];
            for (int x = 0; x < width * channels; x++) {
                int v = samples[y * width * channels + x];
                if (bitDepth == 16) {
                    row[2 * x] = (byte) (v >> 8);
                    row[2 * x + 1] = (byte) v;
                } else if (bitDepth == 8) {
                    row[x] = (byte) v;
                } else {
                    int bit = x * bitDepth;
                    row[bit >> 3] |= (byte) (v << (8 - bitDepth - (bit & 7)));
                }
            }
            int filter = y % 5;
            raw.write(filter);
            for (int i = 0; i < rowBytes; i++) {
                int a = i >= bpp ? row[i - bpp] & 0xFF : 0;
                int b = previous[i] & 0xFF;
                int c = i >= bpp ? previous[i - bpp] & 0xFF : 0;
                int predictor = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    default -> paeth(a, b, c);
                };
                raw.write((row[i] - predictor) & 0xFF);
            }
            previous = row;
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private void chunk(String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        out.writeBytes(t);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A PNG that ends after its header: enough for size checks, which happen before any pixel data. */
    static byte[] headerOnly(int width, int height) {
        TestPng png = new TestPng();
        png.out.writeBytes(PngDecoder.SIGNATURE);
        png.chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0).array());
        return png.out.toByteArray();
    }

    /** A little-endian TIFF EXIF block whose IFD0 holds only the orientation tag. */
    static byte[] exifWithOrientation(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(26).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }
}
