package dev.jvlm.cli;

import dev.jvlm.generate.SamplingParams;
import dev.jvlm.models.GenerationConfig;
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

    /**
     * Flags over generation_config.json over Hugging Face's GenerationConfig defaults (greedy unless
     * do_sample; when sampling: temperature 1, top-k 50, top-p 1).
     */
    SamplingParams resolve(GenerationConfig g) {
        boolean configSamples = Boolean.TRUE.equals(g.doSample());
        double t = temperature != null ? temperature : !configSamples ? 0.0 : g.temperature() != null ? g.temperature() : 1.0;
        return new SamplingParams(
                maxTokens != null ? maxTokens : g.maxNewTokens() != null ? g.maxNewTokens() : 256,
                t,
                topK != null ? topK : g.topK() != null ? g.topK() : 50,
                topP != null ? topP : g.topP() != null ? g.topP() : 1.0,
                minP != null ? minP : g.minP() != null ? g.minP() : 0.0,
                repetitionPenalty != null ? repetitionPenalty : g.repetitionPenalty() != null ? g.repetitionPenalty() : 1.0,
                seed, g.eosTokenIds(), stop);
    }
}
