package dev.jvlm.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and row-wise float32 kernels: norms, activations, softmax, rotary embeddings,
 * residual adds. They work on rows of {@code [rows, dim]} tensors and split rows over the pool.
 */
public final class Ops {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    private static final int MIN_ELEMENTS_PER_TASK = 1 << 14;

    private Ops() {
    }

    /** The activation functions Hugging Face configs name ({@code hidden_act}). */
    public enum Activation {
        SILU, GELU, GELU_TANH, QUICK_GELU, RELU;

        /** quick_gelu is x · sigmoid(1.702 x). */
        private static final double QUICK_GELU_SLOPE = 1.702;

        /** Maps an HF {@code hidden_act} string. */
        public static Activation parse(String name) {
            return switch (name) {
                case "silu", "swish" -> SILU;
                case "gelu" -> GELU;
                case "gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu_tanh" -> GELU_TANH;
                case "quick_gelu" -> QUICK_GELU;
                case "relu" -> RELU;
                default -> throw new IllegalArgumentException("activation \"" + name
                        + "\" is not supported (expected silu, gelu, gelu_pytorch_tanh, quick_gelu or relu)");
            };
        }

        public float apply(float x) {
            return switch (this) {
                case SILU -> VectorMath.sigmoidGate(x, 1.0);
                case GELU -> (float) (0.5 * x * (1.0 + erf(x / Math.sqrt(2.0))));
                case GELU_TANH -> (float) (0.5 * x * (1.0 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
                case QUICK_GELU -> VectorMath.sigmoidGate(x, QUICK_GELU_SLOPE);
                case RELU -> Math.max(0f, x);
            };
        }

        /**
         * The activation over {@code [from, to)} of x into out, times {@code gate} element by element
         * if gate is not null; the sigmoid-based ones vectorized, each element as {@link #apply} gives it.
         */
        void applyRange(float[] x, float[] gate, float[] out, int from, int to) {
            switch (this) {
                case SILU -> VectorMath.sigmoidGate(x, 1.0, gate, out, from, to);
                case QUICK_GELU -> VectorMath.sigmoidGate(x, QUICK_GELU_SLOPE, gate, out, from, to);
                default -> {
                    for (int i = from; i < to; i++) {
                        out[i] = gate == null ? apply(x[i]) : apply(x[i]) * gate[i];
                    }
                }
            }
        }

        /** d apply(x) / dx. */
        public float derivative(float x) {
            return switch (this) {
                case SILU -> {
                    double sg = 1.0 / (1.0 + VectorMath.exp(-x));
                    yield (float) (sg * (1 + x * (1 - sg)));
                }
                case GELU -> (float) (0.5 * (1.0 + erf(x / Math.sqrt(2.0))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI));
                case GELU_TANH -> {
                    double c = 0.7978845608028654;
                    double t = Math.tanh(c * (x + 0.044715 * x * x * x));
                    yield (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x));
                }
                case QUICK_GELU -> {
                    double sg = 1.0 / (1.0 + VectorMath.exp(-QUICK_GELU_SLOPE * x));
                    yield (float) (sg + QUICK_GELU_SLOPE * x * sg * (1 - sg));
                }
                case RELU -> x > 0 ? 1f : 0f;
            };
        }
    }

    /** erf with absolute error below 1.2e-7 (Chebyshev fit of erfc), enough for float32 GELU. */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }

    /** Splits {@code rows} rows of {@code dim} elements into pool tasks of a useful size. */
    static void forRows(int rows, int dim, RowBody body) {
        int rowsPerTask = Math.max(1, MIN_ELEMENTS_PER_TASK / Math.max(1, dim));
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        Parallel.forEach(tasks, t -> {
            int r1 = Math.min(rows, (t + 1) * rowsPerTask);
            for (int r = t * rowsPerTask; r < r1; r++) {
                body.row(r);
            }
        });
    }

    @FunctionalInterface
    interface RowBody {
        void row(int r);
    }

    /**
     * RMSNorm over the last dimension: {@code x / sqrt(mean(x²) + eps) * (offset + w)}; offset is 0 for
     * Llama-style norms and 1 for Gemma's {@code (1 + w)}.
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps, float offset) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / d);
        float[] in = x.floats();
        float[] w = weight.toF32().floats();
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.floats();
        forRows(rows, d, r -> {
            int base = r * d;
            float ss = sumSquares(in, base, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int i = 0; i < d; i++) {
                o[base + i] = (in[base + i] * inv) * (offset + w[i]);
            }
        });
        return Autograd.record(out, g -> rmsNormBackward(x, weight, eps, offset, g), x, weight);
    }

    private static Tensor[] rmsNormBackward(Tensor x, Tensor weight, float eps, float offset, Tensor g) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / d);
        float[] in = x.floats();
        float[] w = weight.toF32().floats();
        float[] go = g.floats();
        Tensor dx = Tensor.zeros(x.shape());
        float[] dxa = dx.floats();
        double[] dw = new double[d];
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double inv = 1.0 / Math.sqrt(sumSquares(in, base, d) / d + eps);
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += go[base + i] * (offset + w[i]) * in[base + i];
                dw[i] += go[base + i] * in[base + i] * inv;
            }
            double c = inv * inv * inv * dot / d;
            for (int i = 0; i < d; i++) {
                dxa[base + i] = (float) (inv * go[base + i] * (offset + w[i]) - in[base + i] * c);
            }
        }
        float[] dwf = new float[d];
        for (int i = 0; i < d; i++) {
            dwf[i] = (float) dw[i];
        }
        return new Tensor[] {dx, Tensor.of(dwf, weight.shape())};
    }

    /** LayerNorm over the last dimension with weight and bias (bias may be null). */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / d);
        float[] in = x.floats();
        float[] w = weight.toF32().floats();
        float[] b = bias == null ? null : bias.toF32().floats();
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.floats();
        forRows(rows, d, r -> {
            int base = r * d;
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sum += in[base + i];
            }
            float mean = (float) (sum / d);
            double var = 0;
            for (int i = 0; i < d; i++) {
                float c = in[base + i] - mean;
                var += c * c;
            }
            float inv = (float) (1.0 / Math.sqrt(var / d + eps));
            for (int i = 0; i < d; i++) {
                float y = (in[base + i] - mean) * inv * w[i];
                o[base + i] = b == null ? y : y + b[i];
            }
        });
        return Autograd.record(out, g -> layerNormBackward(x, weight, bias, eps, g), x, weight, bias);
    }

    private static Tensor[] layerNormBackward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor g) {
        int d = x.dim(-1);
        int rows = (int) (x.numel() / d);
        float[] in = x.floats();
        float[] w = weight.toF32().floats();
        float[] go = g.floats();
        Tensor dx = Tensor.zeros(x.shape());
        float[] dxa = dx.floats();
        double[] dw = new double[d];
        double[] db = new double[d];
        double[] xhat = new double[d];
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += in[base + i];
            }
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                var += (in[base + i] - mean) * (in[base + i] - mean);
            }
            double inv = 1.0 / Math.sqrt(var / d + eps);
            double meanG = 0;
            double meanGx = 0;
            for (int i = 0; i < d; i++) {
                xhat[i] = (in[base + i] - mean) * inv;
                double gh = go[base + i] * w[i];
                meanG += gh;
                meanGx += gh * xhat[i];
                dw[i] += go[base + i] * xhat[i];
                db[i] += go[base + i];
            }
            meanG /= d;
            meanGx /= d;
            for (int i = 0; i < d; i++) {
                dxa[base + i] = (float) (inv * (go[base + i] * w[i] - meanG - xhat[i] * meanGx));
            }
        }
        return new Tensor[] {dx, Tensor.of(toFloats(dw), weight.shape()), bias == null ? null : Tensor.of(toFloats(db), bias.shape())};
    }

    private static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static float sumSquares(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(F, a, off + i);
            acc = v.fma(v, acc);
        }
        float s = Lanes.sum(acc);
        for (; i < n; i++) {
            s += a[off + i] * a[off + i];
        }
        return s;
    }

    /** The activation applied element-wise, as a new tensor. */
    public static Tensor activate(Tensor x, Activation act) {
        float[] a = x.floats();
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.floats();
        int d = x.dim(-1);
        forRows(a.length / d, d, r -> act.applyRange(a, null, o, r * d, r * d + d));
        return Autograd.record(out, g -> {
            float[] go = g.floats();
            float[] dx = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                dx[i] = go[i] * act.derivative(a[i]);
            }
            return new Tensor[] {Tensor.of(dx, x.shape())};
        }, x);
    }

    /** Gated MLP input: {@code act(gate) * up}, gate and up of equal shape; returns a new tensor. */
    public static Tensor gatedActivation(Tensor gate, Tensor up, Activation act) {
        float[] g = gate.floats();
        float[] u = up.floats();
        Tensor out = Tensor.zeros(gate.shape());
        float[] o = out.floats();
        int d = gate.dim(-1);
        forRows(g.length / d, d, r -> act.applyRange(g, u, o, r * d, r * d + d));
        return Autograd.record(out, grad -> {
            float[] go = grad.floats();
            float[] dg = new float[g.length];
            float[] du = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                dg[i] = go[i] * u[i] * act.derivative(g[i]);
                du[i] = go[i] * act.apply(g[i]);
            }
            return new Tensor[] {Tensor.of(dg, gate.shape()), Tensor.of(du, up.shape())};
        }, gate, up);
    }

    /** {@code a + b}, element-wise, as a new tensor of a's shape. */
    public static Tensor add(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException("add: " + a.describe() + " and " + b.describe() + " differ in size");
        }
        float[] x = a.floats();
        float[] y = b.floats();
        float[] o = new float[x.length];
        int i = 0;
        for (; i + L <= x.length; i += L) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(o, i);
        }
        for (; i < x.length; i++) {
            o[i] = x[i] + y[i];
        }
        return Autograd.record(Tensor.of(o, a.shape()), g -> new Tensor[] {g, g.reshape(b.shape())}, a, b);
    }

    /** {@code a * s}, as a new tensor. */
    public static Tensor scale(Tensor a, float s) {
        float[] x = a.floats();
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = x[i] * s;
        }
        return Autograd.record(Tensor.of(o, a.shape()), g -> new Tensor[] {scale(g, s)}, a);
    }

    /** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p). */
    public static Tensor dropout(Tensor a, float p, java.util.SplittableRandom random) {
        float[] x = a.floats();
        float[] keep = new float[x.length];
        float scale = 1f / (1f - p);
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            keep[i] = random.nextFloat() < p ? 0f : scale;
            o[i] = x[i] * keep[i];
        }
        return Autograd.record(Tensor.of(o, a.shape()), g -> {
            float[] go = g.floats();
            float[] d = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                d[i] = go[i] * keep[i];
            }
            return new Tensor[] {Tensor.of(d, a.shape())};
        }, a);
    }

    /** {@code cap * tanh(a / cap)}, Gemma's soft-capping, as a new tensor. */
    public static Tensor softcap(Tensor a, float cap) {
        float[] x = a.floats();
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = (float) (Math.tanh(x[i] / cap) * cap);
        }
        return Autograd.record(Tensor.of(o, a.shape()), g -> {
            float[] go = g.floats();
            float[] d = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                double t = o[i] / cap;
                d[i] = (float) (go[i] * (1 - t * t));
            }
            return new Tensor[] {Tensor.of(d, a.shape())};
        }, a);
    }

    /**
     * {@code AvgPool2d(kernel, stride=kernel)} over a channels-last grid: {@code x [n, height·width, channels]}
     * → {@code [n, (height/kernel)·(width/kernel), channels]}; trailing rows and columns that fill no
     * whole window are dropped. Each window sums its rows then columns in float32, as torch's CPU kernel does.
     */
    public static Tensor avgPool2d(Tensor x, int height, int width, int kernel) {
        int n = x.dim(0);
        int c = x.dim(-1);
        if (x.rank() != 3 || x.dim(1) != height * width) {
            throw new IllegalArgumentException("avgPool2d: expected [n, " + height + "·" + width + ", channels], got " + x.describe());
        }
        int oh = height / kernel;
        int ow = width / kernel;
        float divisor = kernel * kernel;
        float[] h = x.floats();
        Tensor out = Tensor.zeros(n, oh * ow, c);
        float[] o = out.floats();
        forRows(n * oh * ow, c * kernel * kernel, r -> {
            int img = r / (oh * ow);
            int oy = r / ow % oh;
            int ox = r % ow;
            for (int ch = 0; ch < c; ch++) {
                float sum = 0;
                for (int ky = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++) {
                        sum += h[((img * height + oy * kernel + ky) * width + ox * kernel + kx) * c + ch];
                    }
                }
                o[r * c + ch] = sum / divisor;
            }
        });
        return Autograd.record(out, g -> {
            float[] go = g.floats();
            float[] dx = new float[h.length];
            for (int r = 0; r < n * oh * ow; r++) {
                int img = r / (oh * ow);
                int oy = r / ow % oh;
                int ox = r % ow;
                for (int ky = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++) {
                        int base = ((img * height + oy * kernel + ky) * width + ox * kernel + kx) * c;
                        for (int ch = 0; ch < c; ch++) {
                            dx[base + ch] += go[r * c + ch] / divisor;
                        }
                    }
                }
            }
            return new Tensor[] {Tensor.of(dx, x.shape())};
        }, x);
    }

    /** Label value that excludes a position from the loss, as in PyTorch and Hugging Face. */
    public static final int IGNORE_INDEX = -100;

    /**
     * Summed cross-entropy of {@code logits [rows, vocab]} against {@code labels} (one per row,
     * {@link #IGNORE_INDEX} skips the row), divided by {@code denominator} (the number of label
     * tokens in the whole optimizer step). A scalar; zero, not NaN, when no row has a label.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels, float denominator) {
        int vocab = logits.dim(-1);
        int rows = (int) (logits.numel() / vocab);
        if (labels.length != rows) {
            throw new IllegalArgumentException("crossEntropy: " + labels.length + " labels for " + rows + " rows");
        }
        float[] a = logits.floats();
        double[] rowLoss = new double[rows];
        forRows(rows, vocab, r -> {
            int label = labels[r];
            if (label == IGNORE_INDEX) {
                return;
            }
            if (label < 0 || label >= vocab) {
                throw new IllegalArgumentException("label " + label + " at row " + r + " is outside the vocabulary [0, " + vocab + ")");
            }
            int base = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, a[base + i]);
            }
            double sum = 0;
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(a[base + i] - max);
            }
            rowLoss[r] = Math.log(sum) + max - a[base + label];
        });
        double total = 0;
        for (double l : rowLoss) {
            total += l;
        }
        Tensor loss = Tensor.of(new float[] {denominator > 0 ? (float) (total / denominator) : 0f}, 1);
        return Autograd.record(loss, g -> {
            float scale = denominator > 0 ? g.floats()[0] / denominator : 0f;
            Tensor d = Tensor.zeros(logits.shape());
            float[] da = d.floats();
            forRows(rows, vocab, r -> {
                int label = labels[r];
                if (label == IGNORE_INDEX || scale == 0f) {
                    return;
                }
                int base = r * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, a[base + i]);
                }
                double sum = 0;
                for (int i = 0; i < vocab; i++) {
                    sum += Math.exp(a[base + i] - max);
                }
                for (int i = 0; i < vocab; i++) {
                    da[base + i] = (float) (Math.exp(a[base + i] - max) / sum) * scale;
                }
                da[base + label] -= scale;
            });
            return new Tensor[] {d};
        }, logits);
    }

    /** Numerically stable softmax over {@code n} elements at {@code off}, in place. */
    public static void softmaxInPlace(float[] a, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[off + i]);
        }
        float inv = 1f / VectorMath.expShifted(a, off, n, max);
        for (int i = 0; i < n; i++) {
            a[off + i] *= inv;
        }
    }

    /**
     * Rotary position embedding of {@code x [tokens, heads, headDim]} (any shape with those trailing
     * sizes) as a new tensor; its gradient is the inverse rotation, which relies on the tables
     * repeating each frequency in both halves of the head as every RoPE variant does.
     */
    public static Tensor rotary(Tensor x, int heads, int headDim, float[] cos, float[] sin) {
        int tokens = (int) (x.numel() / ((long) heads * headDim));
        float[] o = x.floats().clone();
        applyRotary(o, tokens, heads, headDim, cos, sin);
        return Autograd.record(Tensor.of(o, x.shape()), g -> {
            float[] d = g.floats().clone();
            float[] negSin = new float[sin.length];
            for (int i = 0; i < sin.length; i++) {
                negSin[i] = -sin[i];
            }
            applyRotary(d, tokens, heads, headDim, cos, negSin);
            return new Tensor[] {Tensor.of(d, x.shape())};
        }, x);
    }

    /**
     * Rotary position embedding in Hugging Face's rotate-half layout, in place, on
     * {@code x [tokens, heads, headDim]} with per-token tables {@code cos, sin [tokens, headDim]}.
     */
    public static void applyRotary(float[] x, int tokens, int heads, int headDim, float[] cos, float[] sin) {
        int half = headDim / 2;
        forRows(tokens, heads * headDim, t -> {
            int c = t * headDim;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float x1 = x[base + i];
                    float x2 = x[base + i + half];
                    x[base + i] = x1 * cos[c + i] - x2 * sin[c + i];
                    x[base + i + half] = x2 * cos[c + i + half] + x1 * sin[c + i + half];
                }
            }
        });
    }
}
