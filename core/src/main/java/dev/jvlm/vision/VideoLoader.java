package dev.jvlm.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opens a video as its frames in temporal order: a folder of image files (sorted by name, numbers
 * compared by value: {@code frame2} before {@code frame10}), an animated GIF or an animated WebP.
 *
 * <p>Video files (MP4, MOV, MKV, WebM, AVI, MPEG-TS) are refused with a message saying so: the only
 * pure-Java decoder on Maven Central, JCodec, has had no release since 2019 and decodes only part of
 * H.264 (no scaling lists, interlacing or 4:4:4; no HEVC, VP9 or AV1), so most real files would fail
 * anyway. Extract frames with any player or converter and pass the folder.
 */
public final class VideoLoader {

    /** The default limit on all decoded frames together: 1 000 megapixels (3 GB as RGB). */
    public static final long DEFAULT_MAX_TOTAL_PIXELS = 1_000_000_000L;

    private final ImageLoader images;
    private final long maxPixels;
    private final long maxTotalPixels;

    public VideoLoader() {
        this(ImageLoader.DEFAULT_MAX_PIXELS, DEFAULT_MAX_TOTAL_PIXELS);
    }

    /** A loader that rejects frames of more than {@code maxPixels} and videos of more than {@code maxTotalPixels}. */
    public VideoLoader(long maxPixels, long maxTotalPixels) {
        this.images = new ImageLoader(maxPixels);
        this.maxPixels = maxPixels;
        this.maxTotalPixels = maxTotalPixels;
    }

    /** Reads a folder of frames, an animated GIF or an animated WebP; messages name the file. */
    public DecodedVideo load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return folder(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidImageException(path + ": no such file or folder; expected a folder of frames, an animated GIF or WebP");
        }
        Path fileName = path.getFileName();
        String name = fileName == null ? path.toString() : fileName.toString();
        byte[] data = Files.readAllBytes(path);
        if (data.length == 0) {
            throw new InvalidImageException(name + ": empty file, expected an animated GIF or WebP");
        }
        if (startsWith(data, 0, "GIF87a") || startsWith(data, 0, "GIF89a")) {
            return GifFrames.decode(data, name, maxPixels, maxTotalPixels);
        }
        if (data.length >= 12 && startsWith(data, 0, "RIFF") && startsWith(data, 8, "WEBP")) {
            WebpFrames.Animation animation = WebpFrames.parse(data, name);
            if (animation == null) {
                throw new InvalidImageException(name + ": a still WebP image, not a video; pass it as an image, "
                        + "or pass a folder of frames or an animated GIF or WebP");
            }
            return WebpFrames.decode(data, name, animation, maxPixels, maxTotalPixels);
        }
        String container = videoContainer(data);
        if (container != null) {
            throw new InvalidImageException(name + ": " + container + " video files are not supported; pass a folder of frames "
                    + "or an animated GIF (there is no maintained pure-Java video decoder; see docs/VIDEO.md)");
        }
        String still = stillImage(data);
        if (still != null) {
            throw new InvalidImageException(name + ": a still " + still + " image, not a video; pass it as an image, "
                    + "or pass a folder of frames or an animated GIF or WebP");
        }
        throw new InvalidImageException(name + ": not a video: expected a folder of frames, an animated GIF or an animated "
                + "WebP; the file starts with bytes " + hex(data));
    }

    private DecodedVideo folder(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted(BY_NAME).toList();
        }
        if (files.isEmpty()) {
            throw new InvalidImageException(dir + ": the folder holds no frames; expected image files named in temporal order");
        }
        List<DecodedImage> frames = new ArrayList<>(files.size());
        long total = 0;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new InvalidImageException(f + ": not an image file; a frame folder holds only image files");
            }
            DecodedImage frame = images.load(f);
            total += frame.pixelCount();
            checkTotal(dir.toString(), 1, total, maxTotalPixels);
            frames.add(frame);
        }
        return DecodedVideo.of(dir.toString(), frames);
    }

    /** Rejects a video whose frames together hold more pixels than the limit, before they are decoded. */
    static void checkTotal(String name, long frames, long pixelsPerFrame, long maxTotalPixels) throws InvalidImageException {
        if (frames * pixelsPerFrame > maxTotalPixels) {
            throw new InvalidImageException(name + ": " + frames + " frames of " + pixelsPerFrame + " pixels are more than the limit of "
                    + maxTotalPixels + " pixels for one video; pass fewer or smaller frames");
        }
    }

    /** File names in order, runs of digits compared by their value. */
    static final Comparator<Path> BY_NAME = (a, b) -> {
        String x = a.getFileName().toString();
        String y = b.getFileName().toString();
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            char cx = x.charAt(i);
            char cy = y.charAt(j);
            if (Character.isDigit(cx) && Character.isDigit(cy)) {
                int ei = digitsEnd(x, i);
                int ej = digitsEnd(y, j);
                String nx = stripZeros(x.substring(i, ei));
                String ny = stripZeros(y.substring(j, ej));
                int c = nx.length() != ny.length() ? Integer.compare(nx.length(), ny.length()) : nx.compareTo(ny);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (cx != cy) {
                    return Character.compare(cx, cy);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(x.length() - i, y.length() - j);
        return c != 0 ? c : x.compareTo(y);
    };

    private static int digitsEnd(String s, int from) {
        int e = from;
        while (e < s.length() && Character.isDigit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }

    /** The container a video file's first bytes announce, or null. */
    private static String videoContainer(byte[] d) {
        if (d.length >= 12 && startsWith(d, 4, "ftyp")) {
            return "MP4/MOV";
        }
        if (d.length >= 4 && (d[0] & 0xFF) == 0x1A && (d[1] & 0xFF) == 0x45 && (d[2] & 0xFF) == 0xDF && (d[3] & 0xFF) == 0xA3) {
            return "Matroska/WebM";
        }
        if (d.length >= 12 && startsWith(d, 0, "RIFF") && startsWith(d, 8, "AVI ")) {
            return "AVI";
        }
        if (startsWith(d, 0, "FLV")) {
            return "FLV";
        }
        if (d.length >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 1 && (d[3] & 0xFF) == 0xBA) {
            return "MPEG program stream";
        }
        if (d.length >= 189 && d[0] == 0x47 && d[188] == 0x47) {
            return "MPEG transport stream";
        }
        return null;
    }

    private static String stillImage(byte[] d) {
        if (startsWith(d, 0, "\u0089PNG")) {
            return "PNG";
        }
        if (d.length >= 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0xD8 && (d[2] & 0xFF) == 0xFF) {
            return "JPEG";
        }
        if (startsWith(d, 0, "BM")) {
            return "BMP";
        }
        return null;
    }

    private static boolean startsWith(byte[] d, int at, String prefix) {
        if (d.length < at + prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if ((d[at + i] & 0xFF) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] data) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, data.length); i++) {
            s.append(String.format("%02x", data[i] & 0xFF));
        }
        return s.toString();
    }
}
