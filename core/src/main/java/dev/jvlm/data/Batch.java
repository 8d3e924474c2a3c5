package dev.jvlm.data;

import dev.jvlm.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A training batch in the shapes the models' forward passes and the loss take: right-padded token
 * ids, the attention mask, labels ({@code -100} on padding and on every unlabelled token), and the
 * image tensors by their Hugging Face names ({@code pixel_values}, {@code image_sizes},
 * {@code image_grid_thw}, {@code pixel_attention_mask}, {@code token_type_ids}).
 *
 * @param inputIds      [batch][tokens]
 * @param attentionMask [batch][tokens], 1 on real tokens, 0 on padding
 * @param labels        [batch][tokens], not shifted
 * @param imageInputs   image tensors; empty when no sample of the batch has images (and the family reads
 *                      no token types)
 * @param origins       where each row's sample came from
 */
public record Batch(long[][] inputIds, int[][] attentionMask, long[][] labels, Map<String, Tensor> imageInputs,
                    List<String> origins) {

    public Batch {
        imageInputs = Map.copyOf(imageInputs);
        origins = List.copyOf(origins);
    }

    /** Number of rows. */
    public int size() {
        return inputIds.length;
    }

    /** Padded length of every row. */
    public int length() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }
}
