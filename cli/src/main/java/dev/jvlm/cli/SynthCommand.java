package dev.jvlm.cli;

import dev.jvlm.synth.DemoModelFiles;
import dev.jvlm.synth.QuestionType;
import dev.jvlm.synth.Split;
import dev.jvlm.synth.SynthConfig;
import dev.jvlm.synth.SynthDataset;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "synth", description = "Write a synthetic visual question-answering dataset (coloured shapes on a 3x3 grid) "
        + "as train/val/test JSONL conversations with PNG images; the same arguments always give the same files.")
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--output", required = true, description = "New dataset directory (must not exist or be empty).")
    Path output;

    @Option(names = "--train", defaultValue = "0", paramLabel = "N", description = "Training examples (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--val", defaultValue = "0", paramLabel = "N", description = "Validation examples (default: ${DEFAULT-VALUE}).")
    int val;

    @Option(names = "--test", defaultValue = "0", paramLabel = "N", description = "Test examples (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--image-size", defaultValue = "" + SynthConfig.DEFAULT_IMAGE_SIZE, paramLabel = "PX",
            description = "Image width and height in pixels (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--tasks", defaultValue = "qa", paramLabel = "LIST",
            description = "Comma-separated: qa (the six question types), caption, or single types "
                    + "(color, count, position, existence, shape, size, color_count, describe) (default: ${DEFAULT-VALUE}).")
    String tasks;

    @Option(names = "--model-files", paramLabel = "DIR", description = "Also write the demo model's config, tokenizer, "
            + "chat template and processor settings for this task's vocabulary into DIR (for jvlm init --tokenizer DIR).")
    Path modelFiles;

    @Override
    public Integer call() {
        SynthConfig config = new SynthConfig(seed, imageSize, QuestionType.parseTasks(tasks));
        new SynthDataset(config).write(output, Map.of(Split.TRAIN, train, Split.VAL, val, Split.TEST, test));
        spec.commandLine().getErr().println("wrote " + output + ": " + train + " train, " + val + " val, " + test + " test examples ("
                + imageSize + "x" + imageSize + " PNG, seed " + seed + ", tasks "
                + config.types().stream().map(QuestionType::key).collect(Collectors.joining(",")) + ")");
        if (modelFiles != null) {
            DemoModelFiles.write(modelFiles);
            spec.commandLine().getErr().println("wrote the demo model files to " + modelFiles);
        }
        return 0;
    }
}
