package dev.jvlm.data;

import dev.jvlm.io.StrictBase64;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns the ways datasets refer to an image into an {@link ImageSource}: a path (relative to the
 * dataset file), a {@code file:} URL, a base64 {@code data:} URL, raw bytes, or Hugging Face's image
 * struct {@code {"bytes": ..., "path": ...}} (bytes win; the path alone names a file).
 */
final class ImageCells {

    private ImageCells() {
    }

    /**
     * @param where names the cell in messages, e.g. {@code "train.jsonl line 4, images[0]"}
     * @throws SampleException when the cell holds no usable image reference or the file is missing
     */
    static ImageSource resolve(Object cell, Path baseDir, String where) {
        return switch (cell) {
            case null -> throw new SampleException(where + ": no image (null)");
            case byte[] bytes -> new ImageSource.Encoded(bytes, where);
            case String ref -> fromReference(ref, baseDir, where);
            case Map<?, ?> struct -> fromStruct(struct, baseDir, where);
            default -> throw new SampleException(where + ": expected an image path, a data URL or {\"bytes\", \"path\"}, found "
                    + cell.getClass().getSimpleName() + " " + abbreviate(String.valueOf(cell)));
        };
    }

    private static ImageSource fromStruct(Map<?, ?> struct, Path baseDir, String where) {
        Object bytes = struct.get("bytes");
        if (bytes instanceof byte[] b && b.length > 0) {
            return new ImageSource.Encoded(b, where);
        }
        if (bytes instanceof String base64 && !base64.isEmpty()) {
            return new ImageSource.Encoded(decodeBase64(base64, where), where);
        }
        if (struct.get("path") instanceof String path && !path.isEmpty()) {
            return fromReference(path, baseDir, where + ".path");
        }
        throw new SampleException(where + ": the image struct has neither \"bytes\" nor \"path\"");
    }

    private static ImageSource fromReference(String ref, Path baseDir, String where) {
        if (ref.startsWith("data:")) {
            int comma = ref.indexOf(',');
            if (comma < 0 || !ref.substring(0, comma).endsWith(";base64")) {
                throw new SampleException(where + ": only base64 data URLs are supported (data:image/...;base64,...)");
            }
            return new ImageSource.Encoded(decodeBase64(ref.substring(comma + 1), where), where);
        }
        if (ref.startsWith("http://") || ref.startsWith("https://")) {
            throw new SampleException(where + ": " + ref + " is a remote URL; jvlm does not download, give a local path");
        }
        Path path;
        try {
            path = ref.startsWith("file:") ? Path.of(URI.create(ref)) : baseDir.resolve(ref);
        } catch (IllegalArgumentException e) {
            throw new SampleException(where + ": not a valid path or file URL: " + abbreviate(ref));
        }
        if (!Files.isRegularFile(path)) {
            throw new SampleException(where + ": image file " + path + " does not exist");
        }
        return new ImageSource.File(path);
    }

    private static byte[] decodeBase64(String base64, String where) {
        try {
            return StrictBase64.decode(base64);
        } catch (IllegalArgumentException e) {
            throw new SampleException(where + ": invalid base64 image data (" + e.getMessage() + ")");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
