package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;

/**
 * A text decoder with everything needed to run it as Hugging Face's model class would: the family,
 * how that class numbers positions, and the generation config. Loads standalone LLM checkpoints and
 * the language model inside every supported VLM checkpoint (both key layouts).
 */
public final class LanguageModel {
    /** How the family's HF forward numbers positions when the caller gives none. */
    public enum PositionStyle {
        /** {@code cache_position}: 0, 1, 2, ... whatever the padding (Llama, Mistral, Qwen2, LLaVA, Idefics3). */
        ARANGE,
        /** Positions counted over real tokens only ({@code cumsum(mask) - 1}, 1 at padding): Qwen2-VL's {@code get_rope_index}. */
        MASK_CUMSUM
    }

    private final String modelType;
    private final TextDecoder decoder;
    private final PositionStyle positionStyle;
    private final GenerationConfig generationConfig;
    private final Path dir;

    LanguageModel(String modelType, TextDecoder decoder, PositionStyle positionStyle, GenerationConfig generationConfig, Path dir) {
        this.modelType = modelType;
        this.decoder = decoder;
        this.positionStyle = positionStyle;
        this.generationConfig = generationConfig;
        this.dir = dir;
    }

    /** Loads the language model of the checkpoint in {@code dir}. */
    public static LanguageModel load(Path dir) {
        return load(dir, null);
    }

    /**
     * Loads the language model with the weights named by {@code trainable} as float32 copies that
     * collect gradients (null: everything frozen, in place).
     */
    public static LanguageModel load(Path dir, java.util.function.Function<Checkpoint.Mapped, Checkpoint> weights) {
        ConfigNode root = ConfigNode.read(dir.resolve("config.json"));
        Parsed parsed = parse(root);
        GenerationConfig gen = GenerationConfig.load(dir, root);
        Checkpoint.Mapped mapped = Checkpoint.open(dir);
        Checkpoint ckpt = weights == null ? mapped : weights.apply(mapped);
        String prefix = textPrefix(mapped, dir);
        String lmHead = mapped.has("language_model.lm_head.weight") ? "language_model.lm_head" : "lm_head";
        return new LanguageModel(parsed.type, TextDecoder.load(parsed.config, ckpt, prefix, lmHead), parsed.style, gen, dir);
    }

    /**
     * Builds a text model from {@code config.json} contents over random weights, in the key layout
     * Hugging Face's {@code save_pretrained} writes for this model_type.
     */
    public static LanguageModel create(ConfigNode root, RandomWeights weights) {
        String type = modelType(root);
        return switch (type) {
            case "llama", "mistral", "qwen2", "gemma3_text" -> {
                Parsed parsed = parse(root);
                GenerationConfig gen = new GenerationConfig(root.getIntOrNull("bos_token_id", null),
                        root.getIntList("eos_token_id"), root.getIntOrNull("pad_token_id", null), null, null, null, null,
                        null, null, null);
                yield new LanguageModel(type, TextDecoder.load(parsed.config, weights, "model.", "lm_head"), parsed.style, gen, null);
            }
            default -> throw new JvlmException(root.where() + ": random initialisation of model_type \"" + type
                    + "\" is not supported yet (supported: llama, mistral, qwen2, gemma3_text)");
        };
    }

    private static String modelType(ConfigNode root) {
        String type = root.getString("model_type", null);
        if (type == null) {
            throw new JvlmException(root.where() + ": missing \"model_type\"");
        }
        return type;
    }

    /** What config.json says about the text model, before any weight is opened. */
    private record Parsed(String type, TextConfig config, PositionStyle style) {
    }

    private static Parsed parse(ConfigNode root) {
        String type = modelType(root);
        TextConfig cfg;
        PositionStyle style = PositionStyle.ARANGE;
        switch (type) {
            case "llama", "mistral", "qwen2", "gemma3_text" -> cfg = textConfig(type, root);
            case "llava", "llava_next", "idefics3" -> {
                ConfigNode text = root.child("text_config");
                cfg = textConfig(text.getString("model_type", "llama"), text);
            }
            // Gemma3ForConditionalGeneration counts positions from 1; RoPE depends only on position
            // differences, so counting from 0 gives the same attention.
            case "gemma3" -> cfg = Gemma3Text.config(root.child("text_config"));
            case "qwen2_vl", "qwen2_5_vl" -> {
                ConfigNode text = root.has("text_config") ? root.child("text_config") : root;
                cfg = Qwen2.config(text, Qwen2.QWEN2_VL, type);
                style = PositionStyle.MASK_CUMSUM;
            }
            default -> throw new JvlmException(root.where() + ": model_type \"" + type
                    + "\" is not supported (supported: llama, mistral, qwen2, gemma3_text, llava, llava_next, idefics3, qwen2_vl, qwen2_5_vl, gemma3)");
        }
        return new Parsed(type, cfg, style);
    }

    static TextConfig textConfig(String type, ConfigNode c) {
        return switch (type) {
            case "llama" -> Llama.config(c);
            case "mistral" -> Mistral.config(c);
            case "qwen2" -> Qwen2.config(c);
            case "gemma3_text" -> Gemma3Text.config(c);
            default -> throw new JvlmException(c.where() + ": text model_type \"" + type
                    + "\" is not supported (supported: llama, mistral, qwen2, gemma3_text)");
        };
    }

    /** The key prefix of the text model: both the pre-4.52 and the newer Hub layouts. */
    static String textPrefix(Checkpoint.Mapped ckpt, Path dir) {
        for (String p : List.of("model.language_model.", "language_model.model.", "model.text_model.", "model.", "")) {
            if (ckpt.has(p + "embed_tokens.weight")) {
                return p;
            }
        }
        throw new JvlmException(dir + ": no text embeddings found (looked for embed_tokens.weight under model.language_model., "
                + "language_model.model., model.text_model. and model.)");
    }

    public String modelType() {
        return modelType;
    }

    public TextDecoder decoder() {
        return decoder;
    }

    public TextConfig config() {
        return decoder.config();
    }

    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    public PositionStyle positionStyle() {
        return positionStyle;
    }

    public Path dir() {
        return dir;
    }

    /** Output of a full forward pass. */
    public record Output(Tensor logits, List<Tensor> hiddenStates, Tensor lastHiddenState) {
    }

    /**
     * One forward pass over {@code ids [batch][tokens]} as the family's HF class does with no cache and
     * no explicit position ids; hidden states are collected when asked.
     */
    public Output forward(long[][] ids, int[][] attentionMask, boolean withHiddenStates) {
        int batch = ids.length;
        int tokens = ids[0].length;
        Tensor embeds = embed(ids);
        int[][][] positions = positions(positionStyle, attentionMask, batch, tokens);
        KVCache cache = new KVCache(config(), batch, tokens);
        List<Tensor> hidden = withHiddenStates ? new java.util.ArrayList<>() : null;
        Tensor last = decoder.forward(embeds, positions, attentionMask, null, cache, hidden);
        return new Output(decoder.logits(last), hidden, last);
    }

    /** Embeddings {@code [batch, tokens, hidden]} of rectangular ids. */
    public Tensor embed(long[][] ids) {
        int batch = ids.length;
        int tokens = ids[0].length;
        long[] flat = new long[batch * tokens];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != tokens) {
                throw new JvlmException("input_ids: row " + b + " has " + ids[b].length + " tokens, row 0 has " + tokens);
            }
            System.arraycopy(ids[b], 0, flat, b * tokens, tokens);
        }
        return decoder.embed(flat).reshape(batch, tokens, config().hiddenSize());
    }

    /** Position ids {@code [axes][batch][tokens]} for a fresh sequence under the given style. */
    public int[][][] positions(PositionStyle style, int[][] attentionMask, int batch, int tokens) {
        int axes = config().rope().isMultimodal() ? 3 : 1;
        int[][] p = new int[batch][tokens];
        for (int b = 0; b < batch; b++) {
            int count = 0;
            for (int t = 0; t < tokens; t++) {
                p[b][t] = switch (style) {
                    case ARANGE -> t;
                    case MASK_CUMSUM -> {
                        boolean real = attentionMask == null || attentionMask[b][t] != 0;
                        if (real) {
                            count++;
                        }
                        yield real ? count - 1 : 1;
                    }
                };
            }
        }
        int[][][] out = new int[axes][][];
        for (int a = 0; a < axes; a++) {
            out[a] = p;
        }
        return out;
    }
}
