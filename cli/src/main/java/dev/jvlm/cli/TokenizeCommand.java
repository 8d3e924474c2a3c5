package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvlm.text.ChatTemplateException;
import dev.jvlm.text.Tokenizer;
import dev.jvlm.text.TokenizerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jvlm tokenize}: token ids of texts, exactly as Hugging Face tokenizers encodes them. */
@Command(name = "tokenize", description = "Print the token ids of each text of a JSON array, as a JSON array of id arrays.")
final class TokenizeCommand implements Callable<Integer> {

    @Mixin
    TextOptions options;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON array of strings.")
    Path input;

    @Option(names = "--add-special-tokens", description = "Add the special tokens of the post-processor (e.g. BOS).")
    boolean addSpecialTokens;

    @Override
    public Integer call() {
        return options.run(out -> {
            List<String> texts = TextOptions.readStrings(input);
            Tokenizer tokenizer = Tokenizer.load(options.modelDir());
            List<int[]> ids = options.map(texts, text -> tokenizer.encode(text, addSpecialTokens));
            out.println(TextOptions.JSON.writeValueAsString(ids));
        });
    }

    /**
     * What tokenize, detokenize and template share: {@code --model} (a directory or a Hub id in the
     * local Hugging Face cache), {@code --threads}, {@code --verbose}, JSON input, and one-line
     * errors on stderr ({@code jvlm: <message>}, the stack trace only with --verbose, exit code 1).
     */
    static final class TextOptions {

        static final ObjectMapper JSON = new ObjectMapper();

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "M",
                description = "Model directory, or a Hub id org/name in the local Hugging Face cache.")
        String model;

        @Option(names = "--threads", paramLabel = "N", description = "Threads for processing several inputs (default: all cores).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--verbose", description = "Print stack traces with errors.")
        boolean verbose;

        /** A command body; any exception it throws becomes the one-line error. */
        @FunctionalInterface
        interface Body {
            void run(PrintWriter out) throws Exception;
        }

        /** A user-facing error: its message is the whole story. */
        static final class CliException extends RuntimeException {
            CliException(String message) {
                super(message);
            }
        }

        int run(Body body) {
            PrintWriter out = spec.commandLine().getOut();
            try {
                body.run(out);
                out.flush();
                return 0;
            } catch (Exception e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("jvlm: " + oneLine(e));
                if (verbose) {
                    e.printStackTrace(err);
                }
                err.flush();
                return 1;
            }
        }

        private static String oneLine(Exception e) {
            String message = switch (e) {
                case TokenizerException t -> t.getMessage();
                case ChatTemplateException t -> t.getMessage();
                case CliException c -> c.getMessage();
                case NoSuchFileException n -> n.getFile() + ": no such file";
                case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
                default -> "internal error: " + e;
            };
            return message.replaceAll("\\s*\\R\\s*", " ");
        }

        Path modelDir() {
            return resolveModel(model, hubCache(System.getenv(), Path.of(System.getProperty("user.home")),
                    System.getProperty(HUB_CACHE_PROPERTY)));
        }

        /** System property that overrides the Hugging Face cache location (for embedding applications and tests). */
        static final String HUB_CACHE_PROPERTY = "jvlm.hubCache";

        /**
         * A directory as given, or the snapshot of a Hub id {@code org/name} in the Hugging Face cache:
         * the snapshot refs/main names, or the only snapshot. Never downloads.
         */
        static Path resolveModel(String model, Path hubCache) {
            Path asPath = Path.of(model);
            if (Files.isDirectory(asPath)) {
                return asPath;
            }
            if (!model.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new CliException(model + ": no such model directory");
            }
            Path repo = hubCache.resolve("models--" + model.replace("/", "--"));
            Path snapshots = repo.resolve("snapshots");
            if (!Files.isDirectory(snapshots)) {
                throw new CliException(model + ": neither a directory nor in the Hugging Face cache at " + hubCache
                        + " (jvlm never downloads)");
            }
            try {
                Path ref = repo.resolve("refs").resolve("main");
                if (Files.isRegularFile(ref)) {
                    Path snapshot = snapshots.resolve(Files.readString(ref).trim());
                    if (!Files.isDirectory(snapshot)) {
                        throw new CliException(ref + " names snapshot " + snapshot.getFileName() + ", which is missing");
                    }
                    return snapshot;
                }
                List<Path> all;
                try (Stream<Path> s = Files.list(snapshots)) {
                    all = s.filter(Files::isDirectory).toList();
                }
                if (all.size() != 1) {
                    throw new CliException(repo + ": no refs/main and " + all.size() + " snapshots; pass the snapshot directory");
                }
                return all.getFirst();
            } catch (IOException e) {
                throw new CliException(repo + ": cannot read the Hugging Face cache entry: " + e.getMessage());
            }
        }

        /** The {@code override} if set, else $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
        static Path hubCache(Map<String, String> env, Path home, String override) {
            if (override != null && !override.isBlank()) {
                return Path.of(override);
            }
            String hub = env.get("HF_HUB_CACHE");
            if (hub != null && !hub.isBlank()) {
                return Path.of(hub);
            }
            String hfHome = env.get("HF_HOME");
            if (hfHome != null && !hfHome.isBlank()) {
                return Path.of(hfHome, "hub");
            }
            return home.resolve(".cache").resolve("huggingface").resolve("hub");
        }

        static JsonNode readJson(Path file) throws IOException {
            try {
                return JSON.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException(file + ": not valid JSON: " + e.getOriginalMessage());
            } catch (java.io.FileNotFoundException e) {
                throw new CliException(file + ": no such file");
            }
        }

        /** A file holding a JSON array of strings. */
        static List<String> readStrings(Path file) throws IOException {
            JsonNode root = readJson(file);
            if (root == null || !root.isArray()) {
                throw new CliException(file + ": expected a JSON array of strings");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < root.size(); i++) {
                if (!root.get(i).isTextual()) {
                    throw new CliException(file + ": element " + i + " is not a string");
                }
                out.add(root.get(i).asText());
            }
            return out;
        }

        /** Applies {@code f} to every input on up to {@code --threads} threads, keeping the order. */
        <T, R> List<R> map(List<T> inputs, Function<T, R> f) throws InterruptedException {
            if (threads < 1) {
                throw new CliException("--threads must be at least 1, got " + threads);
            }
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
}
