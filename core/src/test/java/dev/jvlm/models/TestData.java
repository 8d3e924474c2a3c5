package dev.jvlm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates test resources and compares tensors the way the reference README asks. */
public final class TestData {
    private TestData() {
    }

    public static Path resource(String name) {
        try {
            return Path.of(TestData.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
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
