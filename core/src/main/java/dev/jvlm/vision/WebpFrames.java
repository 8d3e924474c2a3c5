package dev.jvlm.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Every frame of an animated WebP as libwebp's animation decoder composes it. The TwelveMonkeys reader
 * decodes each {@code ANMF} frame's own pixels but does not expose where the frame goes or how it
 * combines, so the frame headers (offset, size, duration, blending and disposal bits) are read here from
 * the RIFF chunks: the canvas starts transparent, a frame is alpha-blended over it (libwebp's
 * non-premultiplied integer blend) or written over it when its "do not blend" bit is set, and a frame
 * marked "dispose to background" is cleared to transparent before the next one.
 */
final class WebpFrames {
    private WebpFrames() {
    }

    /** One {@code ANMF} header. */
    record Frame(int x, int y, int width, int height, int durationMs, boolean blend, boolean disposeToBackground) {
    }

    /** The {@code VP8X} canvas and the animation frames, or null when the file is a still image. */
    record Animation(int canvasWidth, int canvasHeight, List<Frame> frames) {
    }

    static Animation parse(byte[] d, String name) throws InvalidImageException {
        int pos = 12;
        int canvasWidth = 0;
        int canvasHeight = 0;
        boolean animated = false;
        List<Frame> frames = new ArrayList<>();
        while (pos + 8 <= d.length) {
            long size = u32(d, pos + 4);
            String fourCc = new String(d, pos, 4, StandardCharsets.US_ASCII);
            if (pos + 8 + size > d.length) {
                throw new InvalidImageException(name + ": truncated WebP: chunk " + fourCc + " of " + size
                        + " bytes runs past the end of the file");
            }
            int body = pos + 8;
            switch (fourCc) {
                case "VP8X" -> {
                    animated = (d[body] & 0x02) != 0;
                    canvasWidth = 1 + u24(d, body + 4);
                    canvasHeight = 1 + u24(d, body + 7);
                }
                case "ANMF" -> {
                    int flags = d[body + 15] & 0xFF;
                    frames.add(new Frame(2 * u24(d, body), 2 * u24(d, body + 3), 1 + u24(d, body + 6), 1 + u24(d, body + 9),
                            u24(d, body + 12), (flags & 0x02) == 0, (flags & 0x01) != 0));
                }
                default -> {
                }
            }
            pos = (int) (body + size + (size & 1));
        }
        return animated ? new Animation(canvasWidth, canvasHeight, frames) : null;
    }

    static DecodedVideo decode(byte[] data, String name, Animation animation, long maxPixels, long maxTotalPixels)
            throws InvalidImageException {
        int width = animation.canvasWidth();
        int height = animation.canvasHeight();
        int count = animation.frames().size();
        if (count == 0) {
            throw new InvalidImageException(name + ": the animated WebP holds no frames");
        }
        ImageLoader.checkSize(name, width, height, maxPixels);
        VideoLoader.checkTotal(name, count, (long) width * height, maxTotalPixels);
        ImageReader reader = ImageIO.getImageReadersByFormatName("webp").next();
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(stream, false, true);
            int[] canvas = new int[width * height];
            List<DecodedImage> frames = new ArrayList<>(count);
            double seconds = 0;
            Frame previous = null;
            for (int i = 0; i < count; i++) {
                Frame f = animation.frames().get(i);
                if (previous != null && previous.disposeToBackground()) {
                    clear(canvas, width, height, previous);
                }
                BufferedImage pixels = reader.read(i);
                if (pixels.getWidth() != f.width() || pixels.getHeight() != f.height()) {
                    throw new InvalidImageException(name + ": frame " + i + " decodes to " + pixels.getWidth() + "x"
                            + pixels.getHeight() + " but its ANMF header says " + f.width() + "x" + f.height());
                }
                for (int y = 0; y < f.height(); y++) {
                    int cy = f.y() + y;
                    for (int x = 0; x < f.width() && cy < height; x++) {
                        int cx = f.x() + x;
                        if (cx >= width) {
                            break;
                        }
                        int src = pixels.getRGB(x, y);
                        int at = cy * width + cx;
                        canvas[at] = f.blend() ? blend(src, canvas[at]) : src;
                    }
                }
                seconds += f.durationMs() / 1000.0;
                frames.add(GifFrames.rgba(canvas, width, height));
                previous = f;
            }
            return new DecodedVideo(name, frames, seconds > 0 ? OptionalDouble.of(count / seconds) : OptionalDouble.empty());
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(name + ": corrupt or truncated animated WebP (" + e + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * libwebp's {@code BlendPixelNonPremult}: {@code src} over {@code dst}, both ARGB with straight alpha;
     * as its row blend, an opaque source is taken as it is.
     */
    static int blend(int src, int dst) {
        int srcA = src >>> 24;
        if (srcA == 0xFF) {
            return src;
        }
        if (srcA == 0) {
            return dst;
        }
        int dstFactorA = ((dst >>> 24) * (256 - srcA)) >> 8;
        int blendA = srcA + dstFactorA;
        long scale = (1L << 24) / blendA;
        int out = blendA << 24;
        for (int shift = 0; shift < 24; shift += 8) {
            long unscaled = (long) ((src >> shift) & 0xFF) * srcA + (long) ((dst >> shift) & 0xFF) * dstFactorA;
            out |= (int) ((unscaled * scale) >> 24) << shift;
        }
        return out;
    }

    private static void clear(int[] canvas, int width, int height, Frame f) {
        for (int y = f.y(); y < Math.min(height, f.y() + f.height()); y++) {
            for (int x = f.x(); x < Math.min(width, f.x() + f.width()); x++) {
                canvas[y * width + x] = 0;
            }
        }
    }

    private static int u24(byte[] d, int at) {
        return (d[at] & 0xFF) | (d[at + 1] & 0xFF) << 8 | (d[at + 2] & 0xFF) << 16;
    }

    private static long u32(byte[] d, int at) {
        return u24(d, at) | (long) (d[at + 3] & 0xFF) << 24;
    }
}
