package dev.jvlm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.api.Images;
import dev.jvlm.api.Videos;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.ImageSummary;
import dev.jvlm.vision.Qwen2VlVideoProcessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "preprocess", description = "Run the model's image (and video) processor on images and videos (one sample "
        + "holding them all) and write its tensors; prints what each image and video contributes to the prompt as JSON.")
final class PreprocessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--image", paramLabel = "IMG", description = "Image file (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--video", paramLabel = "PATH", description = "Video (repeatable; Qwen2-VL, Qwen2.5-VL): a folder of frames, "
            + "an animated GIF or WebP.")
    List<Path> videos = new ArrayList<>();

    @Option(names = "--pan-and-scan", description = "Gemma 3: also cut images far from square into crops (do_pan_and_scan).")
    boolean panAndScan;

    @Mixin
    VideoOptions videoOptions;

    @Option(names = "--output", required = true, description = "Output .safetensors with the processor's tensors.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (images.isEmpty() && videos.isEmpty()) {
            throw new JvlmException("preprocess needs at least one --image or --video");
        }
        Path dir = ModelLocator.resolve(model);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!images.isEmpty()) {
            List<DecodedImage> decoded = new ArrayList<>();
            for (Path p : images) {
                decoded.add(Images.load(p));
            }
            ImageProcessor processor = Images.processor(dir);
            Images.Processed processed = Images.process(panAndScan ? Images.withPanAndScan(processor) : processor, decoded);
            tensors.putAll(processed.tensors());
            var list = root.putArray("images");
            for (ImageSummary s : processed.summaries()) {
                list.add(Images.summaryJson(s));
            }
        }
        if (!videos.isEmpty()) {
            List<DecodedVideo> decoded = new ArrayList<>();
            for (Path p : videos) {
                decoded.add(Videos.load(p));
            }
            String modelType = Json.read(dir.resolve("config.json")).path("model_type").asText("");
            Videos.Processed processed = Videos.process(Videos.processor(dir, modelType), decoded, videoOptions.sampling());
            tensors.putAll(processed.tensors());
            var list = root.putArray("videos");
            for (Qwen2VlVideoProcessor.Summary s : processed.summaries()) {
                list.add(Videos.summaryJson(s));
            }
        }
        Safetensors.write(output, tensors, Map.of("producer", "jvlm"));
        spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(root));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
