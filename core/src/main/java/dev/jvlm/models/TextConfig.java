package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Ops.Activation;

/**
 * What a decoder-only text transformer needs to know, filled by each family file ({@link Llama},
 * {@link Mistral}, {@link Qwen2}, {@link Gemma3Text}) from its config with that family's defaults.
 *
 * @param slidingWindow   per layer: the window size, or 0 for full attention
 * @param localRope       per-layer RoPE for sliding layers when it differs from {@code rope} (Gemma 3), else null
 * @param gemmaNorms      Gemma-style blocks: (1 + w) RMSNorm, norms before and after attention and MLP,
 *                        q/k norms, embeddings scaled by sqrt(hidden)
 * @param queryScale      the factor applied to q·k (1/sqrt(head_dim), or Gemma's query_pre_attn_scalar)
 */
public record TextConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        Activation activation,
        float rmsNormEps,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean attentionOutBias,
        boolean mlpBias,
        RotaryEmbedding rope,
        RotaryEmbedding localRope,
        int[] slidingWindow,
        boolean gemmaNorms,
        float queryScale,
        float attnLogitSoftcap,
        float finalLogitSoftcap,
        int maxPositionEmbeddings) {

    public TextConfig {
        if (hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0 || headDim <= 0 || vocabSize <= 0
                || intermediateSize <= 0) {
            throw new JvlmException(modelType + " config: sizes must be positive (hidden_size " + hiddenSize
                    + ", num_hidden_layers " + numLayers + ", num_attention_heads " + numHeads + ", num_key_value_heads "
                    + numKvHeads + ", head_dim " + headDim + ", vocab_size " + vocabSize + ", intermediate_size " + intermediateSize + ")");
        }
        if (numHeads % numKvHeads != 0) {
            throw new JvlmException(modelType + " config: num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new JvlmException(modelType + " config: head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (slidingWindow.length != numLayers) {
            throw new IllegalArgumentException("one sliding window entry per layer expected");
        }
    }

    /** The RoPE of layer {@code i}. */
    public RotaryEmbedding ropeOf(int layer) {
        return localRope != null && slidingWindow[layer] > 0 ? localRope : rope;
    }
}
