package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every backward rule against central finite differences: the loss is a fixed random projection of
 * the op's output, and each input element's analytic gradient must match (f(x+h) - f(x-h)) / 2h.
 */
class GradCheckTest {

    static Tensor leaf(SplittableRandom r, double scale, int... shape) {
        float[] a = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return Tensor.of(a, shape).requireGrad();
    }

    /** Checks d(Σ out·proj)/d(input) for every input, in double-checked float32. */
    static void check(Function<Tensor[], Tensor> op, Tensor... inputs) {
        SplittableRandom r = new SplittableRandom(99);
        Tensor out0 = Autograd.noGrad(() -> op.apply(inputs));
        float[] proj = new float[(int) out0.numel()];
        for (int i = 0; i < proj.length; i++) {
            proj[i] = (float) r.nextGaussian();
        }
        Function<Tensor[], Double> loss = in -> {
            float[] o = Autograd.noGrad(() -> op.apply(in)).floats();
            double s = 0;
            for (int i = 0; i < o.length; i++) {
                s += (double) o[i] * proj[i];
            }
            return s;
        };
        for (Tensor t : inputs) {
            t.setGrad(null);
        }
        Tensor out = op.apply(inputs);
        assertTrue(out.requiresGrad(), "the op recorded its backward rule");
        Autograd.backward(out, Tensor.of(proj.clone(), out.shape()));
        for (int n = 0; n < inputs.length; n++) {
            Tensor t = inputs[n];
            if (!t.requiresGrad()) {
                continue;
            }
            assertNotNull(t.grad(), "input " + n + " got a gradient");
            assertArrayEquals(t.shape(), t.grad().shape(), "input " + n + ": the gradient has the input's shape");
            float[] x = t.floats();
            int step = Math.max(1, x.length / 40);
            for (int i = 0; i < x.length; i += step) {
                float saved = x[i];
                float h = 1e-2f * Math.max(1f, Math.abs(saved));
                x[i] = saved + h;
                double up = loss.apply(inputs);
                x[i] = saved - h;
                double down = loss.apply(inputs);
                x[i] = saved;
                double numeric = (up - down) / (2 * h);
                double analytic = t.grad().getFloat(i);
                assertEquals(numeric, analytic, 2e-2 * Math.max(1, Math.abs(numeric)), "input " + n + " element " + i);
            }
        }
    }

    @Test
    void linearWithBias() {
        SplittableRandom r = new SplittableRandom(1);
        check(in -> MatMul.linear(in[0], in[1], in[2]), leaf(r, 1, 7, 10), leaf(r, 0.5, 9, 10), leaf(r, 1, 9));
        check(in -> MatMul.linear(in[0], in[1], in[2]), leaf(r, 1, 2, 10), leaf(r, 0.5, 5, 10), leaf(r, 1, 5));
    }

    @Test
    void groupedLinearAndMatmul() {
        SplittableRandom r = new SplittableRandom(2);
        check(in -> {
            Tensor[] o = MatMul.linear(in[0], new Tensor[] {in[1], in[2]}, null);
            return Ops.add(o[0], Ops.scale(o[1], 0.5f));
        }, leaf(r, 1, 8, 6), leaf(r, 1, 4, 6), leaf(r, 1, 4, 6));
        check(in -> MatMul.matmul(in[0], in[1]), leaf(r, 1, 5, 7), leaf(r, 1, 7, 3));
    }

    @Test
    void frozenWeightGetsNoGradient() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = leaf(r, 1, 3, 4);
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Autograd.backward(Ops.crossEntropy(MatMul.linear(x, w, null), new int[] {0, 1, Ops.IGNORE_INDEX}, 2));
        assertNull(w.grad());
        assertNotNull(x.grad());
        assertEquals(0f, x.grad().getFloat(8), "ignored row gets no gradient");
    }

    @Test
    void norms() {
        SplittableRandom r = new SplittableRandom(4);
        check(in -> Ops.rmsNorm(in[0], in[1], 1e-5f, 0f), leaf(r, 1, 5, 8), leaf(r, 1, 8));
        check(in -> Ops.rmsNorm(in[0], in[1], 1e-6f, 1f), leaf(r, 1, 3, 8), leaf(r, 0.1, 8));
        check(in -> Ops.layerNorm(in[0], in[1], in[2], 1e-5f), leaf(r, 1, 4, 6), leaf(r, 1, 6), leaf(r, 1, 6));
    }

    @ParameterizedTest
    @EnumSource(Ops.Activation.class)
    void activations(Ops.Activation act) {
        SplittableRandom r = new SplittableRandom(5);
        check(in -> Ops.activate(in[0], act), awayFromZero(leaf(r, 1.5, 4, 9)));
        check(in -> Ops.gatedActivation(in[0], in[1], act), awayFromZero(leaf(r, 1.5, 3, 6)), leaf(r, 1, 3, 6));
    }

    /** Keeps finite differences off ReLU's kink at 0. */
    static Tensor awayFromZero(Tensor t) {
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] += Math.copySign(0.1f, a[i]);
        }
        return t;
    }

    @Test
    void softcapRotaryAndReshape() {
        SplittableRandom r = new SplittableRandom(6);
        check(in -> Ops.softcap(in[0], 3f), leaf(r, 4, 20));
        float[] cos = new float[3 * 8];
        float[] sin = new float[3 * 8];
        for (int i = 0; i < cos.length; i++) {
            // RoPE tables repeat their frequencies in both halves of the head: cat(freqs, freqs).
            int freq = i / 8 * 4 + i % 4;
            cos[i] = (float) Math.cos(freq * 0.37) * 1.2f;
            sin[i] = (float) Math.sin(freq * 0.37) * 1.2f;
        }
        check(in -> Ops.rotary(in[0], 2, 8, cos, sin).reshape(6, 8), leaf(r, 1, 3, 16));
    }

    @Test
    void attentionWithMasksGroupsAndSoftcap() {
        SplittableRandom r = new SplittableRandom(7);
        int batch = 2, tokens = 6, heads = 4, kv = 2, d = 5;
        int[][] valid = {{0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}};
        int[][] groups = {{0, 0, 1, 1, 1, 0}, {0, 0, 0, 0, 0, 0}};
        Attention.Mask mask = new Attention.Mask(true, 4, valid, groups, null, 2.5f);
        check(in -> Attention.attention(in[0], in[1], in[2], batch, tokens, heads, kv, d, 0.4f, mask),
                leaf(r, 1, batch, tokens, heads, d), leaf(r, 1, batch, tokens, kv, d), leaf(r, 1, batch, tokens, kv, d));
        check(in -> Attention.attention(in[0], in[1], in[2], 1, 5, 2, 2, 4, 0.5f, Attention.Mask.causalOnly()),
                leaf(r, 1, 1, 5, 2, 4), leaf(r, 1, 1, 5, 2, 4), leaf(r, 1, 1, 5, 2, 4));
        // Keys normed per head arrive as [tokens·kvHeads, headDim], values as the projection gave them.
        check(in -> Attention.attention(in[0], in[1], in[2], 1, 5, 2, 2, 4, 0.5f, Attention.Mask.causalOnly()),
                leaf(r, 1, 5, 8), leaf(r, 1, 10, 4), leaf(r, 1, 5, 8));
    }

    @Test
    void gatherRowsAddsRepeatedRowsGradients() {
        SplittableRandom r = new SplittableRandom(10);
        check(in -> Layout.gatherRows(in[0], new int[] {2, 0, 2, 3, 2}), leaf(r, 1, 4, 3, 2));
        Tensor table = leaf(r, 1, 3, 4);
        Autograd.backward(Layout.gatherRows(table, new int[] {1, 1, 2}), Tensor.of(new float[12], 3, 4));
        assertEquals(0f, table.grad().getFloat(0), "a row nobody picked gets zero");
    }

    @Test
    void concatAndNarrowAlongEveryDimension() {
        SplittableRandom r = new SplittableRandom(11);
        check(in -> Layout.concat(0, in[0], in[1]), leaf(r, 1, 2, 3), leaf(r, 1, 4, 3));
        check(in -> Layout.concat(1, in[0], in[1], in[2]), leaf(r, 1, 2, 1, 3), leaf(r, 1, 2, 4, 3), leaf(r, 1, 2, 2, 3));
        check(in -> Layout.concat(-1, in[0], in[1]), leaf(r, 1, 3, 2, 2), leaf(r, 1, 3, 2, 5));
        check(in -> Layout.narrow(in[0], 0, 1, 2), leaf(r, 1, 4, 3));
        check(in -> Layout.narrow(in[0], 1, 2, 3), leaf(r, 1, 2, 6, 2));
        check(in -> Layout.narrow(in[0], -1, 4, 3), leaf(r, 1, 3, 7));
    }

    @Test
    void averagePoolingOverAChannelsLastGrid() {
        SplittableRandom r = new SplittableRandom(12);
        check(in -> Ops.avgPool2d(in[0], 4, 4, 2), leaf(r, 1, 2, 16, 3));
        // A 5x5 grid pooled by 2 drops its last row and column.
        check(in -> Ops.avgPool2d(in[0], 5, 5, 2), leaf(r, 1, 1, 25, 2));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4, 1);
        assertEquals(2.5f, Ops.avgPool2d(x, 2, 2, 2).getFloat(0));
    }

    @Test
    void packedAttentionOverSegmentsOfUnequalLength() {
        SplittableRandom r = new SplittableRandom(13);
        int heads = 2, d = 3;
        int[] cu = {0, 4, 4, 7, 10, 15};
        int n = cu[cu.length - 1];
        int[] valid = new int[n];
        java.util.Arrays.fill(valid, 1);
        valid[2] = 0;
        valid[14] = 0;
        check(in -> Attention.packed(in[0], in[1], in[2], cu, heads, d, 0.6f, valid),
                leaf(r, 1, n, heads * d), leaf(r, 1, n, heads * d), leaf(r, 1, n, heads * d));
        check(in -> Attention.packed(in[0], in[1], in[2], new int[] {0, 5}, heads, d, 0.6f, null),
                leaf(r, 1, 5, heads * d), leaf(r, 1, 5, heads * d), leaf(r, 1, 5, heads * d));
    }

    @Test
    void crossEntropyMatchesDefinitionAndGradient() {
        Tensor logits = Tensor.of(new float[] {1, 2, 3, 0, 0, 0}, 2, 3).requireGrad();
        Tensor loss = Ops.crossEntropy(logits, new int[] {2, 0}, 4f);
        double expected = (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3 + Math.log(3)) / 4;
        assertEquals(expected, loss.getFloat(0), 1e-6);
        SplittableRandom r = new SplittableRandom(8);
        check(in -> Ops.crossEntropy(in[0], new int[] {1, Ops.IGNORE_INDEX, 4, 0}, 3f), leaf(r, 2, 4, 5));
        assertEquals(0f, Ops.crossEntropy(logits, new int[] {Ops.IGNORE_INDEX, Ops.IGNORE_INDEX}, 0f).getFloat(0),
                "no label tokens: zero loss, not NaN");
    }

    @Test
    void checkpointedBlockGivesTheSameGradients() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor w = leaf(r, 0.5, 6, 6);
        Tensor norm = leaf(r, 1, 6);
        java.util.function.UnaryOperator<Tensor> block = x -> Ops.add(x, Ops.activate(MatMul.linear(Ops.rmsNorm(x, norm, 1e-5f, 0f), w, null),
                Ops.Activation.SILU));
        Tensor x = leaf(r, 1, 4, 6);
        check(in -> Autograd.checkpoint(block, in[0]), x);
        Tensor plainW = w.grad();
        Tensor xa = Tensor.of(x.floats().clone(), x.shape()).requireGrad();
        w.setGrad(null);
        Autograd.backward(Ops.crossEntropy(block.apply(xa), new int[] {1, 2, 3, 4}, 4));
        Tensor direct = w.grad();
        w.setGrad(null);
        Tensor xb = Tensor.of(x.floats().clone(), x.shape()).requireGrad();
        Autograd.backward(Ops.crossEntropy(Autograd.checkpoint(block, xb), new int[] {1, 2, 3, 4}, 4));
        for (int i = 0; i < direct.numel(); i++) {
            assertEquals(direct.getFloat(i), w.grad().getFloat(i), 1e-6f);
            assertEquals(xa.grad().getFloat(i % 24), xb.grad().getFloat(i % 24), 1e-6f);
        }
        assertNotNull(plainW);
    }

    @Test
    void checkpointRecordsNothingWhenNothingTrains() {
        SplittableRandom r = new SplittableRandom(14);
        Tensor w = Tensor.of(leaf(r, 0.5, 5, 5).floats(), 5, 5);
        Tensor x = Tensor.of(leaf(r, 1, 3, 5).floats(), 3, 5);
        Tensor y = Autograd.checkpoint(in -> MatMul.linear(in, w, null), x);
        assertTrue(!y.requiresGrad(), "inference through a checkpointed block builds no graph");
    }

    @Test
    void checkpointTrainsWeightsBehindAFrozenInput() {
        SplittableRandom r = new SplittableRandom(15);
        Tensor w = leaf(r, 0.5, 5, 5);
        Tensor x = Tensor.of(leaf(r, 1, 3, 5).floats(), 3, 5);
        Autograd.backward(Ops.crossEntropy(Autograd.checkpoint(in -> MatMul.linear(in, w, null), x), new int[] {0, 1, 2}, 3));
        Tensor viaCheckpoint = w.grad();
        w.setGrad(null);
        Autograd.backward(Ops.crossEntropy(MatMul.linear(x, w, null), new int[] {0, 1, 2}, 3));
        assertNotNull(viaCheckpoint);
        for (int i = 0; i < w.numel(); i++) {
            assertEquals(w.grad().getFloat(i), viaCheckpoint.getFloat(i), 1e-6f);
        }
    }
}
