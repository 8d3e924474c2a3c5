package dev.jvlm.models;

import dev.jvlm.io.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What generation_config.json (falling back to config.json) says about special tokens and default
 * sampling. Values left out of both files are null / empty.
 */
public record GenerationConfig(Integer bosTokenId, int[] eosTokenIds, Integer padTokenId, Boolean doSample,
                               Double temperature, Integer topK, Double topP, Double minP,
                               Double repetitionPenalty, Integer maxNewTokens) {

    public static GenerationConfig load(Path dir, ConfigNode modelConfig) {
        Path file = dir.resolve("generation_config.json");
        ConfigNode g = Files.isRegularFile(file) ? ConfigNode.read(file) : modelConfig;
        ConfigNode text = modelConfig.child("text_config");
        int[] eos = g.getIntList("eos_token_id");
        if (eos.length == 0) {
            eos = modelConfig.getIntList("eos_token_id");
        }
        if (eos.length == 0) {
            eos = text.getIntList("eos_token_id");
        }
        return new GenerationConfig(
                first(g.getIntOrNull("bos_token_id", null), modelConfig.getIntOrNull("bos_token_id", null)),
                eos,
                first(g.getIntOrNull("pad_token_id", null), modelConfig.getIntOrNull("pad_token_id", null), text.getIntOrNull("pad_token_id", null)),
                g.has("do_sample") ? g.getBool("do_sample", false) : null,
                g.has("temperature") ? g.getDouble("temperature", 1) : null,
                g.getIntOrNull("top_k", null),
                g.has("top_p") ? g.getDouble("top_p", 1) : null,
                g.has("min_p") ? g.getDouble("min_p", 0) : null,
                g.has("repetition_penalty") ? g.getDouble("repetition_penalty", 1) : null,
                g.getIntOrNull("max_new_tokens", null));
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
