package dev.jvlm.models;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.nn.Embedding;
import dev.jvlm.nn.Linear;
import dev.jvlm.nn.RMSNorm;
import dev.jvlm.tensor.Attention;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only transformer with Hugging Face's module names ({@code embed_tokens},
 * {@code layers.N.self_attn.q_proj}, {@code mlp.gate_proj}, {@code norm}, {@code lm_head}): the text
 * model of Llama, Mistral, Qwen2 and Gemma 3, alone or inside a VLM checkpoint under a prefix.
 */
public final class TextDecoder {
    private final TextConfig config;
    private final Embedding embedTokens;
    private final List<DecoderLayer> layers;
    private final RMSNorm norm;
    private Linear lmHead;
    private final float embedScale;
    private boolean recompute;

    record Attn(Linear qProj, Linear kProj, Linear vProj, Linear oProj, RMSNorm qNorm, RMSNorm kNorm) {
    }

    record Mlp(Linear gateProj, Linear upProj, Linear downProj) {
    }

    /** Norms: Llama-style blocks use input and post-attention norms; Gemma adds the feed-forward pair. */
    record DecoderLayer(Attn selfAttn, Mlp mlp, RMSNorm inputLayernorm, RMSNorm postAttentionLayernorm,
                        RMSNorm preFeedforwardLayernorm, RMSNorm postFeedforwardLayernorm) {
    }

    private TextDecoder(TextConfig config, Embedding embedTokens, List<DecoderLayer> layers, RMSNorm norm, Linear lmHead) {
        this.config = config;
        this.embedTokens = embedTokens;
        this.layers = layers;
        this.norm = norm;
        this.lmHead = lmHead;
        this.embedScale = config.gemmaNorms() ? (float) Math.sqrt(config.hiddenSize()) : 1f;
    }

    /**
     * Loads the weights under {@code prefix} (e.g. "model.", "language_model.model.") and the output
     * projection {@code lmHeadName}, which may be absent when the embeddings are tied.
     */
    public static TextDecoder load(TextConfig c, Checkpoint ckpt, String prefix, String lmHeadName) {
        int d = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        float offset = c.gemmaNorms() ? 1f : 0f;
        float eps = c.rmsNormEps();
        Embedding embed = new Embedding(prefix + "embed_tokens", ckpt.get(prefix + "embed_tokens.weight", c.vocabSize(), d));
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String p = prefix + "layers." + i + ".";
            Attn attn = new Attn(
                    Linear.load(ckpt, p + "self_attn.q_proj", d, q, c.attentionBias()),
                    Linear.load(ckpt, p + "self_attn.k_proj", d, kv, c.attentionBias()),
                    Linear.load(ckpt, p + "self_attn.v_proj", d, kv, c.attentionBias()),
                    Linear.load(ckpt, p + "self_attn.o_proj", q, d, c.attentionOutBias()),
                    c.gemmaNorms() ? RMSNorm.load(ckpt, p + "self_attn.q_norm", c.headDim(), eps, offset) : null,
                    c.gemmaNorms() ? RMSNorm.load(ckpt, p + "self_attn.k_norm", c.headDim(), eps, offset) : null);
            Mlp mlp = new Mlp(
                    Linear.load(ckpt, p + "mlp.gate_proj", d, c.intermediateSize(), c.mlpBias()),
                    Linear.load(ckpt, p + "mlp.up_proj", d, c.intermediateSize(), c.mlpBias()),
                    Linear.load(ckpt, p + "mlp.down_proj", c.intermediateSize(), d, c.mlpBias()));
            layers.add(new DecoderLayer(attn, mlp,
                    RMSNorm.load(ckpt, p + "input_layernorm", d, eps, offset),
                    RMSNorm.load(ckpt, p + "post_attention_layernorm", d, eps, offset),
                    c.gemmaNorms() ? RMSNorm.load(ckpt, p + "pre_feedforward_layernorm", d, eps, offset) : null,
                    c.gemmaNorms() ? RMSNorm.load(ckpt, p + "post_feedforward_layernorm", d, eps, offset) : null));
        }
        RMSNorm norm = RMSNorm.load(ckpt, prefix + "norm", d, eps, offset);
        Linear head;
        if (c.tieWordEmbeddings()) {
            head = new Linear(lmHeadName, embed.weight(), null);
        } else {
            head = Linear.load(ckpt, lmHeadName, d, c.vocabSize(), false);
        }
        return new TextDecoder(c, embed, List.copyOf(layers), norm, head);
    }

    public TextConfig config() {
        return config;
    }

    /**
     * Activation recomputation for training: each layer keeps only its input during the forward pass
     * and runs again in the backward pass, so memory holds one layer's activations at a time.
     */
    public void setActivationCheckpointing(boolean on) {
        recompute = on;
    }

    /** Every linear layer by its module name (checkpoint key without ".weight"), lm_head last. */
    public java.util.Map<String, Linear> linears() {
        java.util.Map<String, Linear> all = new java.util.LinkedHashMap<>();
        for (DecoderLayer l : layers) {
            for (Linear lin : List.of(l.selfAttn().qProj(), l.selfAttn().kProj(), l.selfAttn().vProj(), l.selfAttn().oProj(),
                    l.mlp().gateProj(), l.mlp().upProj(), l.mlp().downProj())) {
                all.put(lin.name(), lin);
            }
        }
        all.put(lmHead.name(), lmHead);
        return all;
    }

    /** The input embeddings ({@code embed_tokens}). */
    public Embedding embedTokens() {
        return embedTokens;
    }

    /** The output projection ({@code lm_head}); its weight is the embeddings' when the config ties them. */
    public Linear lmHead() {
        return lmHead;
    }

    /**
     * Gives the output projection a weight of its own where the config ties it to the embeddings:
     * PEFT's {@code modules_to_save} copies {@code lm_head} or {@code embed_tokens} separately, which
     * unties them. Any LoRA on the old projection is dropped, so untie before attaching adapters.
     */
    public void untieLmHead(Tensor weight) {
        lmHead = new Linear(lmHead.name(), weight, null);
    }

    /** Token embeddings {@code [ids.length, hidden]}, scaled as the family does (Gemma: sqrt(hidden)). */
    public Tensor embed(long[] ids) {
        return embedTokens.forward(ids, embedScale);
    }

    /**
     * Runs the decoder layers on {@code [batch, tokens, hidden]} input embeddings, appending their keys
     * and values to {@code cache}, and returns the final-normed hidden states.
     *
     * @param positions     {@code [axes][batch][tokens]}: one axis, or three for M-RoPE
     * @param attentionMask {@code [batch][tokens]}, 0 for padding; null means all real tokens
     * @param groups        {@code [batch][tokens]} bidirectional group ids (0 = causal); null for none
     * @param hiddenStates  when not null, receives the input embeddings and every layer's output
     *                      (the last one after the final norm), as Hugging Face's {@code hidden_states}
     */
    public Tensor forward(Tensor inputsEmbeds, int[][][] positions, int[][] attentionMask, int[][] groups,
                          KVCache cache, List<Tensor> hiddenStates) {
        int batch = inputsEmbeds.dim(0);
        int tokens = inputsEmbeds.dim(1);
        Tensor x = inputsEmbeds.reshape(batch * tokens, config.hiddenSize());
        if (hiddenStates != null) {
            hiddenStates.add(inputsEmbeds);
        }
        // Recomputed layers (activation checkpointing) run again after the cache has advanced.
        int past = cache.length();
        cache.append(tokens, attentionMask, groups);
        int[][] flat = flattenPositions(positions, batch, tokens);
        float[][] global = config.rope().tables(flat, batch * tokens);
        float[][] local = config.localRope() == null ? null : config.localRope().tables(flat, batch * tokens);
        SelfAttention attention = (index, q, k, v) -> {
            TextConfig c = config;
            cache.store(index, k.floats(), v.floats(), tokens, past);
            Attention.Mask mask = new Attention.Mask(true, c.slidingWindow()[index], cache.valid, cache.groupsOrNull(), null,
                    c.attnLogitSoftcap());
            if (past == 0 && Autograd.needed(q, k, v)) {
                // Training: the whole sequence at once, differentiable with respect to q, k and v.
                return Attention.attention(q, k, v, batch, tokens, c.numHeads(), c.numKvHeads(), c.headDim(), c.queryScale(), mask)
                        .reshape(batch * tokens, c.numHeads() * c.headDim());
            }
            Tensor attn = Tensor.zeros(batch * tokens, c.numHeads() * c.headDim());
            Attention.attend(q.floats(), cache.keys[index], cache.values[index], attn.floats(), batch, tokens, c.numHeads(),
                    c.numKvHeads(), c.headDim(), cache.capacity, past + tokens, past, c.queryScale(), mask);
            return attn;
        };
        for (int i = 0; i < layers.size(); i++) {
            float[][] rope = config.localRope() != null && config.slidingWindow()[i] > 0 ? local : global;
            int index = i;
            x = recompute ? Autograd.checkpoint(h -> layer(index, layers.get(index), h, rope, attention), x)
                    : layer(i, layers.get(i), x, rope, attention);
            if (hiddenStates != null && i < layers.size() - 1) {
                hiddenStates.add(x.reshape(batch, tokens, config.hiddenSize()));
            }
        }
        cache.advance(tokens);
        Tensor out = norm.forward(x).reshape(batch, tokens, config.hiddenSize());
        if (hiddenStates != null) {
            hiddenStates.add(out);
        }
        return out;
    }

    /**
     * One decode step of independent sequences: row r of {@code inputsEmbeds [rows, hidden]} is the
     * next token of the sequence held by {@code caches.get(r)} (a cache of one sequence, with room for
     * one more position), at {@code positions[axis][r]}. Every linear layer runs once over all rows, so
     * the weights are streamed once per step whatever the number of sequences (the point of batching
     * decode steps); attention runs per sequence against its own cache. Returns the final-normed
     * hidden states {@code [rows, hidden]}.
     *
     * <p>Each row is computed with the same kernels as the sequence decoded alone; up to
     * {@code MatMul}'s weight-streaming limit (16 rows) its result is bitwise the same, beyond it the
     * linear layers' blocked kernel may round differently.
     */
    public Tensor decode(Tensor inputsEmbeds, int[][] positions, List<KVCache> caches) {
        int rows = caches.size();
        int d = config.hiddenSize();
        if (inputsEmbeds.numel() != (long) rows * d) {
            throw new IllegalArgumentException("decode: " + inputsEmbeds.describe() + " for " + rows + " sequences of width " + d);
        }
        int[] past = new int[rows];
        for (int r = 0; r < rows; r++) {
            KVCache cache = caches.get(r);
            if (cache.batch != 1) {
                throw new IllegalArgumentException("decode: cache " + r + " holds " + cache.batch + " sequences; one expected");
            }
            past[r] = cache.length();
            cache.append(1, null, null);
        }
        float[][] global = config.rope().tables(positions, rows);
        float[][] local = config.localRope() == null ? null : config.localRope().tables(positions, rows);
        TextConfig c = config;
        SelfAttention attention = (index, q, k, v) -> {
            float[][] keys = new float[rows][];
            float[][] values = new float[rows][];
            int[] capacity = new int[rows];
            int[] length = new int[rows];
            Attention.Mask[] masks = new Attention.Mask[rows];
            for (int r = 0; r < rows; r++) {
                KVCache cache = caches.get(r);
                cache.storeRow(index, k.floats(), v.floats(), r, past[r]);
                keys[r] = cache.keys[index];
                values[r] = cache.values[index];
                capacity[r] = cache.capacity;
                length[r] = past[r] + 1;
                masks[r] = new Attention.Mask(true, c.slidingWindow()[index], cache.valid, cache.groupsOrNull(), null,
                        c.attnLogitSoftcap());
            }
            Tensor attn = Tensor.zeros(rows, c.numHeads() * c.headDim());
            Attention.attendEach(q.floats(), keys, values, capacity, length, masks, attn.floats(), c.numHeads(), c.numKvHeads(),
                    c.headDim(), c.queryScale());
            return attn;
        };
        Tensor x = inputsEmbeds.reshape(rows, d);
        for (int i = 0; i < layers.size(); i++) {
            x = layer(i, layers.get(i), x, c.localRope() != null && c.slidingWindow()[i] > 0 ? local : global, attention);
        }
        for (KVCache cache : caches) {
            cache.advance(1);
        }
        return norm.forward(x);
    }

    private static int[][] flattenPositions(int[][][] positions, int batch, int tokens) {
        int[][] flat = new int[positions.length][batch * tokens];
        for (int a = 0; a < positions.length; a++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(positions[a][b], 0, flat[a], b * tokens, tokens);
            }
        }
        return flat;
    }

    /**
     * What a layer does between its query/key/value projections (RoPE applied) and {@code o_proj}:
     * store the keys and values, attend; returns {@code [rows, heads * headDim]}.
     */
    @FunctionalInterface
    private interface SelfAttention {
        Tensor attend(int layer, Tensor q, Tensor k, Tensor v);
    }

    /** One decoder layer over {@code x [rows, hidden]}, one row per token (of any number of sequences). */
    private Tensor layer(int index, DecoderLayer l, Tensor x, float[][] rope, SelfAttention attention) {
        TextConfig c = config;
        int rows = x.dim(0);
        Tensor h = l.inputLayernorm().forward(x);
        Tensor[] qkv = Linear.forwardAll(h, l.selfAttn().qProj(), l.selfAttn().kProj(), l.selfAttn().vProj());
        Tensor q = qkv[0];
        Tensor k = qkv[1];
        Tensor v = qkv[2];
        if (c.gemmaNorms()) {
            q = l.selfAttn().qNorm().forward(q.reshape(rows * c.numHeads(), c.headDim()));
            k = l.selfAttn().kNorm().forward(k.reshape(rows * c.numKvHeads(), c.headDim()));
        }
        q = Ops.rotary(q, c.numHeads(), c.headDim(), rope[0], rope[1]);
        k = Ops.rotary(k, c.numKvHeads(), c.headDim(), rope[0], rope[1]);
        Tensor o = l.selfAttn().oProj().forward(attention.attend(index, q, k, v));
        if (c.gemmaNorms()) {
            o = l.postAttentionLayernorm().forward(o);
        }
        Tensor residual = Ops.add(x, o);
        Tensor n = c.gemmaNorms() ? l.preFeedforwardLayernorm().forward(residual) : l.postAttentionLayernorm().forward(residual);
        Tensor[] gateUp = Linear.forwardAll(n, l.mlp().gateProj(), l.mlp().upProj());
        Tensor m = l.mlp().downProj().forward(Ops.gatedActivation(gateUp[0], gateUp[1], c.activation()));
        if (c.gemmaNorms()) {
            m = l.postFeedforwardLayernorm().forward(m);
        }
        return Ops.add(residual, m);
    }

    /** Logits {@code [..., vocab]} for final hidden states, with Gemma's final soft-capping if configured. */
    public Tensor logits(Tensor hidden) {
        Tensor logits = lmHead.forward(hidden);
        float cap = config.finalLogitSoftcap();
        return cap > 0 ? Ops.softcap(logits, cap) : logits;
    }
}
