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

    /** Small configs of every text family, with the features that make each one different. */
    public static final String[] TEXT_CONFIGS = {
            """
            {"model_type": "llama", "hidden_size": 48, "num_hidden_layers": 3, "num_attention_heads": 6,
             "num_key_value_heads": 2, "intermediate_size": 80, "vocab_size": 97, "rms_norm_eps": 1e-5,
             "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
             "original_max_position_embeddings": 16}, "pad_token_id": 0}""",
            """
            {"model_type": "mistral", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 1, "intermediate_size": 64, "vocab_size": 61, "sliding_window": 4}""",
            """
            {"model_type": "qwen2", "hidden_size": 40, "num_hidden_layers": 2, "num_attention_heads": 5,
             "num_key_value_heads": 5, "intermediate_size": 72, "vocab_size": 83, "tie_word_embeddings": true}""",
            """
            {"model_type": "gemma3_text", "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 2,
             "num_key_value_heads": 1, "head_dim": 24, "intermediate_size": 48, "vocab_size": 71, "sliding_window": 3,
             "sliding_window_pattern": 2, "query_pre_attn_scalar": 20, "final_logit_softcapping": 30.0,
             "attn_logit_softcapping": 50.0, "rope_scaling": {"rope_type": "linear", "factor": 2.0}}"""};

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

    /**
     * A folder holding the reference tokenizer {@code name} (qwen3, gemma3, llama3, gpt2, ...):
     * tokenizer.json and tokenizer_config.json, decompressed from the test resources.
     */
    public static Path tokenizerDir(String name) {
        return EXTRACTED.computeIfAbsent("tokenizer:" + name, k -> {
            try {
                Path dir = Files.createTempDirectory("jvlm-tokenizer-" + name);
                for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                    String base = "/text/models/" + name + "/" + f;
                    java.io.InputStream plain = TestData.class.getResourceAsStream(base);
                    java.io.InputStream in = plain != null ? plain
                            : new java.util.zip.GZIPInputStream(TestData.class.getResourceAsStream(base + ".gz"));
                    try (in) {
                        Files.copy(in, dir.resolve(f));
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
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
