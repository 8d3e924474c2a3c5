package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The image side of a vision-language model: its vision tower and connector, and how its Hugging Face
 * {@code *ForConditionalGeneration.forward} turns processor tensors into input embeddings for the text
 * model. One implementation per family file.
 */
sealed interface VisionLanguage permits Llava, LlavaNext, Idefics3, Qwen2Vl, Gemma3 {

    /**
     * Runs the vision side on the processor tensors ({@code pixel_values}, ... by their HF names;
     * tensors the family does not read are ignored) and builds the prefill for {@code ids}.
     */
    Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs);

    /** The vision side of a VLM checkpoint, or null when {@code modelType} is a text-only family. */
    static VisionLanguage load(String modelType, ConfigNode root, Checkpoint ckpt, TextConfig text) {
        return switch (modelType) {
            case "llava" -> Llava.load(root, ckpt, text);
            case "llava_next" -> LlavaNext.load(root, ckpt, text);
            case "idefics3", "smolvlm" -> Idefics3.load(root, ckpt, text);
            case "qwen2_vl", "qwen2_5_vl" -> Qwen2Vl.load(modelType, root, ckpt, text);
            case "gemma3" -> Gemma3.load(root, ckpt, text);
            default -> null;
        };
    }

    /**
     * The key prefix under which {@code probe} is stored: the first of {@code prefixes} that holds it
     * (checkpoints come in the pre-4.52 and the newer Hub layout). Random weights take the first,
     * the layout Hugging Face's {@code save_pretrained} wrote for the reference version.
     */
    static String prefix(Checkpoint ckpt, String probe, String... prefixes) {
        for (String p : prefixes) {
            if (ckpt.has(p + probe)) {
                return p;
            }
        }
        return switch (ckpt) {
            case RandomWeights r -> prefixes[0];
            case Checkpoint.Mapped m -> throw missing(m.source(), probe, prefixes);
            case TrainableWeights t -> throw missing(t.source(), probe, prefixes);
        };
    }

    private static JvlmException missing(String source, String probe, String... prefixes) {
        return new JvlmException(source + ": checkpoint has no tensor \"" + prefixes[0] + probe
                + "\" (looked under " + String.join(", ", Arrays.stream(prefixes).map(p -> "\"" + p + "\"").toList())
                + "); is it a checkpoint of this model_type?");
    }

    /** A processor tensor the family needs, with a clear error when the input spec lacks it. */
    static Tensor required(Map<String, Tensor> inputs, String name, String modelType) {
        Tensor t = inputs.get(name);
        if (t == null) {
            throw new JvlmException(modelType + ": image input needs \"" + name + "\" (given: " + String.join(", ", inputs.keySet()) + ")");
        }
        return t;
    }

    /** Checks a tensor's rank and named dimensions (-1 = any). */
    static void checkShape(Tensor t, String name, String layout, int... dims) {
        boolean ok = t.rank() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || t.dim(i) == dims[i];
        }
        if (!ok) {
            throw new JvlmException("\"" + name + "\" must be " + layout + ", got " + Arrays.toString(t.shape()));
        }
    }

    /** Integer rows of a 2-D tensor (image_sizes, image_grid_thw, token_type_ids). */
    static int[][] intRows(Tensor t, String name, int columns) {
        checkShape(t, name, columns < 0 ? "[rows, columns]" : "[rows, " + columns + "]", -1, columns);
        long[] flat;
        try {
            flat = t.toLongs();
        } catch (IllegalStateException e) {
            throw new JvlmException("\"" + name + "\" must hold integers (" + e.getMessage() + ")");
        }
        int[][] out = new int[t.dim(0)][t.dim(1)];
        for (int i = 0; i < flat.length; i++) {
            out[i / t.dim(1)][i % t.dim(1)] = Math.toIntExact(flat[i]);
        }
        return out;
    }

    /**
     * Token embeddings {@code [batch, tokens, hidden]} of a prompt whose placeholder tokens are about to
     * be overwritten: placeholder ids outside the vocabulary embed as id 0 (Gemma 3 does so; the value
     * never survives the merge).
     */
    static Tensor embedPrompt(LanguageModel lm, long[][] ids, long... placeholders) {
        int vocab = lm.config().vocabSize();
        long[][] safe = new long[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            safe[b] = ids[b].clone();
            for (int t = 0; t < safe[b].length; t++) {
                for (long p : placeholders) {
                    if (safe[b][t] == p && p >= vocab) {
                        safe[b][t] = 0;
                    }
                }
            }
        }
        return lm.embed(safe);
    }

    /**
     * The embeddings with the rows of {@code features [n, hidden]} in place of the tokens equal to
     * {@code tokenId}, in reading order over the batch ({@code masked_scatter}); the counts must agree.
     * As with masked_scatter, the replaced embeddings get no gradient.
     */
    static Tensor merge(Tensor embeds, long[][] ids, long tokenId, Tensor features, String what) {
        int d = embeds.dim(-1);
        int n = (int) (features.numel() / d);
        int placeholders = 0;
        for (long[] row : ids) {
            for (long id : row) {
                placeholders += id == tokenId ? 1 : 0;
            }
        }
        if (placeholders != n) {
            throw new JvlmException(what + " features and " + what + " tokens do not match: the prompt has " + placeholders + " "
                    + what + " tokens (id " + tokenId + ") but the " + what + " inputs give " + n + " features");
        }
        int tokens = ids[0].length;
        int rows = ids.length * tokens;
        // Row r of the result is row r of the embeddings, or (placeholders) the next feature row after them.
        int[] index = new int[rows];
        for (int r = 0, next = 0; r < rows; r++) {
            index[r] = ids[r / tokens][r % tokens] == tokenId ? rows + next++ : r;
        }
        Tensor source = Layout.concat(0, embeds.reshape(rows, d), features.reshape(n, d));
        return Layout.gatherRows(source, index).reshape(embeds.shape());
    }
}
