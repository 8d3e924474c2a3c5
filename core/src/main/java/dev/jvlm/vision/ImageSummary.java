package dev.jvlm.vision;

/**
 * What a processor tells the prompt builder about one image: its size as given, how many image
 * placeholder tokens it takes, and the placeholder text the family's Hugging Face processor puts
 * into the prompt for it. Each family adds its own fields.
 */
public sealed interface ImageSummary permits ClipImageProcessor.Summary, LlavaNextImageProcessor.Summary,
        Idefics3ImageProcessor.Summary, Qwen2VlImageProcessor.Summary, Gemma3ImageProcessor.Summary {

    /** Width of the image given to the processor, in pixels. */
    int width();

    /** Height of the image given to the processor, in pixels. */
    int height();

    /** Number of image placeholder tokens the prompt holds for this image. */
    int numImageTokens();

    /** The text that stands for this image in the expanded prompt. */
    String prompt();
}
