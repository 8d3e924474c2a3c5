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
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.ProcessedImages;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Image benchmarks on random-weight checkpoints with real shapes: SmolVLM-256M-Instruct (SigLIP 768×12
 * layers on 512-pixel tiles, pixel shuffle ×4 to 64 tokens, a 30-layer 576-wide Llama): seconds per tile
 * through the vision tower and connector, and time to the first token for one image; and Qwen2-VL-2B
 * (a 32-block 1280-wide tower, a 28-layer 1536-wide Qwen2) on one 448×448 image.
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

    /** Pixels of Qwen2-VL-2B-Instruct's preprocessor_config.json (the Hub file). */
    static final String QWEN2_VL_PREPROCESSOR = """
            {"image_processor_type": "Qwen2VLImageProcessor", "min_pixels": 3136, "max_pixels": 12845056, "patch_size": 14,
             "temporal_patch_size": 2, "merge_size": 2, "image_mean": [0.48145466, 0.4578275, 0.40821073],
             "image_std": [0.26862954, 0.26130258, 0.27577711]}
            """;

    /**
     * FLOPs of Qwen2-VL's vision tower on {@code patches} patches: the patch projection, per block the
     * fused qkv, proj and the 4x MLP (24·n·d²) plus attention over one frame (4·n²·d), and the merger.
     */
    static double qwenTowerFlops(int patches, int depth, int d) {
        double n = patches;
        double perBlock = 24 * n * d * d + 4 * n * n * d;
        double merged = n / 4;
        double merger = 2 * merged * (4.0 * d * 4 * d + 4.0 * d * 1536);
        return 2 * n * 1176 * d + depth * perBlock + merger;
    }

    /**
     * Time to the first token for one 448×448 image (1024 patches, 256 image tokens) and a short prompt on a
     * random BF16 checkpoint of Qwen2-VL-2B's shapes, built once into {@code checkpoint} (about 4.4 GB) and
     * reused; and the vision tower's share with its fraction of the FMA peak. After a first run (which
     * pages the weights in), each is the best of two.
     */
    public void qwen2Vl2b(Path checkpoint) throws IOException {
        if (!Files.isRegularFile(checkpoint.resolve("model.safetensors"))) {
            out.printf("(building a random-weight BF16 checkpoint of Qwen2-VL-2B's shapes in %s, about 4.4 GB)%n%n", checkpoint);
            ConfigNode cfg = new ConfigNode(Json.parse(Benchmarks.QWEN2_VL_2B, "Qwen2-VL-2B"), "Qwen2-VL-2B");
            RandomWeights weights = new RandomWeights(5, 0.02, DType.BF16);
            LanguageModel.create(cfg, weights);
            ModelWriter.write(checkpoint, cfg, weights.tensors(), DType.BF16, null);
            Files.writeString(checkpoint.resolve("preprocessor_config.json"), QWEN2_VL_PREPROCESSOR);
        }
        LanguageModel lm = LanguageModel.load(checkpoint);
        ProcessedImages processed = ImageProcessor.fromDirectory(checkpoint).process(List.of(randomImage(448, 448)));
        Map<String, Tensor> image = new LinkedHashMap<>();
        processed.tensors().forEach((name, a) -> image.put(name, switch (a) {
            case FloatArray f -> Tensor.of(f.data(), f.shape());
            case LongArray l -> Tensor.ofLongs(l.data(), l.shape());
        }));
        int imageTokens = processed.images().getFirst().numImageTokens();
        long[][] ids = qwenPrompt(imageTokens);
        long t0 = System.nanoTime();
        Generator.generate(lm, ids, lm.prefill(ids, null, image), SamplingParams.greedy(1), null, null);
        double first = (System.nanoTime() - t0) / 1e9;
        double vision = Double.MAX_VALUE;
        double ttft = Double.MAX_VALUE;
        for (int rep = 0; rep < 2; rep++) {
            t0 = System.nanoTime();
            lm.prefill(ids, null, image);
            vision = Math.min(vision, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            Generator.generate(lm, ids, lm.prefill(ids, null, image), SamplingParams.greedy(1), null, null);
            ttft = Math.min(ttft, (System.nanoTime() - t0) / 1e9);
        }
        int patches = image.get("pixel_values").dim(0);
        out.printf("| model | dtype | input | vision tower + merger | fraction of FMA peak | time to first token (first run) |%n");
        out.printf("|---|---|---|---|---|---|%n");
        out.printf("| Qwen2-VL-2B shapes | BF16 | 448×448 image (%d patches, %d image tokens) + %d text tokens | %.1f s | %.0f %% | %.1f s (%.1f s) |%n%n",
                patches, imageTokens, ids[0].length - imageTokens - 2, vision,
                100 * qwenTowerFlops(patches, 32, 1280) / vision / 1e9 / fmaPeak, ttft, first);
    }

    /** A Qwen chat prompt around one image: system and user turns as ids, the vision span, the assistant opening. */
    private static long[][] qwenPrompt(int imageTokens) {
        long[] before = {151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198};
        long[] after = {74785, 419, 2168, 13, 151645, 198, 151644, 77091, 198};
        long[] ids = new long[before.length + 2 + imageTokens + after.length];
        System.arraycopy(before, 0, ids, 0, before.length);
        ids[before.length] = 151652;
        Arrays.fill(ids, before.length + 1, before.length + 1 + imageTokens, 151655);
        ids[before.length + 1 + imageTokens] = 151653;
        System.arraycopy(after, 0, ids, before.length + 2 + imageTokens, after.length);
        return new long[][] {ids};
    }

    private static DecodedImage randomImage(int width, int height) {
        SplittableRandom r = new SplittableRandom(2);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) r.nextInt(256);
        }
        return DecodedImage.rgb(width, height, rgb);
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
