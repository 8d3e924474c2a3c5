package dev.jvlm.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.ClipImageProcessor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.Gemma3ImageProcessor;
import dev.jvlm.vision.Idefics3ImageProcessor;
import dev.jvlm.vision.ImageLoader;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.ImageSummary;
import dev.jvlm.vision.InvalidImageException;
import dev.jvlm.vision.LlavaNextImageProcessor;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.NdArray;
import dev.jvlm.vision.ProcessedImages;
import dev.jvlm.vision.Qwen2VlImageProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The glue between image files, a model's image processor and the model's tensor inputs. */
public final class Images {
    private Images() {
    }

    /** The image processor a model directory describes; a clear error for text-only models. */
    public static ImageProcessor processor(Path modelDir) {
        if (!Files.isRegularFile(modelDir.resolve("preprocessor_config.json"))) {
            throw new JvlmException(modelDir + ": no preprocessor_config.json; is this a vision-language model?");
        }
        try {
            return ImageProcessor.fromDirectory(modelDir);
        } catch (IOException | RuntimeException e) {
            throw new JvlmException(modelDir + ": cannot build the image processor (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The processor with Gemma 3's pan-and-scan switched on (as {@code do_pan_and_scan=True} in a
     * Hugging Face processor call); a clear error for other families, which have no such option.
     */
    public static ImageProcessor withPanAndScan(ImageProcessor processor) {
        if (processor instanceof Gemma3ImageProcessor g) {
            return new Gemma3ImageProcessor(g.config().withPanAndScan());
        }
        throw new JvlmException("pan-and-scan is an option of Gemma 3's image processor; this model's is "
                + processor.getClass().getSimpleName().replace("ImageProcessor", ""));
    }

    /** Decodes an image file (EXIF orientation applied); a clear error naming the file otherwise. */
    public static DecodedImage load(Path file) {
        try {
            return new ImageLoader().load(file);
        } catch (InvalidImageException e) {
            throw new JvlmException(e.getMessage(), e);
        } catch (IOException e) {
            throw new JvlmException(file + ": cannot read the image (" + e.getMessage() + ")", e);
        }
    }

    /** Decodes image bytes (e.g. base64 from a request or a dataset); {@code name} appears in errors. */
    public static DecodedImage decode(byte[] bytes, String name) {
        try {
            return new ImageLoader().decode(bytes, name);
        } catch (InvalidImageException e) {
            throw new JvlmException(e.getMessage(), e);
        } catch (IOException e) {
            throw new JvlmException(name + ": cannot decode the image (" + e.getMessage() + ")", e);
        }
    }

    /** Runs the processor and converts its outputs to tensors named as the model inputs. */
    public static Processed process(ImageProcessor processor, List<DecodedImage> images) {
        ProcessedImages out;
        try {
            out = processor.process(images);
        } catch (IllegalArgumentException e) {
            throw new JvlmException("image processing failed: " + e.getMessage(), e);
        }
        return new Processed(tensors(out), out.images());
    }

    /** Processor tensors and what each image contributes to the prompt. */
    public record Processed(Map<String, Tensor> tensors, List<ImageSummary> summaries) {
    }

    /** Processor outputs as tensors named as the model inputs. */
    public static Map<String, Tensor> tensors(ProcessedImages images) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        images.tensors().forEach((name, array) -> tensors.put(name, tensor(array)));
        return tensors;
    }

    static Tensor tensor(NdArray array) {
        return switch (array) {
            case FloatArray f -> Tensor.of(f.data(), f.shape());
            case LongArray l -> Tensor.ofLongs(l.data(), l.shape());
        };
    }

    /**
     * The text a model's chat template writes for one image part, which the processor's expansion
     * replaces: {@code <image>} for LLaVA, LLaVA-NeXT and Idefics3, the vision span for Qwen, and
     * {@code <start_of_image>} for Gemma 3.
     */
    public static String templatePlaceholder(String modelType) {
        return switch (modelType) {
            case "llava", "llava_next", "idefics3", "smolvlm" -> "<image>";
            case "qwen2_vl", "qwen2_5_vl" -> "<|vision_start|><|image_pad|><|vision_end|>";
            case "gemma3" -> "<start_of_image>";
            default -> throw new JvlmException("model_type \"" + modelType + "\" takes no images");
        };
    }

    /** Replaces each image placeholder of a rendered prompt by its image's expansion, in order. */
    public static String expandPrompt(String prompt, String placeholder, List<ImageSummary> summaries) {
        return expand(prompt, placeholder, summaries.stream().map(ImageSummary::prompt).toList(), "image");
    }

    /** Replaces each occurrence of {@code placeholder} by the next expansion; the counts must agree. */
    static String expand(String prompt, String placeholder, List<String> expansions, String what) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        int next = 0;
        for (int at; (at = prompt.indexOf(placeholder, from)) >= 0; from = at + placeholder.length()) {
            if (next == expansions.size()) {
                throw new JvlmException("the prompt has more " + what + " placeholders (" + placeholder + ") than the "
                        + expansions.size() + " " + what + "s given");
            }
            out.append(prompt, from, at).append(expansions.get(next++));
        }
        if (next != expansions.size()) {
            throw new JvlmException(expansions.size() + " " + what + "s given but the prompt has " + next + " " + what
                    + " placeholders (" + placeholder + ")");
        }
        return out.append(prompt.substring(from)).toString();
    }

    /** The per-image JSON of {@code jvlm preprocess}, with the field names of the reference files. */
    public static ObjectNode summaryJson(ImageSummary s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("width", s.width());
        o.put("height", s.height());
        o.put("num_image_tokens", s.numImageTokens());
        o.put("prompt", s.prompt());
        switch (s) {
            case ClipImageProcessor.Summary c -> {
            }
            case LlavaNextImageProcessor.Summary n -> {
                o.putArray("image_sizes").add(n.height()).add(n.width());
                o.putArray("best_resolution").add(n.bestResolution()[0]).add(n.bestResolution()[1]);
                o.put("num_tiles_including_base", n.numTilesIncludingBase());
            }
            case Idefics3ImageProcessor.Summary i -> {
                o.put("rows", i.rows());
                o.put("cols", i.cols());
                o.put("image_seq_len", i.imageSeqLen());
                o.put("num_tiles", i.numTiles());
            }
            case Qwen2VlImageProcessor.Summary q -> {
                var grid = o.putArray("image_grid_thw");
                for (int v : q.gridThw()) {
                    grid.add(v);
                }
                o.putArray("resized_hw").add(q.resizedHeight()).add(q.resizedWidth());
            }
            case Gemma3ImageProcessor.Summary g -> o.put("num_crops", g.numCrops());
        }
        return o;
    }
}
