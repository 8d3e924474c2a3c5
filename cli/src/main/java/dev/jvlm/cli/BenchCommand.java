package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.api.Vlm;
import dev.jvlm.bench.Benchmarks;
import dev.jvlm.bench.TrainingBenchmark;
import dev.jvlm.bench.VisionBenchmarks;
import dev.jvlm.io.Dirs;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.server.ServeBenchmark;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Parallel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Measure the machine (FMA peak, read bandwidth), the kernels and a "
        + "SmolVLM-256M-shaped text model, or with --serve the server under concurrent clients; prints Markdown tables "
        + "for docs/PERFORMANCE.md.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--skip-model", description = "Only the probes and kernels.")
    boolean skipModel;

    @Option(names = "--vision", description = "Also the image benchmarks (SmolVLM-256M shapes: seconds per tile, time to first token).")
    boolean vision;

    @Option(names = "--qwen2-vl-2b", description = "Also time to first token for one 448x448 image on a random BF16 checkpoint "
            + "of Qwen2-VL-2B's shapes (built once under build/bench/, about 4.4 GB).")
    boolean qwen2Vl2b;

    @Option(names = "--prefill", defaultValue = "512", description = "Prompt tokens for the prefill measurement (default: ${DEFAULT-VALUE}).")
    int prefill;

    @Option(names = "--decode", defaultValue = "64", description = "Tokens for the decode measurement (default: ${DEFAULT-VALUE}).")
    int decode;

    @Option(names = "--training-tiles", defaultValue = "0", description = "Also time training steps (LoRA and full, with and "
            + "without activation recomputation; each in its own JVM) of a SmolVLM-256M-shaped model with an image of this many "
            + "512-pixel tiles (default: ${DEFAULT-VALUE}, skipped).")
    int trainingTiles;

    @Option(names = "--training-text", defaultValue = "512", description = "Labelled text tokens of the training input "
            + "(default: ${DEFAULT-VALUE}).")
    int trainingText;

    @Option(names = "--serve", description = "Only the serving benchmark: the OpenAI server in this process, driven over HTTP "
            + "by concurrent streaming clients (throughput, latency, time to first token).")
    boolean serve;

    @Option(names = "--model", description = "With --serve: the model to serve (default: random-weight models of the demo "
            + "model's shape and of SmolVLM-256M's text shape, around the demo tokenizer).")
    String model;

    @Option(names = "--clients", split = ",", defaultValue = "1,4,16", description = "With --serve: concurrent clients, "
            + "one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--requests", defaultValue = "3", description = "With --serve: requests each client sends, one after "
            + "another (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "64", description = "With --serve: tokens per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Override
    public Integer call() throws Exception {
        if (serve) {
            serve();
            return 0;
        }
        if (prefill < 1) {
            throw new JvlmException("--prefill must be at least 1, got " + prefill);
        }
        if (decode < 2) {
            // Decode is timed from the first generated token to the last.
            throw new JvlmException("--decode must be at least 2, got " + decode);
        }
        if (trainingText < 1) {
            throw new JvlmException("--training-text must be at least 1, got " + trainingText);
        }
        Benchmarks b = new Benchmarks(System.out);
        b.probes();
        b.kernels();
        if (!skipModel) {
            b.model(Benchmarks.SMOLVLM_256M_TEXT, "SmolVLM-256M text shape", prefill, decode);
        }
        if (vision) {
            new VisionBenchmarks(System.out, b.fmaPeak()).run();
        }
        if (qwen2Vl2b) {
            String home = System.getProperty(ModelLocator.HOME_PROPERTY, ".");
            new VisionBenchmarks(System.out, b.fmaPeak()).qwen2Vl2b(Path.of(home, "build", "bench", "qwen2-vl-2b-bf16"));
        }
        if (trainingTiles > 0) {
            new TrainingBenchmark(System.out).run(trainingTiles, trainingText);
        }
        return 0;
    }

    private void serve() throws IOException {
        if (clients.stream().anyMatch(c -> c < 1) || requests < 1 || maxTokens < 1) {
            throw new JvlmException("--clients, --requests and --max-tokens must be positive");
        }
        ServeBenchmark bench = new ServeBenchmark(System.out);
        System.out.printf("threads %d, load average (1 min) at the start: %.2f%n%n", Parallel.threads(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (model != null) {
            bench.run(Vlm.load(model), model, clients, requests, maxTokens);
            return;
        }
        Path demo = ModelLocator.defaultModel();
        Path tmp = Files.createTempDirectory("jvlm-bench-serve");
        try {
            Path small = ServeBenchmark.demoShapedModel(demo, "{}", DType.F32, 1, tmp.resolve("demo-shape"));
            bench.run(Vlm.load(small.toString()), "demo shape, F32", clients, requests, maxTokens);
            Path smol = ServeBenchmark.demoShapedModel(demo, ServeBenchmark.SMOLVLM_256M_TEXT_SHAPE, DType.BF16, 1,
                    tmp.resolve("smolvlm-256m-text-shape"));
            bench.run(Vlm.load(smol.toString()), "SmolVLM-256M text shape, BF16", clients, requests, maxTokens);
        } finally {
            Dirs.deleteTree(tmp);
        }
    }
}
