package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model as Hugging Face's model class runs it: the text decoder, how that class numbers positions,
 * the generation config and, for vision-language families, the vision tower and connector that turn
 * processor tensors into input embeddings. Loads standalone LLM checkpoints and every supported VLM
 * checkpoint (both key layouts).
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
    private final VisionLanguage vision;

    LanguageModel(String modelType, TextDecoder decoder, PositionStyle positionStyle, GenerationConfig generationConfig, Path dir,
                  VisionLanguage vision) {
        this.modelType = modelType;
        this.decoder = decoder;
        this.positionStyle = positionStyle;
        this.generationConfig = generationConfig;
        this.dir = dir;
        this.vision = vision;
    }

    /** Loads the model in {@code dir}: its language model and, for a VLM, its vision side. */
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
        return new LanguageModel(parsed.type, TextDecoder.load(parsed.config, ckpt, prefix, lmHeadName(mapped)), parsed.style, gen, dir,
                VisionLanguage.load(parsed.type, root, ckpt, parsed.config));
    }

    /**
     * Builds a model from {@code config.json} contents over random weights, in the key layout
     * Hugging Face's {@code save_pretrained} (transformers 4.50) writes for this model_type.
     */
    public static LanguageModel create(ConfigNode root, RandomWeights weights) {
        Parsed parsed = parse(root);
        String type = parsed.type;
        String[] keys = switch (type) {
            case "llava", "llava_next", "gemma3" -> new String[] {"language_model.model.", "language_model.lm_head"};
            case "idefics3", "smolvlm" -> new String[] {"model.text_model.", "lm_head"};
            default -> new String[] {"model.", "lm_head"};
        };
        ConfigNode text = root.child("text_config");
        GenerationConfig gen = new GenerationConfig(
                root.getIntOrNull("bos_token_id", text.getIntOrNull("bos_token_id", null)),
                root.has("eos_token_id") ? root.getIntList("eos_token_id") : text.getIntList("eos_token_id"),
                root.getIntOrNull("pad_token_id", text.getIntOrNull("pad_token_id", null)), null, null, null, null, null, null, null);
        TextDecoder decoder = TextDecoder.load(parsed.config, weights, keys[0], keys[1]);
        return new LanguageModel(type, decoder, parsed.style, gen, null, VisionLanguage.load(type, root, weights, parsed.config));
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
            case "llava", "llava_next", "idefics3", "smolvlm" -> {
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
                    + "\" is not supported (supported: llama, mistral, qwen2, gemma3_text, llava, llava_next, idefics3, smolvlm, qwen2_vl, qwen2_5_vl, gemma3)");
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

    /**
     * The module name of the output projection in Hugging Face's model for this checkpoint's layout,
     * whether or not the checkpoint stores its weight (tied embeddings): {@code language_model.lm_head}
     * where the text model is a nested causal LM (pre-4.52 LLaVA and Gemma 3), else {@code lm_head}.
     */
    public static String lmHeadName(Checkpoint.Mapped ckpt) {
        return textPrefix(ckpt).equals("language_model.model.") ? "language_model.lm_head" : "lm_head";
    }

    /** The key prefix of the text model ({@code model.text_model.}, {@code language_model.model.}, ...). */
    public static String textPrefix(Checkpoint.Mapped ckpt) {
        return textPrefix(ckpt, ckpt.dir());
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

    /** True for vision-language families, whose prefill takes image inputs. */
    public boolean hasVision() {
        return vision != null;
    }

    /** Output of a full forward pass. */
    public record Output(Tensor logits, List<Tensor> hiddenStates, Tensor lastHiddenState) {
    }

    /**
     * One forward pass over {@code ids [batch][tokens]} as the family's HF class does with no cache and
     * no explicit position ids; hidden states are collected when asked.
     */
    public Output forward(long[][] ids, int[][] attentionMask, boolean withHiddenStates) {
        return forward(prefill(ids, attentionMask, Map.of()), withHiddenStates);
    }

    /** One forward pass over a prefill (no cache); hidden states are collected when asked. */
    public Output forward(Prefill prefill, boolean withHiddenStates) {
        KVCache cache = new KVCache(config(), prefill.batch(), prefill.tokens());
        List<Tensor> hidden = withHiddenStates ? new java.util.ArrayList<>() : null;
        Tensor last = decoder.forward(prefill.inputsEmbeds(), prefill.positions(), prefill.attentionMask(), prefill.groups(), cache, hidden);
        return new Output(decoder.logits(last), hidden, last);
    }

    /**
     * The text model's input for a prompt, as the family's HF forward builds it: token embeddings and,
     * when {@code imageInputs} holds processor tensors ({@code pixel_values}, {@code image_sizes},
     * {@code image_grid_thw}, {@code pixel_attention_mask}, {@code token_type_ids}, ... by their HF
     * names), the image features merged at the placeholder tokens, with the family's positions.
     *
     * @param attentionMask {@code [batch][tokens]}, 0 at (left) padding; null when all tokens are real
     * @param imageInputs   processor tensors by name; empty or null for text
     */
    public Prefill prefill(long[][] ids, int[][] attentionMask, Map<String, Tensor> imageInputs) {
        if (imageInputs != null && !imageInputs.isEmpty()) {
            if (vision == null) {
                throw new JvlmException("model_type \"" + modelType + "\" is a text model; it takes no image inputs (given: "
                        + String.join(", ", imageInputs.keySet()) + ")");
            }
            return vision.prefill(this, ids, attentionMask, imageInputs);
        }
        return prefillFromEmbeddings(embed(ids), attentionMask, null, null);
    }

    /** A prefill over ready input embeddings, with the family's text positions. */
    Prefill prefillFromEmbeddings(Tensor embeds, int[][] attentionMask, int[][] groups, Tensor imageFeatures) {
        int batch = embeds.dim(0);
        int tokens = embeds.dim(1);
        int[][][] positions = positions(positionStyle, attentionMask, batch, tokens);
        int[] deltas = null;
        if (config().rope().isMultimodal()) {
            // Qwen2-VL's get_rope_index on text: the next position follows the row's largest one,
            // padding (position 1) included.
            deltas = new int[batch];
            for (int b = 0; b < batch; b++) {
                int max = 0;
                for (int p : positions[0][b]) {
                    max = Math.max(max, p);
                }
                deltas[b] = max + 1 - tokens;
            }
        }
        return new Prefill(embeds, attentionMask, positions, groups, deltas, imageFeatures);
    }

    /**
     * One decode step of independent sequences (continuous batching): {@code tokens[r]} is the next
     * token of the sequence held by {@code caches.get(r)} (a cache of one sequence), at position
     * {@code positions[r]} (on every axis, for M-RoPE families: text after the prompt). Returns logits
     * {@code [rows, vocab]}; see {@link TextDecoder#decode}.
     */
    public Tensor decode(long[] tokens, int[] positions, List<KVCache> caches) {
        int axes = config().rope().isMultimodal() ? 3 : 1;
        int[][] byAxis = new int[axes][];
        java.util.Arrays.fill(byAxis, positions);
        return decoder.logits(decoder.decode(decoder.embed(tokens), byAxis, caches));
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
