package dev.jvlm.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizer speed: how long tokenizer.json takes to load, and how many characters per second one
 * thread encodes, on a first pass over a text (the merge cache filling up) and on later passes.
 * Run {@code main} with model directories and a text file, or call {@link #run} (e.g. from
 * {@code jvlm bench}).
 */
public final class TokenizerBenchmark {

    /**
     * One tokenizer's numbers.
     *
     * @param loadSeconds        fastest of the timed loads of tokenizer.json (+ config)
     * @param firstPassPerSecond characters per second on the first pass, with an empty merge cache
     * @param warmPerSecond      characters per second on later passes (median)
     */
    public record Result(Path modelDir, double loadSeconds, long characters, long tokens, double firstPassPerSecond,
                         double warmPerSecond) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: load %.3f s; %,d chars -> %,d tokens; first pass %.2f M chars/s; warm %.2f M chars/s",
                    modelDir.getFileName(), loadSeconds, characters, tokens, firstPassPerSecond / 1e6, warmPerSecond / 1e6);
        }
    }

    private TokenizerBenchmark() {
    }

    /**
     * Loads the tokenizer {@code loads} times and encodes {@code paragraphs} (one encode call each)
     * {@code passes} times on the calling thread.
     */
    public static Result run(Path modelDir, List<String> paragraphs, int loads, int passes) {
        double bestLoad = Double.MAX_VALUE;
        Tokenizer tokenizer = null;
        for (int i = 0; i < Math.max(1, loads); i++) {
            long start = System.nanoTime();
            tokenizer = Tokenizer.load(modelDir);
            bestLoad = Math.min(bestLoad, (System.nanoTime() - start) / 1e9);
        }
        long characters = paragraphs.stream().mapToLong(String::length).sum();
        long tokens = 0;
        long start = System.nanoTime();
        for (String p : paragraphs) {
            tokens += tokenizer.encode(p, false).length;
        }
        double first = characters / ((System.nanoTime() - start) / 1e9);
        double[] warm = new double[Math.max(1, passes)];
        for (int pass = 0; pass < warm.length; pass++) {
            long t0 = System.nanoTime();
            for (String p : paragraphs) {
                tokenizer.encode(p, false);
            }
            warm[pass] = characters / ((System.nanoTime() - t0) / 1e9);
        }
        java.util.Arrays.sort(warm);
        return new Result(modelDir, bestLoad, characters, tokens, first, warm[warm.length / 2]);
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
            System.out.println(run(Path.of(args[i]), paragraphs, 3, 20));
        }
    }
}
