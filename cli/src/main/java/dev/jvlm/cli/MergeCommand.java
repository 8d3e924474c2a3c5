package dev.jvlm.cli;

import dev.jvlm.io.ModelLocator;
import dev.jvlm.train.Merge;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "merge", description = "Fold a LoRA adapter into its base model and write a full Hugging Face checkpoint.")
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Base model directory or Hub id in the local cache.")
    String model;

    @Option(names = "--adapter", required = true, description = "PEFT adapter directory.")
    Path adapter;

    @Option(names = "--output", required = true, description = "New model directory (must not exist or be empty).")
    Path output;

    @Override
    public Integer call() {
        int merged = Merge.write(ModelLocator.resolve(model), adapter, output);
        spec.commandLine().getErr().println("wrote " + output + " (" + merged + " weights merged)");
        return 0;
    }
}
