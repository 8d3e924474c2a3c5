package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", description = "Write a random-weight Hugging Face checkpoint for a config.json "
        + "(for tests and real-size benchmarks).")
final class InitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "config.json to instantiate.")
    Path config;

    @Option(names = "--tokenizer", description = "Directory whose tokenizer files are copied into the model.")
    Path tokenizer;

    @Option(names = "--output", required = true, description = "New model directory (must not exist or be empty).")
    Path output;

    @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "f32", description = "Weight dtype: f32, bf16 or f16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Override
    public Integer call() throws IOException {
        DType type;
        try {
            type = DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new JvlmException("--dtype: " + e.getMessage());
        }
        ConfigNode root = ConfigNode.read(config);
        RandomWeights weights = new RandomWeights(seed, root.getDouble("initializer_range", 0.02), type);
        LanguageModel.create(root, weights);
        ModelWriter.write(output, root, weights.tensors(), type, tokenizer);
        spec.commandLine().getErr().println("wrote " + output + " (" + weights.tensors().size() + " tensors, " + type + ", seed " + seed + ")");
        return 0;
    }
}
