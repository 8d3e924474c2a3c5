package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * JPEG through the JDK's decoder, which is IJG libjpeg: its integer inverse DCT and "fancy"
 * (triangular) chroma upsampling are the ones libjpeg-turbo uses by default, which is what Pillow
 * links. The raster is read without the JDK's colour management (which would apply embedded ICC
 * profiles that Pillow ignores) and YCbCr is turned into RGB here with libjpeg's own fixed-point
 * tables, so the pixels are Pillow's.
 */
final class JpegDecoder {

    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // libjpeg's build_ycc_rgb_table (jdcolor.c).
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegDecoder() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALE_BITS) + 0.5);
    }

    /** How libjpeg interprets a three-component frame. */
    private enum ColorSpace { GRAY, YCBCR, RGB }

    /** What the markers before the first frame say (the parts libjpeg's colour-space guess reads). */
    private record Header(int width, int height, int components, ColorSpace colorSpace) {
    }

    static DecodedImage decode(byte[] data, String name, long maxPixels) throws InvalidImageException {
        Header header = readHeader(data, name);
        ImageLoader.checkSize(name, header.width(), header.height(), maxPixels);
        if (header.components() != 1 && header.components() != 3) {
            throw new InvalidImageException(name + ": unsupported JPEG: " + header.components()
                    + " colour components (CMYK or YCCK); expected grayscale or colour (1 or 3 components)");
        }
        Raster raster = readRaster(data, name);
        int w = raster.getWidth();
        int h = raster.getHeight();
        if (w != header.width() || h != header.height() || raster.getNumBands() != header.components()) {
            throw new InvalidImageException(name + ": JPEG decoded to " + w + "x" + h + "x" + raster.getNumBands()
                    + ", expected " + header.width() + "x" + header.height() + "x" + header.components());
        }
        int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
        if (header.colorSpace() == ColorSpace.GRAY) {
            byte[] out = new byte[w * h];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) samples[i];
            }
            return new DecodedImage(Mode.L, w, h, out, null);
        }
        byte[] out = new byte[w * h * 3];
        if (header.colorSpace() == ColorSpace.RGB) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) samples[i];
            }
        } else {
            for (int i = 0; i < w * h; i++) {
                int y = samples[3 * i];
                int cb = samples[3 * i + 1];
                int cr = samples[3 * i + 2];
                out[3 * i] = clamp(y + CR_R[cr]);
                out[3 * i + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
                out[3 * i + 2] = clamp(y + CB_B[cb]);
            }
        }
        return DecodedImage.rgb(w, h, out);
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static Raster readRaster(byte[] data, String name) throws InvalidImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        if (!readers.hasNext()) {
            throw new InvalidImageException(name + ": this Java runtime has no JPEG decoder");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(stream, true, true);
            TruncationWarnings warnings = TruncationWarnings.listenTo(reader);
            Raster raster = reader.readRaster(0, null);
            warnings.throwIfTruncated(name, "JPEG");
            return raster;
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidImageException(name + ": corrupt or truncated JPEG: " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Walks the markers up to the first start-of-frame: its size and component count, and the
     * colour space libjpeg infers from JFIF / Adobe markers and component ids
     * ({@code default_decompress_parms}).
     */
    private static Header readHeader(byte[] d, String name) throws InvalidImageException {
        boolean jfif = false;
        int adobeTransform = -1;
        int pos = 2;
        while (pos + 4 <= d.length) {
            if ((d[pos] & 0xFF) != 0xFF) {
                throw new InvalidImageException(name + ": corrupt JPEG: expected a marker at byte " + pos);
            }
            int marker = d[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            int length = (d[pos + 2] & 0xFF) << 8 | (d[pos + 3] & 0xFF);
            int body = pos + 4;
            if (length < 2 || body + length - 2 > d.length) {
                break;
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (length < 8) {
                    break;
                }
                int height = (d[body + 1] & 0xFF) << 8 | (d[body + 2] & 0xFF);
                int width = (d[body + 3] & 0xFF) << 8 | (d[body + 4] & 0xFF);
                int components = d[body + 5] & 0xFF;
                ColorSpace cs = ColorSpace.GRAY;
                if (components == 3 && length >= 8 + 9) {
                    int id0 = d[body + 6] & 0xFF;
                    int id1 = d[body + 9] & 0xFF;
                    int id2 = d[body + 12] & 0xFF;
                    if (jfif) {
                        cs = ColorSpace.YCBCR;
                    } else if (adobeTransform >= 0) {
                        cs = adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
                    } else {
                        cs = id0 == 'R' && id1 == 'G' && id2 == 'B' ? ColorSpace.RGB : ColorSpace.YCBCR;
                    }
                }
                return new Header(width, height, components, cs);
            }
            if (marker == 0xE0 && length >= 7 && d[body] == 'J' && d[body + 1] == 'F' && d[body + 2] == 'I'
                    && d[body + 3] == 'F' && d[body + 4] == 0) {
                jfif = true;
            }
            if (marker == 0xEE && length >= 14 && d[body] == 'A' && d[body + 1] == 'd' && d[body + 2] == 'o'
                    && d[body + 3] == 'b' && d[body + 4] == 'e') {
                adobeTransform = d[body + 11] & 0xFF;
            }
            pos = body + length - 2;
        }
        throw new InvalidImageException(name + ": truncated or corrupt JPEG: no frame header found");
    }

    /** The EXIF block of the first APP1 {@code Exif} segment, or null. */
    static byte[] exif(byte[] d) {
        int pos = 2;
        while (pos + 4 <= d.length && (d[pos] & 0xFF) == 0xFF) {
            int marker = d[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return null; // image data starts: no more metadata segments
            }
            int length = (d[pos + 2] & 0xFF) << 8 | (d[pos + 3] & 0xFF);
            int body = pos + 4;
            if (length < 2 || body + length - 2 > d.length) {
                return null;
            }
            if (marker == 0xE1 && length >= 8 && d[body] == 'E' && d[body + 1] == 'x' && d[body + 2] == 'i'
                    && d[body + 3] == 'f' && d[body + 4] == 0 && d[body + 5] == 0) {
                byte[] exif = new byte[length - 2];
                System.arraycopy(d, body, exif, 0, exif.length);
                return exif;
            }
            pos = body + length - 2;
        }
        return null;
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : "data ends early (" + e.getClass().getSimpleName() + ")";
    }
}
