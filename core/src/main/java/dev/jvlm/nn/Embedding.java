package dev.jvlm.nn;

import dev.jvlm.JvlmException;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Tensor;

/** A token embedding table {@code [vocab, dim]} in its stored dtype; lookups widen rows to float32. */
public record Embedding(String name, Tensor weight) {

    /** Rows for {@code ids}, times {@code scale}, as a float32 {@code [ids.length, dim]} tensor. */
    public Tensor forward(long[] ids, float scale) {
        int vocab = weight.dim(0);
        int dim = weight.dim(1);
        Tensor out = Tensor.zeros(ids.length, dim);
        float[] o = out.floats();
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < 0 || id >= vocab) {
                throw new JvlmException("token id " + id + " at position " + i + " is outside the vocabulary [0, " + vocab + ")");
            }
            long base = id * dim;
            for (int j = 0; j < dim; j++) {
                o[i * dim + j] = weight.getFloat(base + j) * scale;
            }
        }
        // Full fine-tuning of the table: each looked-up row receives its rows' gradient.
        return Autograd.record(out, g -> {
            Tensor d = Tensor.zeros(weight.shape());
            float[] da = d.floats();
            float[] go = g.floats();
            for (int i = 0; i < ids.length; i++) {
                int base = (int) ids[i] * dim;
                for (int j = 0; j < dim; j++) {
                    da[base + j] += go[i * dim + j] * scale;
                }
            }
            return new Tensor[] {d};
        }, weight);
    }
}
