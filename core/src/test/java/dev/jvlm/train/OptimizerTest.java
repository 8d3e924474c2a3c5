package dev.jvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvlm.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    static Tensor param(float value, float grad) {
        Tensor p = Tensor.of(new float[] {value}, 1).requireGrad();
        p.setGrad(Tensor.of(new float[] {grad}, 1));
        return p;
    }

    @Test
    void adamWFollowsTorch() {
        // torch.optim.AdamW([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), two steps with grads 0.5, -1.0
        Tensor p = param(1.0f, 0.5f);
        Optimizer opt = Optimizer.create("adamw", 0.01, 0.9, 0.999, 1e-8, 0);
        opt.step(Map.of("p", p), 0.1);
        double w = 1.0 * (1 - 0.1 * 0.01);
        double m = 0.05;
        double v = 0.001 * 0.25;
        w -= 0.1 / 0.1 * m / (Math.sqrt(v) / Math.sqrt(0.001) + 1e-8);
        assertEquals(w, p.getFloat(0), 1e-6);
        p.setGrad(Tensor.of(new float[] {-1.0f}, 1));
        opt.step(Map.of("p", p), 0.1);
        w *= 1 - 0.1 * 0.01;
        m = 0.9 * m - 0.1;
        v = 0.999 * v + 0.001;
        double bc1 = 1 - 0.81;
        double bc2 = 1 - 0.999 * 0.999;
        w -= 0.1 / bc1 * m / (Math.sqrt(v) / Math.sqrt(bc2) + 1e-8);
        assertEquals(w, p.getFloat(0), 1e-6);
        Optimizer restored = Optimizer.create("adamw", 0.01, 0.9, 0.999, 1e-8, 0);
        restored.load(opt.state());
        Tensor q = param(p.getFloat(0), 0.25f);
        p.setGrad(Tensor.of(new float[] {0.25f}, 1));
        opt.step(Map.of("p", p), 0.05);
        restored.step(Map.of("p", q), 0.05);
        assertEquals(p.getFloat(0), q.getFloat(0), 0f, "resumed state continues identically");
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        Tensor p = param(2.0f, 1.0f);
        Optimizer opt = Optimizer.create("sgd", 0.1, 0, 0, 0, 0.9);
        opt.step(Map.of("p", p), 0.5);
        assertEquals(2.0 - 0.5 * (1.0 + 0.2), p.getFloat(0), 1e-6);
        double buf = 1.2;
        double w = p.getFloat(0);
        opt.step(Map.of("p", p), 0.5);
        buf = 0.9 * buf + (1.0 + 0.1 * w);
        assertEquals(w - 0.5 * buf, p.getFloat(0), 1e-6);
    }

    @Test
    void schedulesMatchTransformers() {
        Schedule linear = new Schedule("linear", 1e-3, 10, 110, 0);
        assertEquals(0.0, linear.lr(0));
        assertEquals(5e-4, linear.lr(5), 1e-12);
        assertEquals(1e-3, linear.lr(10), 1e-12);
        assertEquals(5e-4, linear.lr(60), 1e-12);
        assertEquals(0.0, linear.lr(110), 1e-12);
        Schedule cosine = new Schedule("cosine", 2e-4, 0, 100, 0);
        assertEquals(2e-4, cosine.lr(0), 1e-12);
        assertEquals(1e-4, cosine.lr(50), 1e-12);
        assertEquals(2e-4 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cosine.lr(25), 1e-12);
        assertEquals(3e-4, new Schedule("constant", 3e-4, 0, 5, 0).lr(4));
    }

    @Test
    void clippingScalesTheGlobalNorm() {
        Tensor a = param(0, 3f);
        Tensor b = param(0, 4f);
        assertEquals(5.0, Optimizer.clipGradNorm(List.of(a, b), 1.0), 1e-9);
        assertEquals(0.6, a.grad().getFloat(0), 1e-6);
        assertEquals(0.8, b.grad().getFloat(0), 1e-6);
        assertEquals(1.0, Optimizer.clipGradNorm(List.of(a, b), 2.0), 1e-6);
        assertEquals(0.6, a.grad().getFloat(0), 1e-6, "below the limit: unchanged");
    }
}
