package dev.jvlm.cli;

import dev.jvlm.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Sampling flags shared by {@code generate} and {@code chat}. Anything not given falls back to the
 * model's generation_config.json, as Hugging Face's generate() does; with neither, decoding is greedy.
 */
final class SamplingOptions {
    @Option(names = "--max-tokens", paramLabel = "N", description = "Maximum new tokens (default: generation config, else 256).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy.")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass.")
    Double topP;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens.")
    Integer topK;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the most likely one.")
    Double minP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Penalty for tokens already present (HF semantics).")
    Double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    List<String> stop = new ArrayList<>();

    /** The given flags over {@code defaults} (the model's generation config). */
    SamplingParams over(SamplingParams d) {
        return new SamplingParams(
                maxTokens != null ? maxTokens : d.maxNewTokens(),
                temperature != null ? temperature : d.temperature(),
                topK != null ? topK : d.topK(),
                topP != null ? topP : d.topP(),
                minP != null ? minP : d.minP(),
                repetitionPenalty != null ? repetitionPenalty : d.repetitionPenalty(),
                seed, d.stopTokenIds(), stop);
    }
}
