package dev.jvlm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Locates test resources and compares tensors the way the reference README asks. */
public final class TestData {
    private TestData() {
    }

    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    /**
     * A test resource file or folder as a path. Other modules see these resources inside the core
     * test jar; they are then copied out once to a temporary folder.
     */
    public static Path resource(String name) {
        URL url = TestData.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        try {
            URI uri = url.toURI();
            if (!uri.getScheme().equals("jar")) {
                return Path.of(uri);
            }
            return EXTRACTED.computeIfAbsent(name, n -> extract(uri, n));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path extract(URI uri, String name) {
        try {
            FileSystem fs;
            try {
                fs = FileSystems.newFileSystem(uri, Map.of());
            } catch (FileSystemAlreadyExistsException e) {
                fs = FileSystems.getFileSystem(uri);
            }
            Path source = fs.provider().getPath(uri);
            Path target = Files.createTempDirectory("jvlm-test").resolve(source.getFileName().toString());
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path dest = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** max |a - b| / max |b|. */
    public static double relativeError(Tensor actual, Tensor expected) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        double maxDiff = 0;
        double maxRef = 0;
        for (long i = 0; i < expected.numel(); i++) {
            double e = expected.getFloat(i);
            double a = actual.getFloat(i);
            maxDiff = Math.max(maxDiff, Math.abs(a - e));
            maxRef = Math.max(maxRef, Math.abs(e));
        }
        return maxDiff / maxRef;
    }

    public static void assertClose(Tensor actual, Tensor expected, double tolerance, String what) {
        double err = relativeError(actual, expected);
        assertTrue(err <= tolerance, what + ": relative error " + err + " exceeds " + tolerance);
    }
}
