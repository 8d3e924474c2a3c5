package dev.jvlm.eval.bench;

import dev.jvlm.io.StrictBase64;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import dev.jvlm.vision.InvalidImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An image of a benchmark item, decoded only when the item is evaluated so that a large benchmark
 * file never holds more than one item's pixels. {@code field} names where the image came from
 * ({@code image}, {@code image_2}, {@code images[1]}) for messages and for benchmarks that choose
 * images by name (MMMU).
 */
sealed interface ImageRef {

    String field();

    /** Decodes the image; anything that prevents it (bad base64, missing file, broken data) is a skip. */
    DecodedImage decode(ImageLoader loader);

    /** Image bytes written as base64 text, as VLMEvalKit TSV files and data URLs carry them. */
    record Base64Text(String field, String text) implements ImageRef {
        @Override
        public DecodedImage decode(ImageLoader loader) {
            byte[] bytes;
            try {
                bytes = StrictBase64.decode(text);
            } catch (IllegalArgumentException e) {
                throw new SkipException("image field '" + field + "' is not valid base64 (" + e.getMessage() + ")");
            }
            return decodeBytes(loader, field, bytes);
        }
    }

    /** An image file, given relative to the data file or absolute. */
    record File(String field, Path path) implements ImageRef {
        @Override
        public DecodedImage decode(ImageLoader loader) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                throw new SkipException("image file not found: " + path);
            } catch (IOException e) {
                throw new SkipException("cannot read image file " + path + " (" + e.getMessage() + ")");
            }
            return decodeBytes(loader, field, bytes);
        }
    }

    private static DecodedImage decodeBytes(ImageLoader loader, String field, byte[] bytes) {
        try {
            return loader.decode(bytes, field);
        } catch (InvalidImageException e) {
            throw new SkipException("image does not decode: " + e.getMessage(), e);
        }
    }
}
