package dev.jvlm.data;

import dev.jvlm.tensor.Ops;
import dev.jvlm.vision.ProcessedImages;
import java.util.Arrays;

/**
 * A sample as model input: token ids of the rendered conversation with every image placeholder
 * expanded, the labels, and the processor's image tensors. Arrays are owned by this record; callers
 * must not modify them.
 *
 * @param inputIds       token ids
 * @param labels         per token: the token id where the model is trained to produce it (assistant
 *                       text and the token that closes the turn), else {@code -100}; not shifted
 * @param tokenTypeIds   per token 1 on image tokens, 0 elsewhere, for families whose model reads them
 *                       (Gemma 3); null otherwise
 * @param images         the processor output for this sample's images, or null when it has none
 * @param imageTokensEnd index just past the last image token (0 without images): truncating at or
 *                       beyond it keeps every image whole
 * @param origin         where the sample came from, for messages
 */
public record EncodedSample(int[] inputIds, int[] labels, int[] tokenTypeIds, ProcessedImages images,
                            int imageTokensEnd, String origin) {

    public EncodedSample {
        if (labels.length != inputIds.length || tokenTypeIds != null && tokenTypeIds.length != inputIds.length) {
            throw new IllegalArgumentException("labels and token_type_ids must have one entry per token");
        }
    }

    /** Number of tokens. */
    public int length() {
        return inputIds.length;
    }

    /** Number of tokens with a label. */
    public int labelledTokens() {
        return (int) Arrays.stream(labels).filter(l -> l != Ops.IGNORE_INDEX).count();
    }

    /** The first {@code length} tokens, same images. */
    EncodedSample truncate(int length) {
        return new EncodedSample(Arrays.copyOf(inputIds, length), Arrays.copyOf(labels, length),
                tokenTypeIds == null ? null : Arrays.copyOf(tokenTypeIds, length), images, imageTokensEnd, origin);
    }

    @Override
    public String toString() {
        return "EncodedSample[" + origin + ", " + inputIds.length + " tokens, " + labelledTokens() + " labelled, "
                + (images == null ? 0 : images.images().size()) + " images]";
    }
}
