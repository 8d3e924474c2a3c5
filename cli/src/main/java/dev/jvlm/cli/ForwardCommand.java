package dev.jvlm.cli;

import dev.jvlm.api.Forward;
import dev.jvlm.api.ForwardSpec;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.train.LoraAdapter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "forward", description = "Run one forward pass on an input spec and write logits, hidden states "
        + "and greedy tokens to a safetensors file.")
final class ForwardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory or Hub id in the local cache.")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to apply to the model.")
    Path adapter;

    @Option(names = "--input", required = true, description = "Input spec JSON (input_ids, attention_mask, generate, ...).")
    Path input;

    @Option(names = "--output", required = true, description = "Output .safetensors file.")
    Path output;

    @Override
    public Integer call() {
        ForwardSpec inputSpec = ForwardSpec.read(input);
        Path dir = ModelLocator.resolve(model);
        LanguageModel lm = adapter == null ? LanguageModel.load(dir) : LoraAdapter.load(dir, adapter, false).model();
        Map<String, Tensor> out = Forward.run(lm, inputSpec);
        Safetensors.write(output, out, Map.of("producer", "jvlm", "model_type", lm.modelType()));
        StringBuilder summary = new StringBuilder("wrote " + output + ":");
        out.forEach((k, v) -> {
            if (!k.startsWith("hidden_states.")) {
                summary.append(' ').append(k).append(' ').append(v.describe().replace(" ", ""));
            }
        });
        spec.commandLine().getErr().println(summary);
        return 0;
    }
}
