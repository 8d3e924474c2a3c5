package dev.jvlm.models;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.nn.Linear;
import dev.jvlm.nn.PatchEmbedding;
import dev.jvlm.nn.RMSNorm;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Layout;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Ops.Activation;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen2.5-VL's vision tower ({@code Qwen2_5_VisionTransformerPretrainedModel}); the rest of the model
 * is {@link Qwen2Vl}'s. Blocks use RMSNorm and a SwiGLU MLP with biases; most attend only within
 * windows of {@code window_size} pixels, for which the merge blocks are first permuted window by
 * window ({@code get_window_index}); the blocks of {@code fullatt_block_indexes} attend over a whole
 * frame. The merged features are put back in the processor's order at the end.
 */
final class Qwen25Vl {
    private Qwen25Vl() {
    }

    /** Qwen2_5_VLVisionConfig's keys and defaults. */
    record VisionConfig(int depth, int hiddenSize, Activation hiddenAct, int intermediateSize, int numHeads, int inChannels,
                        int patchSize, int spatialMergeSize, int temporalPatchSize, int windowSize, int outHiddenSize,
                        int[] fullattBlockIndexes) {
        static VisionConfig parse(ConfigNode v) {
            int[] full = v.has("fullatt_block_indexes") ? v.getIntList("fullatt_block_indexes") : new int[] {7, 15, 23, 31};
            VisionConfig c = new VisionConfig(v.getInt("depth", 32), v.getInt("hidden_size", 3584),
                    Activation.parse(v.getString("hidden_act", "silu")), v.getInt("intermediate_size", 3420), v.getInt("num_heads", 16),
                    v.getInt("in_channels", 3), v.getInt("patch_size", 14), v.getInt("spatial_merge_size", 2),
                    v.getInt("temporal_patch_size", 2), v.getInt("window_size", 112), v.getInt("out_hidden_size", 3584), full);
            if (c.hiddenSize % c.numHeads != 0 || (c.hiddenSize / c.numHeads) % 4 != 0) {
                throw new JvlmException(v.where() + ": hidden_size / num_heads must be a multiple of 4 for the 2-D rotary embedding");
            }
            if (c.windowSize / c.spatialMergeSize / c.patchSize <= 0) {
                throw new JvlmException(v.where() + ": window_size " + c.windowSize + " must cover at least one merged patch ("
                        + c.spatialMergeSize * c.patchSize + " pixels)");
            }
            return c;
        }
    }

    static final class VisionTransformer implements Qwen2Vl.Visual {
        record Block(RMSNorm norm1, Linear qkv, Linear proj, RMSNorm norm2, Linear gateProj, Linear upProj, Linear downProj) {
        }

        private final VisionConfig config;
        private final PatchEmbedding patchEmbed;
        private final List<Block> blocks;
        private final RMSNorm lnQ;
        private final Linear mlp0;
        private final Linear mlp2;

        private VisionTransformer(VisionConfig config, PatchEmbedding patchEmbed, List<Block> blocks, RMSNorm lnQ, Linear mlp0,
                                  Linear mlp2) {
            this.config = config;
            this.patchEmbed = patchEmbed;
            this.blocks = blocks;
            this.lnQ = lnQ;
            this.mlp0 = mlp0;
            this.mlp2 = mlp2;
        }

        static VisionTransformer load(Checkpoint ckpt, String prefix, VisionConfig c) {
            int d = c.hiddenSize();
            int m = c.intermediateSize();
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < c.depth(); i++) {
                String p = prefix + "blocks." + i + ".";
                blocks.add(new Block(RMSNorm.load(ckpt, p + "norm1", d, 1e-6f, 0),
                        Linear.load(ckpt, p + "attn.qkv", d, 3 * d, true), Linear.load(ckpt, p + "attn.proj", d, d, true),
                        RMSNorm.load(ckpt, p + "norm2", d, 1e-6f, 0),
                        Linear.load(ckpt, p + "mlp.gate_proj", d, m, true), Linear.load(ckpt, p + "mlp.up_proj", d, m, true),
                        Linear.load(ckpt, p + "mlp.down_proj", m, d, true)));
            }
            int unit = c.spatialMergeSize() * c.spatialMergeSize();
            return new VisionTransformer(c,
                    Qwen2Vl.patchEmbed(ckpt, prefix, c.inChannels(), c.temporalPatchSize(), c.patchSize(), d), List.copyOf(blocks),
                    RMSNorm.load(ckpt, prefix + "merger.ln_q", d, 1e-6f, 0),
                    Linear.load(ckpt, prefix + "merger.mlp.0", d * unit, d * unit, true),
                    Linear.load(ckpt, prefix + "merger.mlp.2", d * unit, c.outHiddenSize(), true));
        }

        @Override
        public int outHiddenSize() {
            return config.outHiddenSize();
        }

        @Override
        public Qwen2Vl.Features forward(Tensor pixelValues, int[][] gridThw) {
            int merge = config.spatialMergeSize();
            int unit = merge * merge;
            List<Integer> windowCu = new ArrayList<>(List.of(0));
            int[] windowIndex = windowIndex(gridThw, windowCu);
            Tensor embedded = patchEmbed.project(pixelValues.toF32());
            int d = config.hiddenSize();
            int blocksTotal = windowIndex.length;
            Tensor h = Layout.gatherRows(embedded.reshape(blocksTotal, unit * d), windowIndex).reshape(embedded.shape());
            float[][] rope = Qwen2Vl.rotary(gridThw, merge, d / config.numHeads(), windowIndex);
            int[] full = Qwen2Vl.cuSeqlens(gridThw);
            int[] windows = windowCu.stream().distinct().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                int[] cu = contains(config.fullattBlockIndexes(), i) ? full : windows;
                // Training keeps only each block's input and recomputes the block during the backward pass.
                h = Autograd.checkpoint(in -> {
                    Tensor x = Ops.add(Qwen2Vl.attention(b.norm1().forward(in), b.qkv(), b.proj(), config.numHeads(), rope, cu), in);
                    Tensor[] gateUp = Linear.forwardAll(b.norm2().forward(x), b.gateProj(), b.upProj());
                    return Ops.add(b.downProj().forward(Ops.gatedActivation(gateUp[0], gateUp[1], config.hiddenAct())), x);
                }, h);
            }
            Tensor merged = Qwen2Vl.mergerMlp(lnQ.forward(h), mlp0, mlp2, unit);
            int[] restore = new int[blocksTotal];
            for (int i = 0; i < blocksTotal; i++) {
                restore[windowIndex[i]] = i;
            }
            return new Qwen2Vl.Features(Layout.gatherRows(merged, restore), merged);
        }

        /**
         * {@code get_window_index}: merge blocks in window order (frame, window row, window column,
         * then row-major inside the window), and in {@code cu} the running patch counts at every
         * window end (empty windows repeat a count; callers drop repeats as unique_consecutive does).
         */
        private int[] windowIndex(int[][] gridThw, List<Integer> cu) {
            int merge = config.spatialMergeSize();
            int ws = config.windowSize() / merge / config.patchSize();
            List<Integer> index = new ArrayList<>();
            int offset = 0;
            for (int[] g : gridThw) {
                int gh = g[1] / merge;
                int gw = g[2] / merge;
                int windowsH = (gh + ws - gh % ws) / ws;
                int windowsW = (gw + ws - gw % ws) / ws;
                for (int f = 0; f < g[0]; f++) {
                    for (int wy = 0; wy < windowsH; wy++) {
                        for (int wx = 0; wx < windowsW; wx++) {
                            int count = 0;
                            for (int y = wy * ws; y < Math.min(gh, (wy + 1) * ws); y++) {
                                for (int x = wx * ws; x < Math.min(gw, (wx + 1) * ws); x++) {
                                    index.add(offset + (f * gh + y) * gw + x);
                                    count++;
                                }
                            }
                            cu.add(cu.getLast() + count * merge * merge);
                        }
                    }
                }
                offset += g[0] * gh * gw;
            }
            return index.stream().mapToInt(Integer::intValue).toArray();
        }

        private static boolean contains(int[] values, int v) {
            for (int x : values) {
                if (x == v) {
                    return true;
                }
            }
            return false;
        }
    }
}
