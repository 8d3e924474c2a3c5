package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.api.ForwardSpec;
import dev.jvlm.api.Grads;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "grads", description = "Loss of a labelled input spec and its gradient: every weight (full fine-tuning), "
        + "a new LoRA adapter (--lora-r ...) or an existing one (--adapter).")
final class GradsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory or Hub id in the local cache.")
    String model;

    @Option(names = "--input", required = true, description = "Input spec JSON with input_ids and labels (-100: no loss), "
            + "and image inputs for a vision-language model.")
    Path input;

    @Option(names = "--output", required = true, description = "Output .safetensors: loss, logits and grad.<name>.")
    Path output;

    @ArgGroup(exclusive = true)
    LoraChoice lora;

    static final class LoraChoice {
        @Option(names = "--adapter", description = "Gradients of this PEFT adapter's weights.")
        Path adapter;

        @ArgGroup(exclusive = false)
        NewLora fresh;
    }

    static final class NewLora {
        @Option(names = "--lora-r", required = true, description = "LoRA rank.")
        int r;

        @Option(names = "--lora-alpha", description = "LoRA alpha (default: 2 × r).")
        Double alpha;

        @Option(names = "--lora-targets", description = "Module names, comma-separated (matched as PEFT matches a list), "
                + "or a regular expression matched in full (default: every linear layer of the language model).")
        String targets;

        @Option(names = "--use-rslora", description = "Scale by alpha / sqrt(r) instead of alpha / r.")
        boolean rslora;

        @Option(names = "--modules-to-save", split = ",", paramLabel = "NAME", description = "Modules trained in full beside "
                + "the adapter, as PEFT's modules_to_save (a module is selected when its name ends with NAME), e.g. lm_head,connector.")
        List<String> modulesToSave = new ArrayList<>();
    }

    @Override
    public Integer call() {
        ForwardSpec inputSpec = ForwardSpec.read(input);
        Path dir = ModelLocator.resolve(model);
        Grads.Mode mode;
        if (lora == null) {
            mode = new Grads.Mode.Full();
        } else if (lora.adapter != null) {
            mode = new Grads.Mode.Adapter(lora.adapter);
        } else {
            if (lora.fresh.r <= 0) {
                throw new JvlmException("--lora-r must be positive, got " + lora.fresh.r);
            }
            mode = new Grads.Mode.NewLora(lora.fresh.r, lora.fresh.alpha != null ? lora.fresh.alpha : 2.0 * lora.fresh.r,
                    lora.fresh.targets, lora.fresh.rslora, lora.fresh.modulesToSave);
        }
        Map<String, Tensor> out = Grads.run(dir, inputSpec, mode);
        Safetensors.write(output, out, Map.of("producer", "jvlm", "mode", lora == null ? "full" : "lora"));
        long gradients = out.keySet().stream().filter(k -> k.startsWith("grad.")).count();
        spec.commandLine().getErr().printf("wrote %s: loss %.6f, %d gradients%n", output, out.get("loss").getFloat(0), gradients);
        return 0;
    }
}
