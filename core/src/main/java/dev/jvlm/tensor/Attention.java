package dev.jvlm.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scaled dot-product attention over a key/value store, with grouped-query heads, and a mask built
 * from a few rules instead of a materialised [T, S] matrix: key padding, causality, a sliding window,
 * bidirectional groups (e.g. Gemma 3's image tokens) and an optional additive bias.
 */
public final class Attention {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    private Attention() {
    }

    /**
     * Which keys a query may see. Positions are indices into the key store (0 = oldest key).
     *
     * @param causal        a query sees keys at or before its own position
     * @param window        if > 0, a query at p sees only keys at p - window + 1 ... p (sliding window)
     * @param keyValid      per batch row, 1 where the key is a real token (null: all valid)
     * @param groups        per batch row, a group id per key position; a query and key with the same
     *                      non-zero group see each other regardless of causality (null: none)
     * @param bias          additive bias {@code [batch, queries, keys]} applied after scaling (null: none)
     * @param softcap       if > 0, scores become {@code softcap * tanh(score / softcap)} before masking
     */
    public record Mask(boolean causal, int window, int[][] keyValid, int[][] groups, float[] bias, float softcap) {
        public static Mask causalOnly() {
            return new Mask(true, 0, null, null, null, 0);
        }

        public static Mask bidirectional() {
            return new Mask(false, 0, null, null, null, 0);
        }

        boolean allows(int b, int queryPos, int keyPos) {
            if (keyValid != null && keyValid[b][keyPos] == 0) {
                return false;
            }
            boolean grouped = groups != null && groups[b][keyPos] != 0 && groups[b][keyPos] == groups[b][queryPos];
            if (causal && keyPos > queryPos && !grouped) {
                return false;
            }
            return window <= 0 || queryPos - keyPos < window;
        }
    }

    /**
     * out[b, t, h, :] = softmax(scale · q[b,t,h]·k[b,g(h),s] + mask) · v[b,g(h),s].
     *
     * @param q        queries {@code [batch, tokens, heads, headDim]}
     * @param k        keys {@code [batch, kvHeads, capacity, headDim]} (the first {@code keys} positions used)
     * @param v        values, same layout as k
     * @param first    position of the first query in the key store (queries are at first ... first+tokens-1)
     * @param out      output {@code [batch, tokens, heads, headDim]}
     */
    public static void attend(float[] q, float[] k, float[] v, float[] out, int batch, int tokens, int heads,
                              int kvHeads, int headDim, int capacity, int keys, int first, float scale, Mask mask) {
        if (tokens >= BLOCKED_MIN_TOKENS) {
            attendBlocked(q, k, v, out, batch, tokens, heads, kvHeads, headDim, capacity, keys, first, scale, mask);
            return;
        }
        int group = heads / kvHeads;
        int queryBlock = Math.max(1, Math.min(tokens, 16));
        int blocks = (tokens + queryBlock - 1) / queryBlock;
        // A decode step's tasks are one head each, under a microsecond: contiguous ranges per thread
        // keep the claims few (nine tasks claimed one by one cost more than they saved).
        Parallel.forEachRange(batch * heads * blocks, 1, 1, (from, to) -> {
            float[] scores = scoreBuffer(keys);
            for (int task = from; task < to; task++) {
                int blk = task % blocks;
                int h = (task / blocks) % heads;
                int b = task / (blocks * heads);
                int kvBase = ((b * kvHeads + h / group) * capacity) * headDim;
                int t1 = Math.min(tokens, (blk + 1) * queryBlock);
                for (int t = blk * queryBlock; t < t1; t++) {
                    int qOff = ((b * tokens + t) * heads + h) * headDim;
                    attendQuery(q, qOff, k, v, kvBase, out, headDim, keys, b, first + t, (b * tokens + t) * keys, scale, mask, scores);
                }
            }
        });
    }

    /**
     * The decode step of sequences that each have their own key/value store: row r's query (one token,
     * {@code [heads, headDim]} at {@code q[r]}) attends to the first {@code keys[r]} positions of
     * {@code k[r]} and {@code v[r]} (laid out {@code [kvHeads, capacity[r], headDim]}), being the last of
     * them itself, under {@code masks[r]} (whose key rules read batch row 0). Every row and head is one
     * task of a single pool job, and each (row, head) is computed exactly as {@link #attend} computes
     * it for that sequence alone.
     */
    public static void attendEach(float[] q, float[][] k, float[][] v, int[] capacity, int[] keys, Mask[] masks, float[] out,
                                  int heads, int kvHeads, int headDim, float scale) {
        int group = heads / kvHeads;
        Parallel.forEachRange(k.length * heads, 1, 1, (from, to) -> {
            for (int task = from; task < to; task++) {
                int r = task / heads;
                int h = task % heads;
                int qOff = (r * heads + h) * headDim;
                attendQuery(q, qOff, k[r], v[r], (h / group) * capacity[r] * headDim, out, headDim, keys[r], 0, keys[r] - 1, 0,
                        scale, masks[r], scoreBuffer(keys[r]));
            }
        });
    }

    /**
     * One query of one head at {@code q[qOff]} against the keys of one (batch row, KV head) starting at
     * {@code kvBase}; writes the output at the same offset of {@code out}. {@code biasRow}: where this
     * query's row of the mask's additive bias starts.
     */
    private static void attendQuery(float[] q, int qOff, float[] k, float[] v, int kvBase, float[] out, int headDim, int keys,
                                    int b, int qPos, int biasRow, float scale, Mask mask, float[] scores) {
        int visible = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < keys; s++) {
            if (!mask.allows(b, qPos, s)) {
                scores[s] = Float.NEGATIVE_INFINITY;
                continue;
            }
            float sc = dot(q, qOff, k, kvBase + s * headDim, headDim) * scale;
            if (mask.softcap > 0) {
                sc = (float) (mask.softcap * Math.tanh(sc / mask.softcap));
            }
            if (mask.bias != null) {
                sc += mask.bias[biasRow + s];
            }
            scores[s] = sc;
            max = Math.max(max, sc);
            visible++;
        }
        if (visible == 0) {
            Arrays.fill(out, qOff, qOff + headDim, 0f);
            // Hugging Face adds the dtype's minimum to every score of a fully masked row, which
            // makes them all equal: softmax is then uniform over every key.
            float w = 1f / keys;
            for (int s = 0; s < keys; s++) {
                axpy(w, v, kvBase + s * headDim, out, qOff, headDim);
            }
            return;
        }
        float inv = 1f / VectorMath.expShifted(scores, 0, keys, max);
        weightedSum(scores, inv, keys, v, kvBase, out, qOff, headDim);
    }

    /**
     * {@code out[o, o + n) = Σ_s (w[s]·scale) · v[base + s·n, ...]} over the keys with a non-zero
     * weight, in ascending s: what {@link #axpy} once per key into a zeroed row gives, bit for bit,
     * but with the row kept in registers (four vectors at a time) instead of stored and reloaded per key.
     */
    private static void weightedSum(float[] w, float scale, int keys, float[] v, int base, float[] out, int o, int n) {
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int s = 0; s < keys; s++) {
                if (w[s] != 0f) {
                    FloatVector ws = FloatVector.broadcast(F, w[s] * scale);
                    int r = base + s * n + i;
                    a0 = FloatVector.fromArray(F, v, r).fma(ws, a0);
                    a1 = FloatVector.fromArray(F, v, r + L).fma(ws, a1);
                    a2 = FloatVector.fromArray(F, v, r + 2 * L).fma(ws, a2);
                    a3 = FloatVector.fromArray(F, v, r + 3 * L).fma(ws, a3);
                }
            }
            a0.intoArray(out, o + i);
            a1.intoArray(out, o + i + L);
            a2.intoArray(out, o + i + 2 * L);
            a3.intoArray(out, o + i + 3 * L);
        }
        for (; i + L <= n; i += L) {
            FloatVector a0 = FloatVector.zero(F);
            for (int s = 0; s < keys; s++) {
                if (w[s] != 0f) {
                    a0 = FloatVector.fromArray(F, v, base + s * n + i).fma(FloatVector.broadcast(F, w[s] * scale), a0);
                }
            }
            a0.intoArray(out, o + i);
        }
        for (; i < n; i++) {
            float a = 0;
            for (int s = 0; s < keys; s++) {
                if (w[s] != 0f) {
                    a += w[s] * scale * v[base + s * n + i];
                }
            }
            out[o + i] = a;
        }
    }

    /** From this many queries on, attention runs as two packed matrix products per block of queries. */
    static final int BLOCKED_MIN_TOKENS = 12;
    private static final int QUERY_BLOCK = 48;

    /**
     * Prefill attention as matrix products: for a block of queries of one head, scores = Q·Kᵀ and
     * out = P·V run on MatMul's register-blocked kernel, with K and V packed once per block.
     * Same masking and softmax as the row-by-row path, which still handles fully masked rows.
     */
    private static void attendBlocked(float[] q, float[] k, float[] v, float[] out, int batch, int tokens, int heads,
                                      int kvHeads, int headDim, int capacity, int keys, int first, float scale, Mask mask) {
        int group = heads / kvHeads;
        int blocks = (tokens + QUERY_BLOCK - 1) / QUERY_BLOCK;
        int nr = MatMul.NR;
        Parallel.forEach(batch * heads * blocks, task -> {
            int blk = task % blocks;
            int h = (task / blocks) % heads;
            int b = task / (blocks * heads);
            int kvBase = ((b * kvHeads + h / group) * capacity) * headDim;
            int t0 = blk * QUERY_BLOCK;
            int t1 = Math.min(tokens, t0 + QUERY_BLOCK);
            int rows = t1 - t0;
            // Purely causal queries never see keys past the last query of the block.
            int span = mask.causal() && mask.groups() == null ? Math.min(keys, first + t1) : keys;
            // Per-thread buffers reused across blocks: a prefill would otherwise allocate about 1 GB of them.
            Workspace ws = WORKSPACE.get();
            float[] qBlock = ws.qBlock = Workspace.grow(ws.qBlock, rows * headDim);
            for (int t = t0; t < t1; t++) {
                System.arraycopy(q, ((b * tokens + t) * heads + h) * headDim, qBlock, (t - t0) * headDim, headDim);
            }
            float[][] kPanels = ws.kPanels = Workspace.panels(ws.kPanels, (span + nr - 1) / nr, headDim * nr);
            for (int s = 0; s < span; s++) {
                float[] panel = kPanels[s / nr];
                int j = s % nr;
                int src = kvBase + s * headDim;
                for (int kk = 0; kk < headDim; kk++) {
                    panel[kk * nr + j] = k[src + kk];
                }
            }
            float[] scores = ws.scores = Workspace.grow(ws.scores, rows * span);
            MatMul.multiplyPacked(qBlock, rows, headDim, kPanels, span, scores, 0, span);
            float[] probs = scores;
            for (int r = 0; r < rows; r++) {
                int qPos = first + t0 + r;
                int base = r * span;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < span; s++) {
                    if (!mask.allows(b, qPos, s)) {
                        probs[base + s] = Float.NEGATIVE_INFINITY;
                        continue;
                    }
                    float sc = scores[base + s] * scale;
                    if (mask.softcap() > 0) {
                        sc = (float) (mask.softcap() * Math.tanh(sc / mask.softcap()));
                    }
                    if (mask.bias() != null) {
                        sc += mask.bias()[(b * tokens + t0 + r) * keys + s];
                    }
                    probs[base + s] = sc;
                    max = Math.max(max, sc);
                }
                if (max == Float.NEGATIVE_INFINITY) {
                    java.util.Arrays.fill(probs, base, base + span, 0f);
                    continue;
                }
                float inv = 1f / VectorMath.expShifted(probs, base, span, max);
                for (int s = 0; s < span; s++) {
                    probs[base + s] *= inv;
                }
            }
            int vCount = (headDim + nr - 1) / nr;
            float[][] vPanels = ws.vPanels = Workspace.panels(ws.vPanels, vCount, span * nr);
            for (int s = 0; s < span; s++) {
                int src = kvBase + s * headDim;
                for (int p = 0; p < vCount; p++) {
                    int cols = Math.min(nr, headDim - p * nr);
                    System.arraycopy(v, src + p * nr, vPanels[p], s * nr, cols);
                }
            }
            float[] oBlock = ws.oBlock = Workspace.grow(ws.oBlock, rows * headDim);
            MatMul.multiplyPacked(probs, rows, span, vPanels, headDim, oBlock, 0, headDim);
            for (int r = 0; r < rows; r++) {
                int dst = ((b * tokens + t0 + r) * heads + h) * headDim;
                if (maskedRow(mask, b, first + t0 + r, keys)) {
                    // A fully masked row averages every value row, as Hugging Face's eager attention does.
                    java.util.Arrays.fill(out, dst, dst + headDim, 0f);
                    for (int s = 0; s < keys; s++) {
                        axpy(1f / keys, v, kvBase + s * headDim, out, dst, headDim);
                    }
                } else {
                    System.arraycopy(oBlock, r * headDim, out, dst, headDim);
                }
            }
        });
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Buffers of the blocked path. Stale values past the current sizes are harmless: the kernel only
     * stores the columns in range and only reads rows below the reduction length.
     */
    private static final class Workspace {
        float[] qBlock = new float[0];
        float[] scores = new float[0];
        float[] oBlock = new float[0];
        float[][] kPanels = new float[0][];
        float[][] vPanels = new float[0][];

        static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }

        static float[][] panels(float[][] a, int count, int size) {
            float[][] out = a.length >= count ? a : Arrays.copyOf(a, count);
            for (int i = 0; i < count; i++) {
                if (out[i] == null || out[i].length < size) {
                    out[i] = new float[size];
                }
            }
            return out;
        }
    }

    private static boolean maskedRow(Mask mask, int b, int qPos, int keys) {
        if (mask.keyValid() == null) {
            return false;
        }
        for (int s = 0; s < keys; s++) {
            if (mask.allows(b, qPos, s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Differentiable attention of a whole sequence over its own keys (no cache), for training:
     * {@code q [batch, tokens, heads, headDim]}, {@code k, v [batch, tokens, kvHeads, headDim]} →
     * {@code [batch, tokens, heads, headDim]}.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, int batch, int tokens, int heads, int kvHeads,
                                   int headDim, float scale, Mask mask) {
        float[] kt = toHeadMajor(k.floats(), batch, tokens, kvHeads, headDim);
        float[] vt = toHeadMajor(v.floats(), batch, tokens, kvHeads, headDim);
        Tensor out = Tensor.zeros(q.shape());
        attend(q.floats(), kt, vt, out.floats(), batch, tokens, heads, kvHeads, headDim, tokens, tokens, 0, scale, mask);
        return Autograd.record(out, g -> attentionBackward(q.floats(), kt, vt, g.floats(), batch, tokens, heads, kvHeads,
                headDim, scale, mask, q.shape(), k.shape(), v.shape()), q, k, v);
    }

    /** [batch, tokens, kvHeads, d] → [batch, kvHeads, tokens, d], the key-store layout. */
    static float[] toHeadMajor(float[] x, int batch, int tokens, int kvHeads, int d) {
        float[] out = new float[x.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < kvHeads; h++) {
                    System.arraycopy(x, ((b * tokens + t) * kvHeads + h) * d, out, ((b * kvHeads + h) * tokens + t) * d, d);
                }
            }
        }
        return out;
    }

    private static Tensor[] attentionBackward(float[] q, float[] k, float[] v, float[] go, int batch, int tokens, int heads,
                                              int kvHeads, int d, float scale, Mask mask, int[] qShape, int[] kShape,
                                              int[] vShape) {
        int group = heads / kvHeads;
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        // One task per (batch row, kv head): the query heads of a group add into the same dK and dV.
        Parallel.forEach(batch * kvHeads, task -> {
            int b = task / kvHeads;
            int kvh = task % kvHeads;
            int kvBase = (b * kvHeads + kvh) * tokens * d;
            float[] p = new float[tokens];
            float[] dp = new float[tokens];
            float[] capDerivative = new float[tokens];
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                for (int t = 0; t < tokens; t++) {
                    int qo = ((b * tokens + t) * heads + h) * d;
                    float max = Float.NEGATIVE_INFINITY;
                    boolean any = false;
                    for (int s = 0; s < tokens; s++) {
                        if (!mask.allows(b, t, s)) {
                            p[s] = Float.NEGATIVE_INFINITY;
                            continue;
                        }
                        float sc = dot(q, qo, k, kvBase + s * d, d) * scale;
                        if (mask.softcap() > 0) {
                            float c = (float) Math.tanh(sc / mask.softcap());
                            capDerivative[s] = 1 - c * c;
                            sc = mask.softcap() * c;
                        }
                        if (mask.bias() != null) {
                            sc += mask.bias()[(b * tokens + t) * tokens + s];
                        }
                        p[s] = sc;
                        max = Math.max(max, sc);
                        any = true;
                    }
                    if (!any) {
                        // Uniform attention over every key (see attend); no gradient reaches the scores.
                        for (int s = 0; s < tokens; s++) {
                            axpy(1f / tokens, go, qo, dv, kvBase + s * d, d);
                        }
                        continue;
                    }
                    float sum = VectorMath.expShifted(p, 0, tokens, max);
                    float weighted = 0;
                    for (int s = 0; s < tokens; s++) {
                        p[s] /= sum;
                        if (p[s] != 0f) {
                            dp[s] = dot(go, qo, v, kvBase + s * d, d);
                            weighted += p[s] * dp[s];
                            axpy(p[s], go, qo, dv, kvBase + s * d, d);
                        }
                    }
                    for (int s = 0; s < tokens; s++) {
                        if (p[s] == 0f) {
                            continue;
                        }
                        float ds = p[s] * (dp[s] - weighted) * scale;
                        if (mask.softcap() > 0) {
                            ds *= capDerivative[s];
                        }
                        axpy(ds, k, kvBase + s * d, dq, qo, d);
                        axpy(ds, q, qo, dk, kvBase + s * d, d);
                    }
                }
            }
        });
        return new Tensor[] {Tensor.of(dq, qShape), Tensor.of(fromHeadMajor(dk, batch, tokens, kvHeads, d), kShape),
                Tensor.of(fromHeadMajor(dv, batch, tokens, kvHeads, d), vShape)};
    }

    private static float[] fromHeadMajor(float[] x, int batch, int tokens, int kvHeads, int d) {
        float[] out = new float[x.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < kvHeads; h++) {
                    System.arraycopy(x, ((b * kvHeads + h) * tokens + t) * d, out, ((b * tokens + t) * kvHeads + h) * d, d);
                }
            }
        }
        return out;
    }

    /**
     * Bidirectional self-attention inside the segments of a packed sequence, as vision encoders use
     * it: the tokens in {@code [cuSeqlens[i], cuSeqlens[i+1])} see only each other (one image, tile or
     * window each). q, k and v are {@code [tokens, heads·headDim]}, the layout projections give; the
     * output has q's shape. Differentiable: every run of consecutive segments of one length is one
     * batched {@link #attention} call, so a packed sequence of equal tiles is a single call.
     *
     * @param keyValid per token, 0 for a key no query may see (e.g. a padding patch); null: all valid
     */
    public static Tensor packed(Tensor q, Tensor k, Tensor v, int[] cuSeqlens, int heads, int headDim, float scale,
                                int[] keyValid) {
        int tokens = q.dim(0);
        int segments = cuSeqlens.length - 1;
        if (cuSeqlens[0] != 0 || cuSeqlens[segments] != tokens) {
            throw new IllegalArgumentException("packed attention: cu_seqlens " + Arrays.toString(cuSeqlens) + " do not span "
                    + tokens + " tokens");
        }
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0, e; s < segments; s = e) {
            int n = cuSeqlens[s + 1] - cuSeqlens[s];
            e = s + 1;
            while (e < segments && cuSeqlens[e + 1] - cuSeqlens[e] == n) {
                e++;
            }
            if (n == 0) {
                continue;
            }
            int batch = e - s;
            int start = cuSeqlens[s];
            int len = batch * n;
            int[][] valid = null;
            if (keyValid != null) {
                valid = new int[batch][];
                for (int b = 0; b < batch; b++) {
                    valid[b] = Arrays.copyOfRange(keyValid, start + b * n, start + (b + 1) * n);
                }
            }
            Mask mask = new Mask(false, 0, valid, null, null, 0);
            int[] shape = {batch, n, heads, headDim};
            Tensor out = attention(rows(q, start, len).reshape(shape), rows(k, start, len).reshape(shape),
                    rows(v, start, len).reshape(shape), batch, n, heads, heads, headDim, scale, mask);
            parts.add(out.reshape(len, heads * headDim));
        }
        Tensor all = parts.size() == 1 ? parts.getFirst() : Layout.concat(0, parts.toArray(Tensor[]::new));
        return all.reshape(q.shape());
    }

    private static Tensor rows(Tensor x, int start, int length) {
        return start == 0 && length == x.dim(0) ? x : Layout.narrow(x, 0, start, length);
    }

    private static float[] scoreBuffer(int n) {
        float[] b = SCORES.get();
        if (b.length < n) {
            b = new float[Math.max(n, 2 * b.length)];
            SCORES.set(b);
        }
        return b;
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= n; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = Lanes.sum(acc);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(a, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }
}
