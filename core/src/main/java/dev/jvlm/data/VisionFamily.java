package dev.jvlm.data;

/**
 * What the data side must know about a {@code model_type}: the text its chat template writes for one
 * image part (which the processor's expansion replaces, as the family's Hugging Face processor does),
 * how the family's processor batches image tensors, and whether the model reads {@code token_type_ids}.
 */
enum VisionFamily {
    LLAVA("<image>", ImageLayout.PER_IMAGE, null),
    LLAVA_NEXT("<image>", ImageLayout.PER_IMAGE, null),
    IDEFICS3("<image>", ImageLayout.PER_SAMPLE, null),
    QWEN2_VL("<|vision_start|><|image_pad|><|vision_end|>", ImageLayout.PER_IMAGE, null),
    GEMMA3("<start_of_image>", ImageLayout.PER_IMAGE, "<image_soft_token>"),
    /** A text-only model: conversations with image parts are rejected. */
    TEXT(null, ImageLayout.PER_IMAGE, null);

    /**
     * How samples' image tensors combine into a batch. Both concatenate along the first dimension and
     * zero-pad the others to the largest sample (LLaVA-NeXT pads patches, Idefics3 pads tiles, their
     * height and width, and the pixel attention mask, as the Hugging Face processors' padding does).
     */
    enum ImageLayout {
        /** The first dimension counts images (or Qwen's patches): samples without images add nothing. */
        PER_IMAGE,
        /** The first dimension is the batch (Idefics3 {@code [batch, tiles, 3, h, w]}): every sample adds one row. */
        PER_SAMPLE
    }

    /** The placeholder the family's chat templates emit per image part; null for text-only models. */
    final String placeholder;
    final ImageLayout layout;
    /** The token that {@code token_type_ids} marks with 1 (Gemma 3's image soft token), or null. */
    final String tokenTypeToken;

    VisionFamily(String placeholder, ImageLayout layout, String tokenTypeToken) {
        this.placeholder = placeholder;
        this.layout = layout;
        this.tokenTypeToken = tokenTypeToken;
    }

    static VisionFamily of(String modelType) {
        return switch (modelType) {
            case "llava" -> LLAVA;
            case "llava_next" -> LLAVA_NEXT;
            case "idefics3", "smolvlm" -> IDEFICS3;
            case "qwen2_vl", "qwen2_5_vl" -> QWEN2_VL;
            case "gemma3" -> GEMMA3;
            default -> TEXT;
        };
    }
}
