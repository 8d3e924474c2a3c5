package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.LayerNorm;
import dev.jvlm.nn.Linear;
import dev.jvlm.nn.PatchEmbedding;
import dev.jvlm.nn.RotaryEmbedding;
import dev.jvlm.tensor.Attention;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Ops.Activation;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Qwen2-VL and Qwen2.5-VL ({@code Qwen2VLForConditionalGeneration}, {@code Qwen2_5_VLForConditionalGeneration}):
 * the vision transformer ({@code visual.*}; Qwen2.5-VL's is in {@link Qwen25Vl}) turns the processor's
 * flattened patches into one feature per 2x2 patch block; those replace the image (video) pad tokens,
 * and {@code get_rope_index} gives every token a (temporal, height, width) position for the text
 * model's multimodal RoPE. This file also holds Qwen2-VL's own tower and the parts both towers share.
 */
final class Qwen2Vl implements VisionLanguage {

    /**
     * @param tokensPerSecond Qwen2.5-VL's {@code vision_config.tokens_per_second} (video time scale); 0 for Qwen2-VL,
     *                        whose temporal index is the frame index
     */
    record Config(String modelType, int imageTokenId, int videoTokenId, int visionStartTokenId, int spatialMergeSize,
                  double tokensPerSecond) {
    }

    /** A Qwen vision tower: merged features {@code [patches / merge², out]} for flattened patches and their grids. */
    sealed interface Visual permits Qwen2Vl.VisionTransformer, Qwen25Vl.VisionTransformer {
        Features forward(Tensor pixelValues, int[][] gridThw);

        /** Width of the merged features, which must be the text model's hidden size. */
        int outHiddenSize();
    }

    /**
     * @param embeds      one feature per merge block in the processor's order: what replaces the pad tokens
     * @param mergerOutput the merger's output as it comes out (Qwen2.5-VL: in window order), the
     *                     reference files' {@code image_features}
     */
    record Features(Tensor embeds, Tensor mergerOutput) {
    }

    private final Config config;
    private final Visual visual;

    private Qwen2Vl(Config config, Visual visual) {
        this.config = config;
        this.visual = visual;
    }

    static Qwen2Vl load(String modelType, ConfigNode root, Checkpoint ckpt, TextConfig text) {
        ConfigNode v = root.child("vision_config");
        String prefix = VisionLanguage.prefix(ckpt, "patch_embed.proj.weight", "visual.", "model.visual.");
        boolean v25 = modelType.equals("qwen2_5_vl");
        Visual visual = v25 ? Qwen25Vl.VisionTransformer.load(ckpt, prefix, Qwen25Vl.VisionConfig.parse(v))
                : VisionTransformer.load(ckpt, prefix, VisionConfig.parse(v));
        if (visual.outHiddenSize() != text.hiddenSize()) {
            throw new JvlmException(v.where() + ": the merger's output size " + visual.outHiddenSize() + " differs from the text hidden_size "
                    + text.hiddenSize());
        }
        Config c = new Config(modelType, root.getInt("image_token_id", 151655), root.getInt("video_token_id", 151656),
                root.getInt("vision_start_token_id", 151652), v.getInt("spatial_merge_size", 2),
                v25 ? v.getDouble("tokens_per_second", 4) : 0);
        return new Qwen2Vl(c, visual);
    }

    @Override
    public Prefill prefill(LanguageModel lm, long[][] ids, int[][] mask, Map<String, Tensor> inputs) {
        Tensor embeds = VisionLanguage.embedPrompt(lm, ids, config.imageTokenId(), config.videoTokenId());
        int[][] imageGrid = null;
        int[][] videoGrid = null;
        Tensor imageFeatures = null;
        if (inputs.containsKey("pixel_values")) {
            imageGrid = VisionLanguage.intRows(VisionLanguage.required(inputs, "image_grid_thw", config.modelType()), "image_grid_thw", 3);
            Features f = features(inputs.get("pixel_values"), imageGrid, "pixel_values");
            imageFeatures = f.mergerOutput();
            embeds = VisionLanguage.merge(embeds, ids, config.imageTokenId(), f.embeds(), "image");
        }
        float[] secondPerGrid = null;
        if (inputs.containsKey("pixel_values_videos")) {
            videoGrid = VisionLanguage.intRows(VisionLanguage.required(inputs, "video_grid_thw", config.modelType()), "video_grid_thw", 3);
            embeds = VisionLanguage.merge(embeds, ids, config.videoTokenId(), features(inputs.get("pixel_values_videos"), videoGrid,
                    "pixel_values_videos").embeds(), "video");
            secondPerGrid = secondPerGrid(inputs.get("second_per_grid_ts"), videoGrid.length);
        }
        if (imageGrid == null && videoGrid == null) {
            throw new JvlmException(config.modelType() + ": vision input needs \"pixel_values\" with \"image_grid_thw\" or "
                    + "\"pixel_values_videos\" with \"video_grid_thw\" (given: " + String.join(", ", inputs.keySet()) + ")");
        }
        int[] deltas = new int[ids.length];
        int[][][] positions = ropeIndex(ids, mask, imageGrid, videoGrid, secondPerGrid, deltas);
        return new Prefill(embeds, mask, positions, null, deltas, imageFeatures);
    }

    private Features features(Tensor pixels, int[][] grid, String name) {
        long patches = 0;
        for (int[] g : grid) {
            if (g[0] <= 0 || g[1] % config.spatialMergeSize() != 0 || g[2] % config.spatialMergeSize() != 0) {
                throw new JvlmException("grid (t, h, w) " + Arrays.toString(g) + " must have t > 0 and h, w multiples of "
                        + "spatial_merge_size " + config.spatialMergeSize());
            }
            patches += (long) g[0] * g[1] * g[2];
        }
        VisionLanguage.checkShape(pixels, name, "[patches, channels·temporal·patch·patch]", -1, -1);
        if (pixels.dim(0) != patches) {
            throw new JvlmException("\"" + name + "\" holds " + pixels.dim(0) + " patches but the grids (t·h·w) call for " + patches);
        }
        return visual.forward(pixels, grid);
    }

    /**
     * {@code second_per_grid_ts} [videos] as floats: how many seconds one temporal patch of each video
     * spans; absent, 1 for every video (Hugging Face's default).
     */
    private static float[] secondPerGrid(Tensor t, int videos) {
        float[] out = new float[videos];
        if (t == null) {
            Arrays.fill(out, 1f);
            return out;
        }
        if (t.numel() != videos) {
            throw new JvlmException("\"second_per_grid_ts\" holds " + t.numel() + " values but \"video_grid_thw\" describes "
                    + videos + " videos");
        }
        float[] v = t.toF32().floats();
        for (float x : v) {
            if (!(x >= 0) || !Float.isFinite(x)) {
                throw new JvlmException("\"second_per_grid_ts\" must hold non-negative seconds, found " + x);
            }
        }
        return v.clone();
    }

    /**
     * {@code get_rope_index} (transformers 4.50): text tokens count up on all three axes; the tokens of
     * an image (video) take (t, h, w) over its merged grid, offset by the position after the preceding
     * text; the text after it continues from the largest position so far + 1. Padding gets 1. A video's
     * temporal index is its frame group for Qwen2-VL, and for Qwen2.5-VL
     * {@code (long) (group * second_per_grid_t * tokens_per_second)} in float32 (images: 0). {@code deltas}
     * receives, per row, the largest position + 1 - the row's length.
     */
    int[][][] ropeIndex(long[][] ids, int[][] mask, int[][] imageGrid, int[][] videoGrid, float[] secondPerGrid, int[] deltas) {
        int batch = ids.length;
        int tokens = ids[0].length;
        int[][][] positions = new int[3][batch][tokens];
        int merge = config.spatialMergeSize();
        int imageIndex = 0;
        int videoIndex = 0;
        for (int b = 0; b < batch; b++) {
            List<Integer> real = new ArrayList<>();
            for (int t = 0; t < tokens; t++) {
                if (mask == null || mask[b][t] == 1) {
                    real.add(t);
                }
            }
            long[] row = new long[real.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = ids[b][real.get(i)];
            }
            int images = 0;
            int videos = 0;
            for (int i = 0; i + 1 < row.length; i++) {
                if (row[i] == config.visionStartTokenId()) {
                    images += row[i + 1] == config.imageTokenId() ? 1 : 0;
                    videos += row[i + 1] == config.videoTokenId() ? 1 : 0;
                }
            }
            int[][] pos = new int[3][row.length];
            int st = 0;
            int next = 0;
            for (int k = 0, total = images + videos; k < total; k++) {
                int edImage = images > 0 ? indexOf(row, config.imageTokenId(), st) : row.length + 1;
                int edVideo = videos > 0 ? indexOf(row, config.videoTokenId(), st) : row.length + 1;
                int[] grid;
                float secondsPerGrid;
                int ed;
                if (edImage < edVideo) {
                    grid = at(imageGrid, imageIndex++, "image_grid_thw");
                    secondsPerGrid = 0;
                    images--;
                    ed = edImage;
                } else {
                    grid = at(videoGrid, videoIndex, "video_grid_thw");
                    secondsPerGrid = secondPerGrid[videoIndex++];
                    videos--;
                    ed = edVideo;
                }
                int gt = grid[0];
                int gh = grid[1] / merge;
                int gw = grid[2] / merge;
                for (int i = st; i < ed; i++) {
                    for (int[] axis : pos) {
                        axis[i] = next + i - st;
                    }
                }
                int base = next + ed - st;
                int max = base;
                for (int f = 0, i = ed; f < gt; f++) {
                    // Qwen2-VL numbers frame groups; Qwen2.5-VL scales them to time in float32, truncated (images: 0)
                    int temporal = config.tokensPerSecond() == 0 ? f : (int) ((f * secondsPerGrid) * (float) config.tokensPerSecond());
                    for (int y = 0; y < gh; y++) {
                        for (int x = 0; x < gw; x++, i++) {
                            if (i >= row.length) {
                                throw new JvlmException("input_ids: an image grid of " + gt * gh * gw + " tokens runs past the end of row " + b);
                            }
                            pos[0][i] = base + temporal;
                            pos[1][i] = base + y;
                            pos[2][i] = base + x;
                            max = Math.max(max, Math.max(pos[0][i], Math.max(pos[1][i], pos[2][i])));
                        }
                    }
                }
                next = max + 1;
                st = ed + gt * gh * gw;
            }
            for (int i = st; i < row.length; i++) {
                for (int[] axis : pos) {
                    axis[i] = next + i - st;
                }
            }
            int max = -1;
            for (int[][] axis : positions) {
                Arrays.fill(axis[b], 1);
            }
            for (int a = 0; a < 3; a++) {
                for (int i = 0; i < row.length; i++) {
                    positions[a][b][real.get(i)] = pos[a][i];
                    max = Math.max(max, pos[a][i]);
                }
            }
            deltas[b] = max + 1 - tokens;
        }
        return positions;
    }

    private static int indexOf(long[] row, long token, int from) {
        for (int i = from; i < row.length; i++) {
            if (row[i] == token) {
                return i;
            }
        }
        throw new JvlmException("input_ids: a vision start token announces a token " + token + " that does not follow");
    }

    private static int[] at(int[][] grids, int index, String name) {
        if (grids == null || index >= grids.length) {
            throw new JvlmException("input_ids announce more images or videos than \"" + name + "\" describes ("
                    + (grids == null ? 0 : grids.length) + ")");
        }
        return grids[index];
    }

    // ------------------------------------------------------------------ parts both towers share

    /** {@code patch_embed.proj}: the Conv3d over (channels, temporal, patch, patch) blocks, without bias. */
    static PatchEmbedding patchEmbed(Checkpoint ckpt, String prefix, int channels, int temporal, int patch, int embed) {
        String name = prefix + "patch_embed.proj";
        return new PatchEmbedding(name, ckpt.get(name + ".weight", embed, channels, temporal, patch, patch), null, channels, patch);
    }

    /**
     * {@code rot_pos_emb}: the cos and sin tables {@code [patches, headDim]} of the 2-D vision RoPE,
     * in the processor's patch order (merge blocks contiguous): the first quarter of the frequencies
     * turn with the patch row, the second with its column, and the half repeats.
     *
     * @param order when not null, the merge blocks are taken in this order (Qwen2.5-VL's window index)
     */
    static float[][] rotary(int[][] gridThw, int merge, int headDim, int[] order) {
        List<int[]> rowCol = new ArrayList<>();
        for (int[] g : gridThw) {
            for (int f = 0; f < g[0]; f++) {
                for (int by = 0; by < g[1] / merge; by++) {
                    for (int bx = 0; bx < g[2] / merge; bx++) {
                        for (int y = 0; y < merge; y++) {
                            for (int x = 0; x < merge; x++) {
                                rowCol.add(new int[] {by * merge + y, bx * merge + x});
                            }
                        }
                    }
                }
            }
        }
        int unit = merge * merge;
        if (order != null) {
            List<int[]> permuted = new ArrayList<>();
            for (int block : order) {
                permuted.addAll(rowCol.subList(block * unit, (block + 1) * unit));
            }
            rowCol = permuted;
        }
        float[] inv = RotaryEmbedding.defaultInvFreq(10000, headDim / 2);
        int quarter = inv.length;
        int n = rowCol.size();
        float[] cos = new float[n * headDim];
        float[] sin = new float[n * headDim];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < 2 * quarter; i++) {
                float freq = rowCol.get(t)[i / quarter] * inv[i % quarter];
                float c = (float) Math.cos(freq);
                float s = (float) Math.sin(freq);
                cos[t * headDim + i] = c;
                cos[t * headDim + i + headDim / 2] = c;
                sin[t * headDim + i] = s;
                sin[t * headDim + i + headDim / 2] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /** {@code cu_seqlens}: one segment per frame (t·h·w patches per image or video, h·w per frame). */
    static int[] cuSeqlens(int[][] gridThw) {
        List<Integer> cu = new ArrayList<>(List.of(0));
        for (int[] g : gridThw) {
            for (int f = 0; f < g[0]; f++) {
                cu.add(cu.getLast() + g[1] * g[2]);
            }
        }
        return cu.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The vision attention of both towers: fused {@code qkv} with bias, 2-D RoPE on q and k,
     * bidirectional attention within each segment of {@code cuSeqlens}, {@code proj}.
     */
    static Tensor attention(Tensor x, Linear qkv, Linear proj, int heads, float[][] rope, int[] cuSeqlens) {
        int d = x.dim(1);
        int headDim = d / heads;
        Tensor all = qkv.forward(x);
        Tensor q = Ops.rotary(Layout.narrow(all, 1, 0, d), heads, headDim, rope[0], rope[1]);
        Tensor k = Ops.rotary(Layout.narrow(all, 1, d, d), heads, headDim, rope[0], rope[1]);
        Tensor v = Layout.narrow(all, 1, 2 * d, d);
        return proj.forward(Attention.packed(q, k, v, cuSeqlens, heads, headDim, (float) (1 / Math.sqrt(headDim)), null));
    }

    /** The merger's {@code mlp.0 → GELU → mlp.2} over groups of {@code unit} consecutive normed patches. */
    static Tensor mergerMlp(Tensor normed, Linear mlp0, Linear mlp2, int unit) {
        int width = normed.dim(-1) * unit;
        Tensor h = mlp0.forward(normed.reshape(normed.dim(0) / unit, width));
        return mlp2.forward(Ops.activate(h, Activation.GELU));
    }

    // ------------------------------------------------------------------ Qwen2-VL's tower

    /** Qwen2VLVisionConfig's keys and defaults. */
    record VisionConfig(int depth, int embedDim, int hiddenSize, Activation hiddenAct, int mlpRatio, int numHeads, int inChannels,
                        int patchSize, int spatialMergeSize, int temporalPatchSize) {
        static VisionConfig parse(ConfigNode v) {
            VisionConfig c = new VisionConfig(v.getInt("depth", 32), v.getInt("embed_dim", 1280), v.getInt("hidden_size", 3584),
                    Activation.parse(v.getString("hidden_act", "quick_gelu")), v.getInt("mlp_ratio", 4), v.getInt("num_heads", 16),
                    v.getInt("in_channels", 3), v.getInt("patch_size", 14), v.getInt("spatial_merge_size", 2),
                    v.getInt("temporal_patch_size", 2));
            if (c.embedDim % c.numHeads != 0 || (c.embedDim / c.numHeads) % 4 != 0) {
                throw new JvlmException(v.where() + ": embed_dim / num_heads must be a multiple of 4 for the 2-D rotary embedding");
            }
            return c;
        }
    }

    /** {@code Qwen2VisionTransformerPretrainedModel}: LayerNorm blocks with a GELU-family MLP, LayerNorm merger. */
    static final class VisionTransformer implements Visual {
        record Block(LayerNorm norm1, Linear qkv, Linear proj, LayerNorm norm2, Linear fc1, Linear fc2) {
        }

        private final VisionConfig config;
        private final PatchEmbedding patchEmbed;
        private final List<Block> blocks;
        private final LayerNorm lnQ;
        private final Linear mlp0;
        private final Linear mlp2;

        private VisionTransformer(VisionConfig config, PatchEmbedding patchEmbed, List<Block> blocks, LayerNorm lnQ, Linear mlp0,
                                  Linear mlp2) {
            this.config = config;
            this.patchEmbed = patchEmbed;
            this.blocks = blocks;
            this.lnQ = lnQ;
            this.mlp0 = mlp0;
            this.mlp2 = mlp2;
        }

        static VisionTransformer load(Checkpoint ckpt, String prefix, VisionConfig c) {
            int d = c.embedDim();
            int hidden = d * c.mlpRatio();
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < c.depth(); i++) {
                String p = prefix + "blocks." + i + ".";
                blocks.add(new Block(LayerNorm.load(ckpt, p + "norm1", d, 1e-6f),
                        Linear.load(ckpt, p + "attn.qkv", d, 3 * d, true), Linear.load(ckpt, p + "attn.proj", d, d, true),
                        LayerNorm.load(ckpt, p + "norm2", d, 1e-6f),
                        Linear.load(ckpt, p + "mlp.fc1", d, hidden, true), Linear.load(ckpt, p + "mlp.fc2", hidden, d, true)));
            }
            int unit = c.spatialMergeSize() * c.spatialMergeSize();
            return new VisionTransformer(c, patchEmbed(ckpt, prefix, c.inChannels(), c.temporalPatchSize(), c.patchSize(), d),
                    List.copyOf(blocks), LayerNorm.load(ckpt, prefix + "merger.ln_q", d, 1e-6f),
                    Linear.load(ckpt, prefix + "merger.mlp.0", d * unit, d * unit, true),
                    Linear.load(ckpt, prefix + "merger.mlp.2", d * unit, c.hiddenSize(), true));
        }

        @Override
        public int outHiddenSize() {
            return config.hiddenSize();
        }

        @Override
        public Features forward(Tensor pixelValues, int[][] gridThw) {
            Tensor x = patchEmbed.project(pixelValues.toF32());
            float[][] rope = rotary(gridThw, config.spatialMergeSize(), config.embedDim() / config.numHeads(), null);
            int[] cu = cuSeqlens(gridThw);
            for (Block b : blocks) {
                // Training keeps only each block's input and recomputes the block during the backward pass.
                x = Autograd.checkpoint(in -> {
                    Tensor h = Ops.add(attention(b.norm1().forward(in), b.qkv(), b.proj(), config.numHeads(), rope, cu), in);
                    Tensor m = b.fc1().forward(b.norm2().forward(h));
                    return Ops.add(b.fc2().forward(Ops.activate(m, config.hiddenAct())), h);
                }, x);
            }
            Tensor merged = mergerMlp(lnQ.forward(x), mlp0, mlp2, config.spatialMergeSize() * config.spatialMergeSize());
            return new Features(merged, merged);
        }
    }
}
