package dev.jvlm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.api.Finetune;
import dev.jvlm.api.Grads;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Dirs;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Parallel;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.train.LoraAdapter;
import dev.jvlm.train.LoraConfig;
import dev.jvlm.train.Losses;
import dev.jvlm.train.Optimizer;
import dev.jvlm.train.Recipe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training steps on a random-weight checkpoint with SmolVLM-256M-Instruct's shapes, stored in BF16 as
 * the published one is: an image of 512-px tiles (64 tokens each) and labelled text tokens. Each case
 * runs in a JVM of its own so that its peak memory is its own: the inference forward (nothing records
 * a graph); the same forward with the language model's input embeddings requiring a gradient, so that
 * every op of the language model records while the kernels stay the same (what recording costs, and
 * what inference does not pay); then LoRA (the
 * recipes' r 8, alpha 16, dropout 0.05 on every linear layer of the language model) and full
 * fine-tuning (the recipes' default: vision tower frozen, connector and language model trained) with
 * and without activation recomputation. A step is what the trainer does: forward, loss, backward,
 * global-norm clipping and an AdamW update.
 */
public final class TrainingBenchmark {
    /** What one child JVM measures. */
    enum Case {
        INFERENCE("forward, nothing recorded (inference)", false),
        RECORDING("forward, graph recorded (same weights)", false),
        LORA("LoRA r=8", true),
        LORA_NO_RECOMPUTE("LoRA r=8", false),
        FULL("full (vision tower frozen)", true),
        FULL_NO_RECOMPUTE("full (vision tower frozen)", false);

        final String label;
        final boolean recompute;

        Case(String label, boolean recompute) {
            this.label = label;
            this.recompute = recompute;
        }

        boolean trains() {
            return this != INFERENCE && this != RECORDING;
        }
    }

    private static final String RESULT = "jvlm-training-benchmark ";
    /** Timed steps, after one untimed step that measures memory and warms the JIT up. */
    private static final int STEPS = 1;

    private final PrintStream out;

    public TrainingBenchmark(PrintStream out) {
        this.out = out;
    }

    /** Writes the checkpoint, runs every case in its own JVM and prints the Markdown table. */
    public void run(int tiles, int textTokens) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jvlm-training-bench");
        try {
            Path model = dir.resolve("model");
            writeModel(model);
            out.printf("| case | activation recomputation | trained parameters | forward | backward | clip + AdamW | step "
                    + "| step, CPU time | live heap after forward / backward / update | peak RSS |%n|---|---|---|---|---|---|---|---|---|---|%n");
            for (Case c : Case.values()) {
                JsonNode r = child(model, c, tiles, textTokens);
                if (r.has("error")) {
                    out.printf("| %s | %s | | %s | | | | | | |%n", c.label, c.recompute ? "yes" : "no", r.get("error").asText());
                } else if (!c.trains()) {
                    out.printf("| %s | — | — | %.1f s | — | — | — | %.1f s | %s | %s |%n", c.label, r.get("forward").asDouble(),
                            r.get("cpu").asDouble(), live(r.get("live")), gb(r.get("peak_rss").asLong()));
                } else {
                    out.printf("| %s | %s | %,d | %.1f s | %.1f s | %.2f s | %.1f s | %.1f s | %s | %s |%n", c.label,
                            c.recompute ? "yes" : "no", r.get("parameters").asLong(), r.get("forward").asDouble(),
                            r.get("backward").asDouble(), r.get("optimizer").asDouble(), r.get("step").asDouble(),
                            r.get("cpu").asDouble(), live(r.get("live")), gb(r.get("peak_rss").asLong()));
                }
            }
            out.printf("%nInput: %d 512-px tile(s) (%d image tokens) + %d labelled text tokens. Times: wall clock of the steps "
                    + "after the first (best of %d; the first warms the JIT up and measures memory), and the CPU time of all the "
                    + "process's threads over that step (or forward), which other load on the machine does not inflate. Live heap: "
                    + "heap in use right after a full collection at the end of the first step's forward (graph and activations "
                    + "held), backward (gradients) and update (optimizer state); peak RSS: the JVM's VmHWM (heap as the collector "
                    + "grew it, touched pages of the mapped BF16 weights, JIT, stacks).%n%n", tiles, 64 * tiles, textTokens, STEPS);
        } finally {
            Dirs.deleteTree(dir);
        }
    }

    private static void writeModel(Path model) {
        ConfigNode cfg = new ConfigNode(Json.parse(Benchmarks.SMOLVLM_256M, "SmolVLM-256M"), "SmolVLM-256M");
        RandomWeights weights = new RandomWeights(7, 0.02, DType.BF16);
        LanguageModel.create(cfg, weights);
        ModelWriter.write(model, cfg, weights.tensors(), DType.BF16, null);
    }

    private static String live(JsonNode phases) {
        List<String> parts = new ArrayList<>();
        phases.forEach(p -> parts.add(String.format("%.2f", p.asLong() / 1e9)));
        return String.join(" / ", parts) + " GB";
    }

    private static String gb(long bytes) {
        return String.format("%.2f GB", bytes / 1e9);
    }

    /** Runs one case in a new JVM with this one's options and class path; returns its result object. */
    private static JsonNode child(Path model, Case c, int tiles, int textTokens) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Djvlm.threads=")).toList());
        cmd.add("-Djvlm.threads=" + Parallel.threads());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainingBenchmark.class.getName(), model.toString(),
                c.name(), Integer.toString(tiles), Integer.toString(textTokens)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length());
                }
            }
        }
        int code = p.waitFor();
        if (result == null) {
            ObjectNode failed = Json.MAPPER.createObjectNode();
            failed.put("error", "failed (exit " + code + ", see its output above)");
            return failed;
        }
        return Json.parse(result, "training benchmark " + c);
    }

    /** The child JVM: {@code <model dir> <case> <tiles> <text tokens>}; prints one result line. */
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        Case c = Case.valueOf(args[1]);
        int tiles = Integer.parseInt(args[2]);
        int textTokens = Integer.parseInt(args[3]);
        ObjectNode r = Json.MAPPER.createObjectNode();
        try {
            measure(model, c, tiles, textTokens, r);
        } catch (OutOfMemoryError e) {
            r.removeAll();
            r.put("error", "out of memory at -Xmx " + gbText(Runtime.getRuntime().maxMemory()));
        }
        r.put("peak_rss", peakRss());
        System.out.println(RESULT + r);
        System.exit(0);
    }

    private static String gbText(long bytes) {
        return String.format("%.1f GB", bytes / 1e9);
    }

    private static void measure(Path model, Case c, int tiles, int textTokens, ObjectNode r) {
        long imageToken = ConfigNode.read(model.resolve("config.json")).getInt("image_token_id", 0);
        int imageTokens = 64 * tiles;
        int tokens = imageTokens + textTokens;
        SplittableRandom random = new SplittableRandom(3);
        long[][] ids = new long[1][tokens];
        long[][] labels = new long[1][tokens];
        for (int t = 0; t < tokens; t++) {
            ids[0][t] = t < imageTokens ? imageToken : 100 + random.nextInt(40000);
            labels[0][t] = t < imageTokens ? Ops.IGNORE_INDEX : ids[0][t];
        }
        float[] pixels = new float[tiles * 3 * 512 * 512];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (random.nextDouble() * 2 - 1);
        }
        long[] mask = new long[tiles * 512 * 512];
        Arrays.fill(mask, 1);
        Map<String, Tensor> image = Map.of("pixel_values", Tensor.of(pixels, 1, tiles, 3, 512, 512),
                "pixel_attention_mask", Tensor.ofLongs(mask, 1, tiles, 512, 512));

        LanguageModel lm;
        Map<String, Tensor> params;
        LoraAdapter adapter = null;
        switch (c) {
            case INFERENCE -> {
                lm = LanguageModel.load(model);
                params = Map.of();
            }
            case RECORDING -> {
                lm = LanguageModel.load(model);
                params = Map.of();
            }
            case LORA, LORA_NO_RECOMPUTE -> {
                LoraConfig config = new LoraConfig(8, 16, 0.05, false, null, Grads.defaultTargets(model), null, null, null, null);
                LoraAdapter.Attached a = LoraAdapter.create(model, config, 42);
                lm = a.model();
                adapter = a.adapter();
                params = adapter.parameters();
            }
            case FULL, FULL_NO_RECOMPUTE -> {
                TrainableWeights[] w = new TrainableWeights[1];
                lm = LanguageModel.load(model, mapped -> w[0] = new TrainableWeights(mapped,
                        Finetune.trainedKeys(new Recipe.Freeze(true, false, false, false))));
                params = w[0].trainable();
            }
            default -> throw new IllegalArgumentException("unknown case " + c);
        }
        lm.decoder().setActivationCheckpointing(c.recompute);
        r.put("parameters", params.values().stream().mapToLong(Tensor::numel).sum());
        Optimizer adamw = Optimizer.create("adamw", 0, 0.9, 0.999, 1e-8, 0);
        List<Tensor> list = List.copyOf(params.values());
        double forward = Double.MAX_VALUE;
        double backward = Double.MAX_VALUE;
        double update = Double.MAX_VALUE;
        double step = Double.MAX_VALUE;
        double cpu = Double.MAX_VALUE;
        var live = r.putArray("live");
        for (int s = 0; s <= STEPS; s++) {
            // Step 0 warms the JIT up and measures memory: full collections between its phases.
            boolean timed = s > 0;
            if (adapter != null) {
                adapter.reseedDropout((long) s);
            }
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            Prefill prefill = lm.prefill(ids, null, image);
            if (c == Case.RECORDING) {
                // The language model's input as a trainable leaf: every op after it records, on the same kernels.
                prefill.inputsEmbeds().requireGrad();
            }
            Tensor logits = lm.forward(prefill, false).logits();
            Tensor loss = c.trains() ? Losses.causalLm(logits, labels, Losses.labelTokens(labels)) : null;
            long t1 = System.nanoTime();
            if (!timed) {
                live.add(liveHeap());
                // Without a later use the JIT may let the logits, and the graph recorded behind them, go before the collection.
                Reference.reachabilityFence(logits);
            }
            if (loss == null) {
                if (timed) {
                    forward = Math.min(forward, (t1 - t0) / 1e9);
                    cpu = Math.min(cpu, (cpuNanos() - c0) / 1e9);
                }
                continue;
            }
            // The loss holds the graph; a second reference to the logits would keep it alive through the backward.
            logits = null;
            Autograd.backward(loss);
            if (!timed) {
                live.add(liveHeap());
            }
            long t2 = System.nanoTime();
            Optimizer.clipGradNorm(list, 1.0);
            adamw.step(params, 1e-5);
            long t3 = System.nanoTime();
            long c3 = cpuNanos();
            if (timed) {
                cpu = Math.min(cpu, (c3 - c0) / 1e9);
                forward = Math.min(forward, (t1 - t0) / 1e9);
                backward = Math.min(backward, (t2 - t1) / 1e9);
                update = Math.min(update, (t3 - t2) / 1e9);
                step = Math.min(step, (t3 - t0) / 1e9);
            } else {
                live.add(liveHeap());
            }
            list.forEach(p -> p.setGrad(null));
        }
        r.put("cpu", cpu);
        r.put("forward", forward);
        if (c.trains()) {
            r.put("backward", backward);
            r.put("optimizer", update);
            r.put("step", step);
        }
    }

    /** VmHWM of /proc/self/status: the most resident memory this process has had, in bytes (0 where unknown). */
    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** CPU time of every thread of this process so far. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Heap in use after a full collection: what is alive at this point. */
    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
