package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Vlm;
import dev.jvlm.eval.bench.Benchmark;
import dev.jvlm.eval.bench.BenchmarkRunner;
import dev.jvlm.eval.bench.Benchmarks;
import dev.jvlm.eval.bench.EvalRequest;
import dev.jvlm.eval.bench.EvalSummary;
import dev.jvlm.eval.bench.Predictor;
import dev.jvlm.eval.bench.ProgressListener;
import dev.jvlm.eval.bench.Reports;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.ModelLocator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "eval", description = {
        "Evaluate a model on a benchmark file (VLMEvalKit TSV or JSONL) with greedy decoding, prompting and scoring as "
                + "lmms-eval / VLMEvalKit / Donut do (docs/EVAL.md).",
        "Writes DIR/predictions.jsonl as it goes (a re-run resumes where it stopped), DIR/summary.json and DIR/report.md, "
                + "and prints the report."})
final class EvalCommand implements Callable<Integer> {
    /** Room for the task name, counts, percentage, bar and ETA without wrapping a usual terminal. */
    private static final int PROGRESS_WIDTH = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to apply to the model.")
    Path adapter;

    @Option(names = "--benchmark", required = true, paramLabel = "NAME",
            description = "synth, mmbench, ai2d, docvqa, chartqa, textvqa, vqav2, ocrbench, realworldqa, mmmu or cord.")
    String benchmark;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Benchmark file: .tsv (VLMEvalKit) or .jsonl.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Directory for predictions, summary and report; a re-run resumes there.")
    Path output;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Evaluate only the first N records (default: all).")
    int limit;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Reply length limit (default: the benchmark's, as lmms-eval sets it).")
    Integer maxTokens;

    @Override
    public Integer call() {
        Benchmark chosen = Benchmarks.find(benchmark);
        // Fail on a wrong path before the model takes its time to load.
        if (!Files.exists(data)) {
            throw new JvlmException(data + ": file not found");
        }
        Path modelDir = ModelLocator.resolve(model);
        // The adapter is part of the run's identity, so that a re-run resumes only the same model's predictions.
        String evaluated = adapter == null ? modelDir.toString() : modelDir + " + adapter " + adapter.toAbsolutePath().normalize();
        EvalRequest request = new EvalRequest(chosen, data, output, evaluated,
                maxTokens == null ? chosen.maxNewTokens() : maxTokens, limit);
        Vlm vlm = Vlm.load(modelDir.toString(), adapter);
        int[] stops = vlm.defaultSampling().stopTokenIds();
        Predictor predictor = (prompt, images, maxNewTokens) -> vlm.reply(new Conversation().user(prompt, images),
                SamplingParams.greedy(maxNewTokens).withStops(stops, List.of()), null).text();
        PrintWriter err = spec.commandLine().getErr();
        EvalSummary summary;
        try (ProgressBarListener progress = new ProgressBarListener(chosen.name(), err)) {
            summary = BenchmarkRunner.run(request, predictor, progress);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(Reports.markdown(summary));
        out.flush();
        err.println("wrote " + output.resolve("predictions.jsonl") + ", summary.json and report.md");
        err.flush();
        return 0;
    }

    /** Draws the run's progress, with the ETA of the items still to predict, on standard error. */
    private static final class ProgressBarListener implements ProgressListener, AutoCloseable {
        private final String task;
        private final PrintWriter err;
        private ProgressBar bar;

        ProgressBarListener(String task, PrintWriter err) {
            this.task = task;
            this.err = err;
        }

        @Override
        public void started(int total, int resumed) {
            bar = new ProgressBarBuilder()
                    .setTaskName("eval " + task)
                    .setInitialMax(total)
                    .startsFrom(resumed, Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new DelegatingProgressBarConsumer(line -> {
                        err.print("\r" + line);
                        err.flush();
                    }, PROGRESS_WIDTH))
                    .build();
        }

        @Override
        public void advanced(int done) {
            bar.stepTo(done);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                err.println();
                err.flush();
            }
        }
    }
}
