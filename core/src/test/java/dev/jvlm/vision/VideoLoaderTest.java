package dev.jvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames from folders, animated GIFs (composited by hand-worked disposal cases) and animated WebPs
 * (which must give back the frames they were encoded from), and clear errors for everything else.
 */
class VideoLoaderTest {
    @TempDir
    Path tmp;

    private static final int RED = 0xFFFF0000;
    private static final int BLUE = 0xFF0000FF;
    private static final int GREEN = 0xFF00FF00;
    private static final int WHITE = 0xFFFFFFFF;

    private static DecodedImage solid(int width, int height, int r, int g, int b) {
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) {
            px[3 * i] = (byte) r;
            px[3 * i + 1] = (byte) g;
            px[3 * i + 2] = (byte) b;
        }
        return DecodedImage.rgb(width, height, px);
    }

    private static void writePng(Path file, DecodedImage rgb) throws IOException {
        BufferedImage img = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_RGB);
        byte[] s = rgb.samples();
        for (int i = 0; i < rgb.width() * rgb.height(); i++) {
            img.setRGB(i % rgb.width(), i / rgb.width(), (s[3 * i] & 0xFF) << 16 | (s[3 * i + 1] & 0xFF) << 8 | (s[3 * i + 2] & 0xFF));
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void folderFramesAreSortedByNameWithNumbersByValueAndHiddenFilesSkipped() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("frames"));
        writePng(dir.resolve("frame10.png"), solid(4, 3, 30, 0, 0));
        writePng(dir.resolve("frame2.png"), solid(4, 3, 20, 0, 0));
        writePng(dir.resolve("frame1.png"), solid(4, 3, 10, 0, 0));
        writePng(dir.resolve("frame02b.png"), solid(4, 3, 25, 0, 0));
        Files.writeString(dir.resolve(".DS_Store"), "not a frame");
        DecodedVideo video = new VideoLoader().load(dir);
        assertEquals(4, video.frames().size());
        int[] reds = video.frames().stream().mapToInt(f -> f.samples()[0] & 0xFF).toArray();
        assertArrayEquals(new int[] {10, 20, 25, 30}, reds, "frame1, frame2, frame02b, frame10");
        assertTrue(video.fps().isEmpty(), "a folder carries no frame rate");
    }

    @Test
    void badFoldersAreClearErrors() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(empty));
        assertTrue(e.getMessage().contains("holds no frames"), e.getMessage());

        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        writePng(mixed.resolve("a.png"), solid(4, 3, 1, 2, 3));
        Files.writeString(mixed.resolve("b.txt"), "notes");
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(mixed));
        assertTrue(e.getMessage().startsWith("b.txt: not an image"), e.getMessage());

        Path nested = Files.createDirectories(tmp.resolve("nested"));
        writePng(nested.resolve("a.png"), solid(4, 3, 1, 2, 3));
        Files.createDirectories(nested.resolve("sub"));
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(nested));
        assertTrue(e.getMessage().contains("sub: not an image file"), e.getMessage());

        Path many = Files.createDirectories(tmp.resolve("many"));
        for (int i = 0; i < 3; i++) {
            writePng(many.resolve("f" + i + ".png"), solid(10, 10, i, 0, 0));
        }
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader(1000, 250).load(many));
        assertTrue(e.getMessage().contains("more than the limit of 250 pixels"), e.getMessage());
    }

    @Test
    void filesThatAreNotAnimationsAreNamedWithWhatToDo() throws IOException {
        Path mp4 = tmp.resolve("clip.mp4");
        byte[] ftyp = new byte[32];
        System.arraycopy("ftypisom".getBytes(), 0, ftyp, 4, 8);
        Files.write(mp4, ftyp);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(mp4));
        assertEquals("clip.mp4: MP4/MOV video files are not supported; pass a folder of frames or an animated GIF "
                + "(there is no maintained pure-Java video decoder; see docs/VIDEO.md)", e.getMessage());

        Path webm = tmp.resolve("clip.webm");
        Files.write(webm, new byte[] {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, 0, 0, 0, 0});
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(webm));
        assertTrue(e.getMessage().startsWith("clip.webm: Matroska/WebM video files are not supported"), e.getMessage());

        Path png = tmp.resolve("still.png");
        writePng(png, solid(4, 3, 1, 2, 3));
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(png));
        assertTrue(e.getMessage().startsWith("still.png: a still PNG image, not a video"), e.getMessage());

        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(Fixtures.path("webp/lossless_rgb_w37_h23.webp")));
        assertTrue(e.getMessage().contains("a still WebP image, not a video"), e.getMessage());

        Path text = tmp.resolve("notes.gif.txt");
        Files.writeString(text, "hello");
        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(text));
        assertTrue(e.getMessage().contains("not a video") && e.getMessage().contains("68656c6c6f"), e.getMessage());

        e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(tmp.resolve("missing")));
        assertTrue(e.getMessage().contains("no such file or folder"), e.getMessage());
    }

    /** One GIF frame: its own rectangle of palette indices, placement and graphic control extension. */
    private record GifFrame(int left, int top, int width, int height, byte[] indices, String disposal, int transparentIndex,
                            int delay) {
    }

    private static final IndexColorModel PALETTE = new IndexColorModel(2, 4,
            new byte[] {(byte) 255, 0, 0, (byte) 255}, new byte[] {0, 0, (byte) 255, (byte) 255}, new byte[] {0, (byte) 255, 0, (byte) 255});

    private static byte[] gif(List<GifFrame> frames, boolean interlaced) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (GifFrame f : frames) {
                BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
                img.getRaster().setDataElements(0, 0, f.width(), f.height(), f.indices());
                IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
                String format = meta.getNativeMetadataFormatName();
                IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
                IIOMetadataNode control = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
                control.setAttribute("disposalMethod", f.disposal());
                control.setAttribute("transparentColorFlag", f.transparentIndex() >= 0 ? "TRUE" : "FALSE");
                control.setAttribute("transparentColorIndex", String.valueOf(Math.max(0, f.transparentIndex())));
                control.setAttribute("delayTime", String.valueOf(f.delay()));
                IIOMetadataNode descriptor = (IIOMetadataNode) root.getElementsByTagName("ImageDescriptor").item(0);
                descriptor.setAttribute("imageLeftPosition", String.valueOf(f.left()));
                descriptor.setAttribute("imageTopPosition", String.valueOf(f.top()));
                descriptor.setAttribute("interlaceFlag", interlaced ? "TRUE" : "FALSE");
                meta.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(img, null, meta), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] fill(int n, int index) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) index);
        return b;
    }

    /** ARGB of a composited RGBA frame at (x, y). */
    private static int argb(DecodedImage f, int x, int y) {
        byte[] s = f.samples();
        int i = 4 * (y * f.width() + x);
        return (s[i + 3] & 0xFF) << 24 | (s[i] & 0xFF) << 16 | (s[i + 1] & 0xFF) << 8 | (s[i + 2] & 0xFF);
    }

    /**
     * An 8x6 screen: frame 0 red everywhere; frame 1 a 4x2 blue patch at (2, 1) whose pixel (3, 1) is
     * transparent, disposed to background; frame 2 a 2x2 green patch at (0, 0), restored to previous;
     * frame 3 one white pixel at (7, 5). Worked out by hand below.
     */
    @Test
    void gifFramesAreCompositedWithOffsetsTransparencyAndDisposal() throws IOException {
        byte[] patch = fill(8, 1);
        patch[1] = 3; // (3, 1) on the screen, the transparent index
        List<GifFrame> frames = List.of(
                new GifFrame(0, 0, 8, 6, fill(48, 0), "none", -1, 10),
                new GifFrame(2, 1, 4, 2, patch, "restoreToBackgroundColor", 3, 20),
                new GifFrame(0, 0, 2, 2, fill(4, 2), "restoreToPrevious", -1, 30),
                new GifFrame(7, 5, 1, 1, fill(1, 3), "none", -1, 40));
        byte[] data = gif(frames, false);
        Path file = tmp.resolve("anim.gif");
        Files.write(file, data);
        DecodedVideo video = new VideoLoader().load(file);
        assertEquals(4, video.frames().size());
        assertEquals(4.0, video.fps().orElseThrow(), 1e-12, "4 frames in 0.1 + 0.2 + 0.3 + 0.4 s");
        for (DecodedImage f : video.frames()) {
            assertEquals(8, f.width());
            assertEquals(6, f.height());
        }
        int[][] expected = new int[4][48];
        java.util.Arrays.fill(expected[0], RED);
        expected[1] = expected[0].clone();
        for (int y = 1; y < 3; y++) {
            for (int x = 2; x < 6; x++) {
                expected[1][y * 8 + x] = BLUE;
            }
        }
        expected[1][8 + 3] = RED; // transparent in frame 1: the red beneath shows
        int[] disposed = expected[0].clone();
        for (int y = 1; y < 3; y++) {
            for (int x = 2; x < 6; x++) {
                disposed[y * 8 + x] = 0; // frame 1's rectangle back to (transparent) background
            }
        }
        expected[2] = disposed.clone();
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                expected[2][y * 8 + x] = GREEN;
            }
        }
        expected[3] = disposed.clone(); // frame 2 restored to what was before it
        expected[3][5 * 8 + 7] = WHITE;
        for (int i = 0; i < 4; i++) {
            for (int p = 0; p < 48; p++) {
                assertEquals(Integer.toHexString(expected[i][p]), Integer.toHexString(argb(video.frames().get(i), p % 8, p / 8)),
                        "frame " + i + " pixel (" + p % 8 + ", " + p / 8 + ")");
            }
        }
        DecodedImage rgb = video.frames().get(2).toRgb();
        assertEquals(0, rgb.samples()[3 * (8 + 2)], "never-drawn pixels become black in RGB");

        // Interlaced, the 2-row frame 1 is one the JDK's decoder gets wrong (giflib does not): refused, not garbled.
        Files.write(tmp.resolve("interlaced.gif"), gif(frames, true));
        InvalidImageException interlaced = assertThrows(InvalidImageException.class,
                () -> new VideoLoader().load(tmp.resolve("interlaced.gif")));
        assertTrue(interlaced.getMessage().startsWith("interlaced.gif: frame 1 is interlaced and 2 rows tall"), interlaced.getMessage());

        Files.write(tmp.resolve("cut.gif"), java.util.Arrays.copyOf(data, data.length / 2));
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> new VideoLoader().load(tmp.resolve("cut.gif")));
        assertEquals("cut.gif: truncated GIF: the file does not end with the GIF trailer (0x3B)", e.getMessage());
    }

    /**
     * anim.webp was made by img2webp (libwebp) from the four PNGs beside it, lossless: it stores frame 1
     * as a 4x2 sub-rectangle at (2, 2) blended over frame 0, and frame 2 (with transparent pixels) as a
     * full frame written without blending. Composited, every frame equals its source PNG.
     */
    @Test
    void animatedWebpFramesEqualTheFramesTheyWereEncodedFrom() throws IOException {
        Path file = Fixtures.path("video/anim.webp");
        WebpFrames.Animation animation = WebpFrames.parse(Files.readAllBytes(file), "anim.webp");
        assertEquals(new WebpFrames.Frame(2, 2, 4, 2, 200, true, false), animation.frames().get(1));
        assertFalse(animation.frames().get(2).blend());
        DecodedVideo video = new VideoLoader().load(file);
        assertEquals(4, video.frames().size());
        assertEquals(4.0, video.fps().orElseThrow(), 1e-12, "4 frames in 0.1 + 0.2 + 0.3 + 0.4 s");
        for (int i = 0; i < 4; i++) {
            DecodedImage want = new ImageLoader().load(Fixtures.path("video/anim_frame" + i + ".png"));
            DecodedImage got = video.frames().get(i);
            assertEquals(DecodedImage.Mode.RGBA, got.mode());
            for (int p = 0; p < 48; p++) {
                int w = want.mode() == DecodedImage.Mode.RGBA ? argbOf(want, p) : 0xFF000000 | rgbOf(want, p);
                int g = argb(got, p % 8, p / 8);
                if ((w >>> 24) == 0) {
                    assertEquals(0, g >>> 24, "frame " + i + " pixel " + p + " transparent");
                } else {
                    assertEquals(Integer.toHexString(w), Integer.toHexString(g), "frame " + i + " pixel " + p);
                }
            }
        }
    }

    private static int argbOf(DecodedImage img, int p) {
        byte[] s = img.samples();
        return (s[4 * p + 3] & 0xFF) << 24 | (s[4 * p] & 0xFF) << 16 | (s[4 * p + 1] & 0xFF) << 8 | (s[4 * p + 2] & 0xFF);
    }

    private static int rgbOf(DecodedImage img, int p) {
        byte[] s = img.samples();
        return (s[3 * p] & 0xFF) << 16 | (s[3 * p + 1] & 0xFF) << 8 | (s[3 * p + 2] & 0xFF);
    }

    @Test
    void webpBlendIsLibwebpsIntegerFormula() {
        assertEquals(0x80FF0000, WebpFrames.blend(0x80FF0000, 0x00000000), "over transparent: the source as is");
        assertEquals(0xFF00FF00, WebpFrames.blend(0x00FF0000, 0xFF00FF00), "a transparent source leaves the canvas");
        // src_a 128 over opaque: dst_factor = 255 * 128 >> 8 = 127, blend_a 255, scale 2^24 / 255 = 65793;
        // red (255 * 128) * 65793 >> 24 = 127 (127.99...), green (255 * 127) * 65793 >> 24 = 126 (126.99...).
        assertEquals(0xFF7F7E00, WebpFrames.blend(0x80FF0000, 0xFF00FF00));
    }
}
