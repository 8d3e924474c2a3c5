package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns decoded images into the tensors a family's Hugging Face image processor (transformers
 * 4.50, the Pillow/numpy "slow" processors) produces, and tells the prompt builder how many image
 * tokens each image takes.
 */
public sealed interface ImageProcessor
        permits ClipImageProcessor, LlavaNextImageProcessor, Idefics3ImageProcessor, Qwen2VlImageProcessor,
        Gemma3ImageProcessor {

    /**
     * Processes the images of one prompt (a batch of one sample), in order.
     *
     * @throws IllegalArgumentException when the list is empty or an image cannot be processed
     */
    ProcessedImages process(List<DecodedImage> images);

    /**
     * The processor a model directory describes: its {@code preprocessor_config.json} (required),
     * {@code processor_config.json} and {@code config.json} (optional; token counts depend on them).
     */
    static ImageProcessor fromDirectory(Path modelDirectory) throws IOException {
        Path pre = modelDirectory.resolve("preprocessor_config.json");
        if (!Files.isRegularFile(pre)) {
            throw new IOException(modelDirectory + ": no preprocessor_config.json, expected the image processor settings there");
        }
        Path processor = modelDirectory.resolve("processor_config.json");
        Path model = modelDirectory.resolve("config.json");
        return fromJson(Files.readString(pre),
                Files.isRegularFile(processor) ? Files.readString(processor) : null,
                Files.isRegularFile(model) ? Files.readString(model) : null);
    }

    /**
     * The processor for the given JSON documents, chosen by {@code image_processor_type}.
     *
     * @param preprocessorConfig {@code preprocessor_config.json}
     * @param processorConfig    {@code processor_config.json}, or null
     * @param modelConfig        {@code config.json}, or null (Hugging Face defaults are used)
     */
    static ImageProcessor fromJson(String preprocessorConfig, String processorConfig, String modelConfig) {
        ConfigJson pre = new ConfigJson(parse(preprocessorConfig, "preprocessor_config.json"), "preprocessor_config.json");
        ConfigJson proc = new ConfigJson(parse(processorConfig, "processor_config.json"), "processor_config.json");
        ConfigJson model = new ConfigJson(parse(modelConfig, "config.json"), "config.json");
        String type = pre.text("image_processor_type", null);
        if (type == null) {
            throw new IllegalArgumentException("preprocessor_config.json has no image_processor_type");
        }
        return switch (type.replace("Fast", "")) {
            case "CLIPImageProcessor" -> new ClipImageProcessor(ClipImageProcessor.Config.parse(pre, model));
            case "LlavaNextImageProcessor" -> new LlavaNextImageProcessor(LlavaNextImageProcessor.Config.parse(pre, model));
            case "Idefics3ImageProcessor" -> new Idefics3ImageProcessor(Idefics3ImageProcessor.Config.parse(pre, proc, model));
            case "Qwen2VLImageProcessor" -> new Qwen2VlImageProcessor(Qwen2VlImageProcessor.Config.parse(pre));
            case "Gemma3ImageProcessor" -> new Gemma3ImageProcessor(Gemma3ImageProcessor.Config.parse(pre, proc, model));
            default -> throw new IllegalArgumentException("unsupported image_processor_type " + type
                    + "; supported: CLIPImageProcessor, LlavaNextImageProcessor, Idefics3ImageProcessor, "
                    + "Qwen2VLImageProcessor, Gemma3ImageProcessor");
        };
    }

    private static JsonNode parse(String json, String what) {
        if (json == null) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
