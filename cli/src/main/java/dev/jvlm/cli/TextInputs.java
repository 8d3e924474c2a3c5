package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.tensor.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** JSON inputs of tokenize, detokenize and template, and order-keeping parallel mapping over them. */
final class TextInputs {
    private TextInputs() {
    }

    /** A file holding a JSON array of strings. */
    static List<String> readStrings(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isArray()) {
            throw new JvlmException(file + ": expected a JSON array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isTextual()) {
                throw new JvlmException(file + ": element " + i + " is not a string");
            }
            out.add(root.get(i).asText());
        }
        return out;
    }

    /** Applies {@code f} to every input on the --threads threads, keeping the order. */
    static <T, R> List<R> map(List<T> inputs, Function<T, R> f) throws InterruptedException {
        int threads = Parallel.threads();
        if (threads == 1 || inputs.size() < 2) {
            return inputs.stream().map(f).toList();
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, inputs.size()))) {
            List<Future<R>> futures = new ArrayList<>();
            for (T input : inputs) {
                futures.add(pool.submit(() -> f.apply(input)));
            }
            List<R> out = new ArrayList<>(inputs.size());
            for (Future<R> future : futures) {
                try {
                    out.add(future.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return out;
        }
    }
}
