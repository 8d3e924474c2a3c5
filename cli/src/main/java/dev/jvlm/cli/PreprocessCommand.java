package dev.jvlm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.api.Images;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.io.Safetensors;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "preprocess", description = "Run the model's image processor on images (one sample holding them all) and "
        + "write its tensors; prints what each image contributes to the prompt as JSON.")
final class PreprocessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "Image file (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--output", required = true, description = "Output .safetensors with the processor's tensors.")
    Path output;

    @Override
    public Integer call() throws Exception {
        Path dir = ModelLocator.resolve(model);
        List<DecodedImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(Images.load(p));
        }
        Images.Processed processed = Images.process(Images.processor(dir), decoded);
        Safetensors.write(output, processed.tensors(), Map.of("producer", "jvlm"));
        ObjectNode root = Json.MAPPER.createObjectNode();
        var list = root.putArray("images");
        for (ImageSummary s : processed.summaries()) {
            list.add(Images.summaryJson(s));
        }
        spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(root));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
