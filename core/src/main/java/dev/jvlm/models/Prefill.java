package dev.jvlm.models;

import dev.jvlm.tensor.Tensor;

/**
 * What the text decoder is fed for a prompt, text-only or with images: the input embeddings with any
 * image features already merged at their placeholder tokens, and how the family's Hugging Face forward
 * numbers and masks them. {@link LanguageModel#prefill} makes one; {@link LanguageModel#forward(Prefill, boolean)}
 * and the generator consume it.
 *
 * @param inputsEmbeds  {@code [batch, tokens, hidden]}
 * @param attentionMask {@code [batch][tokens]}, 0 at padding; null when every token is real
 * @param positions     {@code [axes][batch][tokens]} position ids (three axes for M-RoPE)
 * @param groups        {@code [batch][tokens]} bidirectional attention groups (Gemma 3's image tokens), or null
 * @param ropeDeltas    M-RoPE families: per row, Hugging Face's {@code rope_deltas} (a token at cache index c
 *                      has position c + delta on every axis); null for other families
 * @param imageFeatures the connector's output before merging (the reference files' {@code image_features}),
 *                      or null when there are no images
 */
public record Prefill(Tensor inputsEmbeds, int[][] attentionMask, int[][][] positions, int[][] groups, int[] ropeDeltas,
                      Tensor imageFeatures) {

    public int batch() {
        return inputsEmbeds.dim(0);
    }

    public int tokens() {
        return inputsEmbeds.dim(1);
    }
}
