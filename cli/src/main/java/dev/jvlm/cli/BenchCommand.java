package dev.jvlm.cli;

import dev.jvlm.bench.Benchmarks;
import dev.jvlm.bench.TrainingBenchmark;
import dev.jvlm.bench.VisionBenchmarks;
import dev.jvlm.io.ModelLocator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Measure the machine (FMA peak, read bandwidth), the kernels and a "
        + "SmolVLM-256M-shaped text model; prints Markdown tables for docs/PERFORMANCE.md.")
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

    @Override
    public Integer call() throws Exception {
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
}
