package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

/**
 * BMP, GIF (first frame) and WebP through ImageIO readers (WebP by the TwelveMonkeys plugin),
 * mapped to the modes Pillow opens them in: indexed images as {@link Mode#P}, single-band images
 * as {@link Mode#L}, others as {@link Mode#RGB} or, with an alpha channel, {@link Mode#RGBA}.
 */
final class ImageIoDecoder {

    private ImageIoDecoder() {
    }

    static DecodedImage decode(byte[] data, String name, String format, long maxPixels) throws InvalidImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        String label = format.toUpperCase(Locale.ROOT);
        if (!readers.hasNext()) {
            throw new InvalidImageException(name + ": no " + label + " decoder is installed");
        }
        ImageReader reader = readers.next();
        BufferedImage image;
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(stream, false, true);
            ImageLoader.checkSize(name, reader.getWidth(0), reader.getHeight(0), maxPixels);
            TruncationWarnings warnings = TruncationWarnings.listenTo(reader);
            image = reader.read(0);
            warnings.throwIfTruncated(name, label);
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidImageException(name + ": corrupt or truncated " + label + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
        return toPillowMode(image);
    }

    private static DecodedImage toPillowMode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        if (model instanceof IndexColorModel palette && raster.getNumBands() == 1) {
            int entries = Math.min(256, palette.getMapSize());
            byte[] colours = new byte[entries * 3];
            for (int i = 0; i < entries; i++) {
                colours[3 * i] = (byte) palette.getRed(i);
                colours[3 * i + 1] = (byte) palette.getGreen(i);
                colours[3 * i + 2] = (byte) palette.getBlue(i);
            }
            return new DecodedImage(Mode.P, w, h, bytes(raster.getSamples(0, 0, w, h, 0, (int[]) null)), colours);
        }
        if (raster.getNumBands() == 1) {
            // Read the samples, not getRGB: Java would map a linear gray colour space to sRGB.
            return new DecodedImage(Mode.L, w, h, bytes(raster.getSamples(0, 0, w, h, 0, (int[]) null)), null);
        }
        boolean alpha = model.hasAlpha();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int channels = alpha ? 4 : 3;
        byte[] out = new byte[w * h * channels];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out[channels * i] = (byte) (p >> 16);
            out[channels * i + 1] = (byte) (p >> 8);
            out[channels * i + 2] = (byte) p;
            if (alpha) {
                out[channels * i + 3] = (byte) (p >>> 24);
            }
        }
        return new DecodedImage(alpha ? Mode.RGBA : Mode.RGB, w, h, out, null);
    }

    private static byte[] bytes(int[] samples) {
        byte[] out = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = (byte) samples[i];
        }
        return out;
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : "data ends early (" + e.getClass().getSimpleName() + ")";
    }
}
