package dev.jvlm.generate;

import dev.jvlm.JvlmException;
import java.util.List;

/**
 * How to pick tokens, with Hugging Face's meaning for each knob. {@code temperature} 0 means greedy
 * (argmax); top-k 0, top-p 1, min-p 0 and repetition penalty 1 switch those filters off.
 */
public record SamplingParams(int maxNewTokens, double temperature, int topK, double topP, double minP,
                             double repetitionPenalty, long seed, int[] stopTokenIds, List<String> stopStrings) {

    public SamplingParams {
        if (maxNewTokens < 0) {
            throw new JvlmException("max new tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new JvlmException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new JvlmException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new JvlmException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new JvlmException("min-p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new JvlmException("repetition penalty must be > 0, got " + repetitionPenalty);
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    /**
     * What generation_config.json asks for, over Hugging Face's GenerationConfig defaults: greedy
     * unless {@code do_sample}; when sampling, temperature 1, top-k 50, top-p 1; stop at EOS.
     */
    public static SamplingParams fromGenerationConfig(dev.jvlm.models.GenerationConfig g) {
        boolean sample = Boolean.TRUE.equals(g.doSample());
        return new SamplingParams(g.maxNewTokens() != null ? g.maxNewTokens() : 256,
                sample ? (g.temperature() != null ? g.temperature() : 1.0) : 0.0,
                g.topK() != null ? g.topK() : 50, g.topP() != null ? g.topP() : 1.0, g.minP() != null ? g.minP() : 0.0,
                g.repetitionPenalty() != null ? g.repetitionPenalty() : 1.0, 0, g.eosTokenIds(), null);
    }

    /** Greedy decoding of exactly {@code maxNewTokens} tokens with no stop condition. */
    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 0, 1, 0, 1, 0, null, null);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withStops(int[] ids, List<String> strings) {
        return new SamplingParams(maxNewTokens, temperature, topK, topP, minP, repetitionPenalty, seed, ids, strings);
    }
}
