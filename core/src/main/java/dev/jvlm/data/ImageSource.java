package dev.jvlm.data;

import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a sample's image comes from. Datasets keep images undecoded (a path or the file's bytes) so
 * that a whole dataset can be listed without decoding it; {@link SampleEncoder} decodes them when a
 * sample is encoded.
 */
public sealed interface ImageSource {

    /** Decodes the image; errors name the file or the dataset cell it came from. */
    DecodedImage decode(ImageLoader loader) throws IOException;

    /** An image file on disk. */
    record File(Path path) implements ImageSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public DecodedImage decode(ImageLoader loader) throws IOException {
            return loader.load(path);
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * An encoded image (PNG, JPEG, ...) held in memory: a parquet cell or a base64 data URL.
     *
     * @param name what error messages call it, e.g. {@code "train.parquet row 12 column image"}
     */
    record Encoded(byte[] data, String name) implements ImageSource {
        public Encoded {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public DecodedImage decode(ImageLoader loader) throws IOException {
            return loader.decode(data, name);
        }

        @Override
        public String toString() {
            return name + " (" + data.length + " bytes)";
        }
    }

    /** An image already decoded, e.g. by a caller that built the sample in code. */
    record Decoded(DecodedImage image) implements ImageSource {
        public Decoded {
            Objects.requireNonNull(image, "image");
        }

        @Override
        public DecodedImage decode(ImageLoader loader) {
            return image;
        }
    }
}
