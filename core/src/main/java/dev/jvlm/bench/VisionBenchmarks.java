package dev.jvlm.bench;

import dev.jvlm.io.Dirs;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Image benchmarks on a random-weight checkpoint with SmolVLM-256M-Instruct's real shapes (SigLIP
 * 768×12 layers on 512-pixel tiles, pixel shuffle ×4 to 64 tokens, a 30-layer 576-wide Llama): seconds
 * per tile through the vision tower and connector, and time to the first token for one image.
 */
public final class VisionBenchmarks {
    private final PrintStream out;
    private final double fmaPeak;

    public VisionBenchmarks(PrintStream out, double fmaPeakGflops) {
        this.out = out;
        this.fmaPeak = fmaPeakGflops;
    }

    /** FLOPs of the SigLIP tower on one 512-pixel tile (1024 patches): projections, MLP and attention. */
    static double towerFlops() {
        double tokens = 1024;
        double d = 768;
        double perLayer = 2 * tokens * (4 * d * d + 2 * d * 3072) + 2 * 2 * tokens * tokens * d;
        return 12 * perLayer + 2 * tokens * 3 * 16 * 16 * d;
    }

    public void run() throws IOException {
        out.printf("| model | dtype | vision tower + connector per 512-px tile | fraction of FMA peak | time to first token, 1 image + 16 text tokens |%n");
        out.printf("|---|---|---|---|---|%n");
        for (DType t : new DType[] {DType.F32, DType.BF16}) {
            Path dir = Files.createTempDirectory("jvlm-vision-bench");
            Path model = dir.resolve("model");
            try {
                ConfigNode cfg = new ConfigNode(Json.parse(Benchmarks.SMOLVLM_256M, "SmolVLM-256M"), "SmolVLM-256M");
                RandomWeights weights = new RandomWeights(3, 0.02, t);
                LanguageModel.create(cfg, weights);
                ModelWriter.write(model, cfg, weights.tensors(), t, null);
                LanguageModel lm = LanguageModel.load(model);
                long[][] ids = prompt(64, 16);
                Map<String, Tensor> image = tile();
                lm.prefill(ids, null, image);
                double tile = Double.MAX_VALUE;
                for (int rep = 0; rep < 2; rep++) {
                    long t0 = System.nanoTime();
                    lm.prefill(ids, null, image);
                    tile = Math.min(tile, (System.nanoTime() - t0) / 1e9);
                }
                double ttft = Double.MAX_VALUE;
                for (int rep = 0; rep < 2; rep++) {
                    long t0 = System.nanoTime();
                    Prefill p = lm.prefill(ids, null, image);
                    Generator.generate(lm, ids, p, SamplingParams.greedy(1), null, null);
                    ttft = Math.min(ttft, (System.nanoTime() - t0) / 1e9);
                }
                out.printf("| SmolVLM-256M shapes | %s | %.2f s | %.0f %% | %.2f s |%n", t, tile,
                        100 * towerFlops() / tile / 1e9 / fmaPeak, ttft);
            } finally {
                Dirs.deleteTree(dir);
            }
        }
        out.println();
    }

    /** BOS, the image's 64 placeholders between fake-token markers, then text tokens. */
    private static long[][] prompt(int imageTokens, int textTokens) {
        long[] ids = new long[2 + imageTokens + 1 + textTokens];
        ids[0] = 1;
        ids[1] = 49189;
        Arrays.fill(ids, 2, 2 + imageTokens, 49190);
        ids[2 + imageTokens] = 49189;
        for (int i = 0; i < textTokens; i++) {
            ids[3 + imageTokens + i] = 100 + i;
        }
        return new long[][] {ids};
    }

    /** One random 512×512 tile as the Idefics3 processor lays it out: [1, 1, 3, 512, 512] and its mask. */
    private static Map<String, Tensor> tile() {
        SplittableRandom r = new SplittableRandom(1);
        float[] px = new float[3 * 512 * 512];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (r.nextDouble() * 2 - 1);
        }
        long[] mask = new long[512 * 512];
        Arrays.fill(mask, 1);
        return Map.of("pixel_values", Tensor.of(px, 1, 1, 3, 512, 512), "pixel_attention_mask", Tensor.ofLongs(mask, 1, 1, 512, 512));
    }
}
