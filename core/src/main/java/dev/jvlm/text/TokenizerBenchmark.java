package dev.jvlm.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizer speed: how long tokenizer.json takes to load, and how many characters per second one
 * thread encodes with an empty merge cache and with a warm one. Run {@code main} with a text file
 * and model directories (one model per run measures a cold JVM's load), or call {@link #run}
 * (e.g. from {@code jvlm bench}).
 */
public final class TokenizerBenchmark {

    /**
     * One tokenizer's numbers.
     *
     * @param firstLoadSeconds    the first load in this JVM (a cold JVM's load if nothing ran before)
     * @param bestLoadSeconds     the fastest of the loads
     * @param cacheColdPerSecond  characters per second of a fresh tokenizer's first pass, after the JIT has warmed up
     * @param cacheWarmPerSecond  characters per second of later passes (median)
     */
    public record Result(Path modelDir, double firstLoadSeconds, double bestLoadSeconds, long characters, long tokens,
                         double cacheColdPerSecond, double cacheWarmPerSecond) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: load %.3f s first, %.3f s best; %,d chars -> %,d tokens; "
                            + "%.2f M chars/s with an empty merge cache, %.2f M chars/s warm",
                    modelDir.getFileName(), firstLoadSeconds, bestLoadSeconds, characters, tokens,
                    cacheColdPerSecond / 1e6, cacheWarmPerSecond / 1e6);
        }
    }

    private TokenizerBenchmark() {
    }

    /**
     * Loads the tokenizer {@code loads} (at least 2) times, warms the JIT up with one pass of the
     * first instance, then encodes {@code paragraphs} (one encode call each) with the last instance:
     * once with its empty merge cache, then {@code passes} times, all on the calling thread.
     */
    public static Result run(Path modelDir, List<String> paragraphs, int loads, int passes) {
        double firstLoad = 0;
        double bestLoad = Double.MAX_VALUE;
        Tokenizer first = null;
        Tokenizer last = null;
        for (int i = 0; i < Math.max(2, loads); i++) {
            long start = System.nanoTime();
            last = Tokenizer.load(modelDir);
            double seconds = (System.nanoTime() - start) / 1e9;
            bestLoad = Math.min(bestLoad, seconds);
            if (i == 0) {
                firstLoad = seconds;
                first = last;
            }
        }
        long characters = paragraphs.stream().mapToLong(String::length).sum();
        for (String p : paragraphs) {
            first.encode(p, false);
        }
        long tokens = 0;
        long start = System.nanoTime();
        for (String p : paragraphs) {
            tokens += last.encode(p, false).length;
        }
        double cacheCold = characters / ((System.nanoTime() - start) / 1e9);
        double[] warm = new double[Math.max(1, passes)];
        for (int pass = 0; pass < warm.length; pass++) {
            long t0 = System.nanoTime();
            for (String p : paragraphs) {
                last.encode(p, false);
            }
            warm[pass] = characters / ((System.nanoTime() - t0) / 1e9);
        }
        java.util.Arrays.sort(warm);
        return new Result(modelDir, firstLoad, bestLoad, characters, tokens, cacheCold, warm[warm.length / 2]);
    }

    /** Paragraphs of a text file (separated by blank lines). */
    public static List<String> paragraphs(Path textFile) throws IOException {
        return List.of(Files.readString(textFile).split("\\n\\s*\\n"));
    }

    /** {@code TokenizerBenchmark TEXT_FILE MODEL_DIR...}: prints one line per model. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TokenizerBenchmark TEXT_FILE MODEL_DIR...");
            System.exit(2);
        }
        List<String> paragraphs = paragraphs(Path.of(args[0]));
        for (int i = 1; i < args.length; i++) {
            System.out.println(run(Path.of(args[i]), paragraphs, 3, 10));
        }
    }
}
