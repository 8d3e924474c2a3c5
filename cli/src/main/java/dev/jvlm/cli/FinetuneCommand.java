package dev.jvlm.cli;

import dev.jvlm.api.Finetune;
import dev.jvlm.train.Recipe;
import dev.jvlm.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "finetune", description = "Fine-tune a model (LoRA or full) on assistant tokens from a YAML recipe "
        + "(docs/FINETUNE.md), with a progress bar, metrics.jsonl and resumable checkpoints.")
final class FinetuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "RECIPE.yaml", description = "The recipe.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a recipe value, e.g. training.max_steps=10 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--model", description = "Override the recipe's model.")
    String model;

    @Option(names = "--output", description = "Override the recipe's output_dir.")
    String output;

    @Option(names = "--max-steps", description = "Override training.max_steps.")
    Integer maxSteps;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in the output directory.")
    boolean resume;

    @Override
    public Integer call() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        if (model != null) {
            all.put("model", model);
        }
        if (output != null) {
            all.put("output_dir", Path.of(output).toAbsolutePath().toString());
        }
        if (maxSteps != null) {
            all.put("training.max_steps", maxSteps.toString());
        }
        Recipe recipe = Recipe.read(config, all);
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = new ProgressBarBuilder().setTaskName("finetune").setInitialMax(recipe.options().maxSteps())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build();
        Finetune.Result result;
        try (bar) {
            result = Finetune.run(recipe, resume, new Trainer.Listener() {
                @Override
                public void onStep(Trainer.StepMetrics m, int max) {
                    bar.stepTo(m.step());
                    bar.setExtraMessage(String.format(" loss %.4f lr %.2e %.0f tok/s", m.loss(), m.lr(), m.tokens() / Math.max(1e-9, m.seconds())));
                }

                @Override
                public void onValidation(int step, double loss) {
                    bar.setExtraMessage(String.format(" val_loss %.4f", loss));
                }

                @Override
                public void onCheckpoint(int step, Path dir) {
                }
            });
        }
        var last = result.steps().isEmpty() ? null : result.steps().getLast();
        err.printf("trained %d steps on %d samples (%s); %s%s%nwrote %s%n", result.steps().size(), result.trainSamples(),
                result.skipped().count() == 0 ? "none skipped" : result.skipped().summary(),
                last == null ? "" : String.format("final loss %.4f", last.loss()),
                result.finalValidationLoss() == null ? "" : String.format(", validation loss %.4f", result.finalValidationLoss()),
                result.output());
        err.flush();
        return 0;
    }
}
