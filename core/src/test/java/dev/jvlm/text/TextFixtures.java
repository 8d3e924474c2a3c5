package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * The reference tokenizers, expected values and chat templates copied from
 * /work/shared/reference/tokenizers into src/test/resources/text (see README.md and MANIFEST.md
 * there). Large files are stored gzip-compressed as {@code <name>.gz}.
 */
final class TextFixtures {

    static final List<String> TOKENIZERS = List.of("qwen3", "gemma3", "llama3", "llama3_1", "mistral_v0_1", "gpt2", "llama2");
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, Tokenizer> TOKENIZER_CACHE = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> JSON_CACHE = new ConcurrentHashMap<>();

    private TextFixtures() {
    }

    /** Opens {@code text/<path>}, or its gzip-compressed {@code <path>.gz}. */
    static InputStream open(String path) {
        try {
            InputStream plain = TextFixtures.class.getResourceAsStream("/text/" + path);
            if (plain != null) {
                return plain;
            }
            InputStream gz = TextFixtures.class.getResourceAsStream("/text/" + path + ".gz");
            if (gz == null) {
                throw new IllegalStateException("missing test resource text/" + path);
            }
            return new GZIPInputStream(gz, 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String path) {
        return JSON_CACHE.computeIfAbsent(path, p -> {
            try (InputStream in = open(p)) {
                return JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static TokenizerConfig config(String tokenizer) {
        try (InputStream in = open("models/" + tokenizer + "/tokenizer_config.json")) {
            return TokenizerConfig.read(in, tokenizer + "/tokenizer_config.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tokenizer tokenizer(String name) {
        return TOKENIZER_CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = open("models/" + n + "/tokenizer.json")) {
                return Tokenizer.read(n + "/tokenizer.json", in, config(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static JsonNode expected(String tokenizer) {
        return json("expected/" + tokenizer + ".json");
    }

    static JsonNode cases() {
        return json("cases.json");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
