package dev.jvlm.bench;

import dev.jvlm.io.Dirs;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.KVCache;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TextConfig;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Parallel;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The runtime benchmarks of docs/PERFORMANCE.md: kernels against the machine probes, and prefill and
 * decode of a random-weight model with SmolVLM-256M's text shape, as a Markdown report (images:
 * {@link VisionBenchmarks}; training steps: {@link TrainingBenchmark}).
 */
public final class Benchmarks {
    /** SmolVLM-256M-Instruct's text model (a Llama): hidden 576, 30 layers, 9 heads, 3 KV heads. */
    public static final String SMOLVLM_256M_TEXT = """
            {"model_type": "llama", "hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9,
             "num_key_value_heads": 3, "intermediate_size": 1536, "vocab_size": 49280, "max_position_embeddings": 8192,
             "rms_norm_eps": 1e-5, "rope_theta": 100000, "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2}
            """;

    /** SmolVLM-256M-Instruct (Idefics3): SigLIP 768 x 12 layers at 512 pixels, pixel shuffle x4, the text model above. */
    public static final String SMOLVLM_256M = """
            {"model_type": "idefics3", "image_token_id": 49190, "scale_factor": 4, "tie_word_embeddings": false,
             "text_config": %s,
             "vision_config": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                               "num_attention_heads": 12, "image_size": 512, "patch_size": 16, "layer_norm_eps": 1e-6}}
            """.formatted(SMOLVLM_256M_TEXT);

    /**
     * Qwen2-VL-2B-Instruct's config.json shapes: a 32-block vision tower (embed 1280, 16 heads, MLP ratio 4,
     * quick GELU) with a 2x2 merger into a 28-layer Qwen2 (hidden 1536, 12 heads, 2 KV heads,
     * intermediate 8960, vocabulary 151936, tied embeddings, M-RoPE sections 16/24/24).
     */
    public static final String QWEN2_VL_2B = """
            {"architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl", "hidden_size": 1536,
             "intermediate_size": 8960, "num_hidden_layers": 28, "num_attention_heads": 12, "num_key_value_heads": 2,
             "hidden_act": "silu", "vocab_size": 151936, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
             "rope_theta": 1000000.0, "tie_word_embeddings": true, "bos_token_id": 151643, "eos_token_id": 151645,
             "vision_start_token_id": 151652, "vision_end_token_id": 151653, "vision_token_id": 151654,
             "image_token_id": 151655, "video_token_id": 151656,
             "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
             "vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 4, "num_heads": 16, "in_chans": 3,
                               "hidden_size": 1536, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2}}
            """;

    private final PrintStream out;
    private double fmaPeak;
    private double heapBandwidth;
    private double bandwidth;

    public Benchmarks(PrintStream out) {
        this.out = out;
    }

    /** The FMA peak measured by {@link #probes()}. */
    public double fmaPeak() {
        return fmaPeak;
    }

    public void probes() throws IOException {
        fmaPeak = Probes.fmaPeakGflops();
        heapBandwidth = Probes.readBandwidthGBs();
        bandwidth = Probes.mappedReadBandwidthGBs();
        out.printf("| probe | value |%n|---|---|%n");
        out.printf("| threads | %d |%n", Parallel.threads());
        out.printf("| FMA peak (float32, all threads) | %.1f GFLOP/s |%n", fmaPeak);
        out.printf("| read bandwidth, heap array (all threads) | %.1f GB/s |%n", heapBandwidth);
        out.printf("| read bandwidth, mapped file (all threads) | %.1f GB/s |%n%n", bandwidth);
    }

    public void kernels() {
        out.printf("| kernel | shape | result | fraction of probe |%n|---|---|---|---|%n");
        int[][] gemms = {{512, 576, 1536}, {512, 1536, 576}, {1024, 1024, 1024}};
        for (int[] s : gemms) {
            double g = gemmGflops(s[0], s[1], s[2]);
            out.printf("| GEMM f32 | M=%d K=%d N=%d | %.1f GFLOP/s | %.0f %% of FMA peak |%n", s[0], s[1], s[2], g, 100 * g / fmaPeak);
        }
        for (DType t : new DType[] {DType.F32, DType.BF16}) {
            double gb = gemvGBs(8192, 4096, t);
            out.printf("| GEMV %s | N=8192 K=4096 | %.1f GB/s | %.0f %% of mapped, %.0f %% of heap bandwidth |%n", t, gb,
                    100 * gb / bandwidth, 100 * gb / heapBandwidth);
        }
        out.println();
    }

    private static Tensor randomMatrix(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return Tensor.of(a, rows, cols);
    }

    private static final long WARM_UP_NANOS = 500_000_000;

    static double gemmGflops(int m, int k, int n) {
        Tensor x = randomMatrix(m, k, 1);
        Tensor w = randomMatrix(n, k, 2);
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 8; rep++) {
            long t0 = System.nanoTime();
            MatMul.linear(x, w, null);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return 2.0 * m * n * k / best / 1e9;
    }

    static double gemvGBs(int n, int k, DType type) {
        Tensor x = randomMatrix(1, k, 3);
        Tensor heap = randomMatrix(n, k, 4).to(type);
        // Checkpoint weights are read from mapped (off-heap) memory; measure that path.
        Tensor w = Tensor.view(type, heap.shape(), java.lang.foreign.Arena.ofAuto()
                .allocate(heap.numel() * type.byteSize(), 64).copyFrom(heap.segment()));
        // Untimed calls first, for as long as the JIT needs to compile the kernels it reaches: ten calls
        // of 3 ms were over before the bfloat16 kernel was compiled, and the best of them read a third low.
        for (long until = System.nanoTime() + WARM_UP_NANOS; System.nanoTime() < until; ) {
            MatMul.linear(x, w, null);
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            MatMul.linear(x, w, null);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return (double) n * k * type.byteSize() / best / 1e9;
    }

    /** Prefill and decode on a random-weight model written to disk and mapped, as users run it. */
    public void model(String configJson, String name, int prefillTokens, int decodeTokens) throws IOException {
        out.printf("| model | dtype | prefill %d tok | decode | decode roofline | fraction (median of %d runs, range) |%n"
                + "|---|---|---|---|---|---|%n", prefillTokens, DECODE_REPEATS);
        StringBuilder batched = new StringBuilder("| model | dtype | sequences per decode step | time per step | tokens/s |"
                + " speed-up over one |%n|---|---|---|---|---|---|%n".formatted());
        // One probe file for both dtypes: written and flushed once, its windows alternate with the runs.
        try (Probes.MappedFile probe = Probes.MappedFile.create()) {
            for (DType t : new DType[] {DType.F32, DType.BF16}) {
                model(configJson, name, t, prefillTokens, decodeTokens, probe, batched);
            }
        }
        out.println();
        out.println(batched);
    }

    /** One dtype of {@link #model}: its row of the prefill/decode table, its rows of the batched table into {@code batched}. */
    private void model(String configJson, String name, DType t, int prefillTokens, int decodeTokens, Probes.MappedFile probe,
                       StringBuilder batched) throws IOException {
        Path dir = Files.createTempDirectory("jvlm-bench");
        Path model = dir.resolve("model");
        try {
            ConfigNode cfg = new ConfigNode(Json.parse(configJson, name), name);
            RandomWeights weights = new RandomWeights(7, 0.02, t);
            LanguageModel.create(cfg, weights);
            ModelWriter.write(model, cfg, weights.tensors(), t, null);
            flushToDisk(model);
            LanguageModel lm = LanguageModel.load(model);
            double prefill = prefillTokensPerSecond(lm, prefillTokens);
            // As many untimed runs as timed ones first: C2 keeps compiling parts of the decode path
            // (the one-row kernels, the decode attention) through the first runs, and its compiler
            // threads take a core from the two the decode runs on while it does.
            double runSeconds = 0;
            for (int rep = 0; rep < DECODE_REPEATS; rep++) {
                runSeconds = decodeSecondsPerToken(lm, decodeTokens) * (decodeTokens - 1);
            }
            double bytesPerToken = decodeBytesPerToken(lm.config(), t);
            DecodeRun[] runs = decodeRuns(lm, probe, decodeTokens, runSeconds, bytesPerToken);
            DecodeRun median = runs[runs.length / 2];
            out.printf("| %s | %s | %.0f tok/s | %.1f tok/s | %.1f tok/s (%.0f MB/token at %.1f GB/s) | %.0f %% (%.0f to %.0f %%) |%n",
                    name, t, prefill, 1 / median.secondsPerToken(), median.rooflineTokensPerSecond(bytesPerToken),
                    bytesPerToken / 1e6, median.bandwidthGBs(), 100 * median.fraction(bytesPerToken),
                    100 * runs[0].fraction(bytesPerToken), 100 * runs[runs.length - 1].fraction(bytesPerToken));
            double one = 0;
            for (int rows : BATCHED_ROWS) {
                double seconds = batchedDecodeStepSeconds(lm, rows, 8);
                one = rows == 1 ? seconds : one;
                batched.append("| %s | %s | %d | %.1f ms | %.1f | %.1fx |%n".formatted(name, t, rows, seconds * 1e3, rows / seconds,
                        rows / seconds * one));
            }
        } finally {
            Dirs.deleteTree(dir);
        }
    }

    /**
     * Writes a freshly written model's files to disk, so that the kernel's write-back of their dirty
     * pages (about 30 s after writing) does not run on the benchmark's cores in the middle of a run.
     */
    private static void flushToDisk(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.force(false);
                    }
                }
            }
        }
    }

    /** Sequences per step of the continuous-batching decode benchmark (up to 16 the weights stream, 32 is blocked). */
    private static final int[] BATCHED_ROWS = {1, 4, 8, 16, 32};
    /** Decode runs timed, each against the bandwidth measured right before it. */
    private static final int DECODE_REPEATS = 5;
    private static final long[][] DECODE_PROMPT = {{1, 2, 3, 4, 5, 6, 7, 8}};

    /**
     * The continuous-batching decode step ({@link LanguageModel#decode}): {@code rows} sequences with
     * their own caches (prompts of 16 to 16 + rows tokens), one token each per step; the best time of
     * {@code steps} steps.
     */
    private static double batchedDecodeStepSeconds(LanguageModel lm, int rows, int steps) {
        int vocab = lm.config().vocabSize();
        java.util.List<KVCache> caches = new java.util.ArrayList<>();
        int[] positions = new int[rows];
        long[] tokens = new long[rows];
        SplittableRandom r = new SplittableRandom(rows);
        for (int i = 0; i < rows; i++) {
            int length = 16 + i;
            long[][] prompt = new long[1][length];
            for (int j = 0; j < length; j++) {
                prompt[0][j] = r.nextInt(vocab);
            }
            KVCache cache = new KVCache(lm.config(), 1, length + steps + 2);
            lm.decoder().forward(lm.embed(prompt), lm.positions(LanguageModel.PositionStyle.ARANGE, null, 1, length), null, null,
                    cache, null);
            caches.add(cache);
            positions[i] = length;
            tokens[i] = r.nextInt(vocab);
        }
        double best = Double.MAX_VALUE;
        for (int step = 0; step < steps + 2; step++) {
            long t0 = System.nanoTime();
            lm.decode(tokens, positions, caches);
            if (step >= 2) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            for (int i = 0; i < rows; i++) {
                positions[i]++;
            }
        }
        return best;
    }

    /** Bytes of weights streamed per decoded token: every linear layer and the output projection. */
    static double decodeBytesPerToken(TextConfig c, DType t) {
        long perLayer = (long) c.hiddenSize() * c.headDim() * (2L * c.numHeads() + 2L * c.numKvHeads())
                + 3L * c.hiddenSize() * c.intermediateSize();
        return (perLayer * c.numLayers() + (long) c.vocabSize() * c.hiddenSize()) * (double) t.byteSize();
    }

    private static double prefillTokensPerSecond(LanguageModel lm, int tokens) {
        long[][] ids = new long[1][tokens];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < tokens; i++) {
            ids[0][i] = r.nextInt(lm.config().vocabSize());
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            KVCache cache = new KVCache(lm.config(), 1, tokens);
            var hidden = lm.decoder().forward(lm.embed(ids), lm.positions(LanguageModel.PositionStyle.ARANGE, null, 1, tokens),
                    null, null, cache, null);
            lm.decoder().logits(Tensor.of(java.util.Arrays.copyOfRange(hidden.floats(), (tokens - 1) * lm.config().hiddenSize(),
                    tokens * lm.config().hiddenSize()), 1, lm.config().hiddenSize()));
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return tokens / best;
    }

    /** One timed decode run and the mapped-read bandwidth measured right before it. */
    record DecodeRun(double bandwidthGBs, double secondsPerToken) {
        double rooflineTokensPerSecond(double bytesPerToken) {
            return bandwidthGBs * 1e9 / bytesPerToken;
        }

        double fraction(double bytesPerToken) {
            return 1 / secondsPerToken / rooflineTokensPerSecond(bytesPerToken);
        }
    }

    /**
     * Decode runs, each right after a bandwidth window as long as one run, sorted by the fraction of
     * their roofline (the median is reported). The bandwidth of this shared machine moves between
     * phases lasting seconds (about 35 and 55 GB/s), so a roofline measured once before several runs
     * can belong to another phase than the runs; each run is compared with the window just before it.
     */
    private static DecodeRun[] decodeRuns(LanguageModel lm, Probes.MappedFile probe, int tokens, double runSeconds,
                                          double bytesPerToken) {
        DecodeRun[] runs = new DecodeRun[DECODE_REPEATS];
        for (int rep = 0; rep < DECODE_REPEATS; rep++) {
            double bandwidth = probe.readGBs(runSeconds);
            runs[rep] = new DecodeRun(bandwidth, decodeSecondsPerToken(lm, tokens));
        }
        java.util.Arrays.sort(runs, java.util.Comparator.comparingDouble(r -> r.fraction(bytesPerToken)));
        return runs;
    }

    /** Seconds per token of one greedy decode of {@code tokens} tokens, from the first generated token to the last. */
    private static double decodeSecondsPerToken(LanguageModel lm, int tokens) {
        long[] stamps = new long[tokens];
        int[] count = {0};
        Generator.generate(lm, DECODE_PROMPT, SamplingParams.greedy(tokens), (b, id) -> stamps[count[0]++] = System.nanoTime(), null);
        // Decode steps only: the prompt's prefill comes before the first stamp.
        return (stamps[tokens - 1] - stamps[0]) / 1e9 / (tokens - 1);
    }
}
