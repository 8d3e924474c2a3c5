package dev.jvlm.train;

import dev.jvlm.JvlmException;
import dev.jvlm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers of PyTorch that fine-tuning recipes use, with PyTorch's update order so that runs
 * compare: AdamW (decoupled weight decay, bias-corrected moments) and SGD (optional momentum and
 * L2 weight decay). State is kept per parameter name so that it can be checkpointed and resumed.
 */
public sealed interface Optimizer permits Optimizer.AdamW, Optimizer.Sgd {

    /** One update of every parameter from its gradient (parameters without one are skipped). */
    void step(Map<String, Tensor> params, double lr);

    /** The optimizer state as named tensors (for checkpoints). */
    Map<String, Tensor> state();

    /** Restores {@link #state()}. */
    void load(Map<String, Tensor> state);

    static Optimizer create(String name, double weightDecay, double beta1, double beta2, double eps, double momentum) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "adamw", "adam_w", "adamw_torch" -> new AdamW(beta1, beta2, eps, weightDecay);
            case "sgd" -> new Sgd(momentum, weightDecay);
            default -> throw new JvlmException("optimizer \"" + name + "\" is not supported (expected adamw or sgd)");
        };
    }

    /** torch.optim.AdamW. */
    final class AdamW implements Optimizer {
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double weightDecay;
        private final Map<String, float[]> m = new LinkedHashMap<>();
        private final Map<String, float[]> v = new LinkedHashMap<>();
        private final Map<String, Long> steps = new LinkedHashMap<>();

        AdamW(double beta1, double beta2, double eps, double weightDecay) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
        }

        @Override
        public void step(Map<String, Tensor> params, double lr) {
            params.forEach((name, p) -> {
                if (p.grad() == null) {
                    return;
                }
                float[] w = p.floats();
                float[] g = p.grad().floats();
                float[] mm = m.computeIfAbsent(name, k -> new float[w.length]);
                float[] vv = v.computeIfAbsent(name, k -> new float[w.length]);
                long t = steps.merge(name, 1L, Long::sum);
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2 = 1 - Math.pow(beta2, t);
                float decay = (float) (1 - lr * weightDecay);
                float stepSize = (float) (lr / bc1);
                float bc2Sqrt = (float) Math.sqrt(bc2);
                float b1 = (float) beta1;
                float b2 = (float) beta2;
                for (int i = 0; i < w.length; i++) {
                    w[i] *= decay;
                    mm[i] = b1 * mm[i] + (1 - b1) * g[i];
                    vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i];
                    float denom = (float) Math.sqrt(vv[i]) / bc2Sqrt + (float) eps;
                    w[i] -= stepSize * mm[i] / denom;
                }
            });
        }

        @Override
        public Map<String, Tensor> state() {
            Map<String, Tensor> s = new LinkedHashMap<>();
            m.forEach((k, a) -> s.put("exp_avg." + k, Tensor.of(a.clone(), a.length)));
            v.forEach((k, a) -> s.put("exp_avg_sq." + k, Tensor.of(a.clone(), a.length)));
            steps.forEach((k, t) -> s.put("step." + k, Tensor.ofLongs(new long[] {t}, 1)));
            return s;
        }

        @Override
        public void load(Map<String, Tensor> state) {
            m.clear();
            v.clear();
            steps.clear();
            state.forEach((k, t) -> {
                if (k.startsWith("exp_avg_sq.")) {
                    v.put(k.substring(11), t.toF32().floats().clone());
                } else if (k.startsWith("exp_avg.")) {
                    m.put(k.substring(8), t.toF32().floats().clone());
                } else if (k.startsWith("step.")) {
                    steps.put(k.substring(5), t.getLong(0));
                }
            });
        }
    }

    /** torch.optim.SGD. */
    final class Sgd implements Optimizer {
        private final double momentum;
        private final double weightDecay;
        private final Map<String, float[]> buffers = new LinkedHashMap<>();

        Sgd(double momentum, double weightDecay) {
            this.momentum = momentum;
            this.weightDecay = weightDecay;
        }

        @Override
        public void step(Map<String, Tensor> params, double lr) {
            params.forEach((name, p) -> {
                if (p.grad() == null) {
                    return;
                }
                float[] w = p.floats();
                float[] g = p.grad().floats();
                float[] buf = momentum != 0 ? buffers.get(name) : null;
                boolean first = momentum != 0 && buf == null;
                if (first) {
                    buf = new float[w.length];
                    buffers.put(name, buf);
                }
                for (int i = 0; i < w.length; i++) {
                    float d = g[i] + (float) weightDecay * w[i];
                    if (buf != null) {
                        buf[i] = first ? d : (float) momentum * buf[i] + d;
                        d = buf[i];
                    }
                    w[i] -= (float) lr * d;
                }
            });
        }

        @Override
        public Map<String, Tensor> state() {
            Map<String, Tensor> s = new LinkedHashMap<>();
            buffers.forEach((k, a) -> s.put("momentum_buffer." + k, Tensor.of(a.clone(), a.length)));
            return s;
        }

        @Override
        public void load(Map<String, Tensor> state) {
            buffers.clear();
            state.forEach((k, t) -> buffers.put(k.substring("momentum_buffer.".length()), t.toF32().floats().clone()));
        }
    }

    /** Scales all gradients so that their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            if (p.grad() != null) {
                for (float g : p.grad().floats()) {
                    sq += (double) g * g;
                }
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : params) {
                if (p.grad() != null) {
                    float[] g = p.grad().floats();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= scale;
                    }
                }
            }
        }
        return norm;
    }
}
