package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Every frame of an animated GIF as the picture a viewer shows: the JDK's GIF reader decodes each
 * frame's own rectangle, which is drawn at its offset on a canvas of the logical screen size, skipping
 * the frame's transparent index; before the next frame the rectangle is disposed of as the frame's
 * graphic control extension says (kept; restored to background, which is transparent as in browsers
 * and Pillow; or restored to what was there before). Frames come out as {@link Mode#RGBA}, transparent
 * where nothing was ever drawn.
 */
final class GifFrames {
    private GifFrames() {
    }

    static DecodedVideo decode(byte[] data, String name, long maxPixels, long maxTotalPixels) throws InvalidImageException {
        if (data[data.length - 1] != 0x3B) {
            // The JDK's reader neither fails nor warns on a cut file: it decodes what is there and fills the rest.
            throw new InvalidImageException(name + ": truncated GIF: the file does not end with the GIF trailer (0x3B)");
        }
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(stream, false, false);
            int count = reader.getNumImages(true);
            if (count < 1) {
                throw new InvalidImageException(name + ": the GIF holds no frames");
            }
            Node screen = child(reader.getStreamMetadata().getAsTree("javax_imageio_gif_stream_1.0"), "LogicalScreenDescriptor");
            int width = screen == null ? 0 : intAttribute(screen, "logicalScreenWidth", 0);
            int height = screen == null ? 0 : intAttribute(screen, "logicalScreenHeight", 0);
            if (width == 0 || height == 0) {
                // A zero logical screen (seen in the wild): the first frame's extent stands in for it.
                Node first = child(reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0"), "ImageDescriptor");
                width = intAttribute(first, "imageLeftPosition", 0) + intAttribute(first, "imageWidth", 0);
                height = intAttribute(first, "imageTopPosition", 0) + intAttribute(first, "imageHeight", 0);
            }
            ImageLoader.checkSize(name, width, height, maxPixels);
            VideoLoader.checkTotal(name, count, (long) width * height, maxTotalPixels);
            int[] canvas = new int[width * height];
            int[] saved = null;
            int[] disposeRect = null;
            String disposal = "none";
            double seconds = 0;
            List<DecodedImage> frames = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (disposal.equals("restoreToBackgroundColor")) {
                    fill(canvas, width, disposeRect, 0);
                } else if (disposal.equals("restoreToPrevious") && saved != null) {
                    System.arraycopy(saved, 0, canvas, 0, canvas.length);
                }
                IIOMetadata metadata = reader.getImageMetadata(i);
                Node tree = metadata.getAsTree("javax_imageio_gif_image_1.0");
                Node descriptor = child(tree, "ImageDescriptor");
                Node control = child(tree, "GraphicControlExtension");
                int left = intAttribute(descriptor, "imageLeftPosition", 0);
                int top = intAttribute(descriptor, "imageTopPosition", 0);
                disposal = control == null ? "none" : attribute(control, "disposalMethod", "none");
                boolean transparent = control != null && "TRUE".equalsIgnoreCase(attribute(control, "transparentColorFlag", "FALSE"));
                int transparentIndex = control == null ? -1 : intAttribute(control, "transparentColorIndex", -1);
                seconds += control == null ? 0 : intAttribute(control, "delayTime", 0) / 100.0;
                if (disposal.equals("restoreToPrevious")) {
                    saved = canvas.clone();
                }
                int rows = intAttribute(descriptor, "imageHeight", 0);
                if ("TRUE".equalsIgnoreCase(attribute(descriptor, "interlaceFlag", "FALSE")) && rows >= 2 && rows <= 4) {
                    // The JDK's GIF reader leaves one row of such frames undecoded (giflib reads them whole).
                    throw new InvalidImageException(name + ": frame " + i + " is interlaced and " + rows + " rows tall, which the "
                            + "JDK's GIF decoder reads wrongly; save the GIF without interlacing");
                }
                BufferedImage frame = reader.read(i);
                draw(frame, left, top, transparent ? transparentIndex : -1, canvas, width, height);
                disposeRect = new int[] {left, top, left + frame.getWidth(), top + frame.getHeight()};
                frames.add(rgba(canvas, width, height));
            }
            return new DecodedVideo(name, frames, seconds > 0 ? OptionalDouble.of(count / seconds) : OptionalDouble.empty());
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(name + ": corrupt or truncated GIF (" + e + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /** Draws a decoded frame's pixels at (left, top), leaving the canvas where the frame is transparent. */
    private static void draw(BufferedImage frame, int left, int top, int transparentIndex, int[] canvas, int width, int height) {
        ColorModel model = frame.getColorModel();
        Raster raster = frame.getRaster();
        boolean indexed = raster.getNumBands() == 1;
        for (int y = 0; y < frame.getHeight(); y++) {
            int cy = top + y;
            if (cy < 0 || cy >= height) {
                continue;
            }
            for (int x = 0; x < frame.getWidth(); x++) {
                int cx = left + x;
                if (cx < 0 || cx >= width) {
                    continue;
                }
                if (indexed) {
                    int index = raster.getSample(x, y, 0);
                    if (index != transparentIndex) {
                        canvas[cy * width + cx] = 0xFF000000 | model.getRGB(index);
                    }
                } else {
                    int argb = frame.getRGB(x, y);
                    if ((argb >>> 24) != 0) {
                        canvas[cy * width + cx] = argb;
                    }
                }
            }
        }
    }

    private static void fill(int[] canvas, int width, int[] rect, int value) {
        int height = canvas.length / width;
        for (int y = Math.max(0, rect[1]); y < Math.min(height, rect[3]); y++) {
            for (int x = Math.max(0, rect[0]); x < Math.min(width, rect[2]); x++) {
                canvas[y * width + x] = value;
            }
        }
    }

    /** Straight-alpha RGBA bytes of an ARGB canvas. */
    static DecodedImage rgba(int[] canvas, int width, int height) {
        byte[] out = new byte[canvas.length * 4];
        for (int i = 0; i < canvas.length; i++) {
            int p = canvas[i];
            out[4 * i] = (byte) (p >> 16);
            out[4 * i + 1] = (byte) (p >> 8);
            out[4 * i + 2] = (byte) p;
            out[4 * i + 3] = (byte) (p >>> 24);
        }
        return new DecodedImage(Mode.RGBA, width, height, out, null);
    }

    private static Node child(Node parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return n;
            }
        }
        return null;
    }

    private static String attribute(Node node, String name, String fallback) {
        NamedNodeMap attributes = node.getAttributes();
        Node a = attributes == null ? null : attributes.getNamedItem(name);
        return a == null ? fallback : a.getNodeValue();
    }

    private static int intAttribute(Node node, String name, int fallback) {
        String v = attribute(node, name, null);
        return v == null ? fallback : Integer.parseInt(v);
    }
}
