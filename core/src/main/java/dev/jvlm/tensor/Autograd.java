package dev.jvlm.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reverse-mode differentiation on the same tensors and kernels inference uses. An op records a
 * {@link Node} on its output only while gradients are enabled and one of its inputs needs one, so
 * inference (whose weights never need gradients) records nothing and pays nothing.
 */
public final class Autograd {
    // [0]: how many noGrad scopes are open; [1]: set when an op inside one had an input needing a
    // gradient, which tells checkpoint whether the block it ran depends on anything trainable.
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[2]);

    private Autograd() {
    }

    /** Gradients of the output with respect to each input (null where an input gets none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /** How a tensor was computed: its inputs and the rule that maps its gradient onto theirs. */
    static final class Node {
        final Tensor[] inputs;
        final Backward backward;

        Node(Tensor[] inputs, Backward backward) {
            this.inputs = inputs;
            this.backward = backward;
        }
    }

    /** True when ops should record (not inside {@link #noGrad}). */
    public static boolean enabled() {
        return DISABLED.get()[0] == 0;
    }

    /** Runs {@code body} without recording anything. */
    public static <T> T noGrad(Supplier<T> body) {
        int[] d = DISABLED.get();
        d[0]++;
        try {
            return body.get();
        } finally {
            d[0]--;
        }
    }

    /** True when an op with these inputs must record its backward rule. */
    public static boolean needed(Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                int[] d = DISABLED.get();
                if (d[0] == 0) {
                    return true;
                }
                d[1] = 1;
                return false;
            }
        }
        return false;
    }

    /** Attaches {@code backward} to {@code out} when any input needs a gradient; returns out. */
    public static Tensor record(Tensor out, Backward backward, Tensor... inputs) {
        if (needed(inputs)) {
            out.node = new Node(inputs, backward);
        }
        return out;
    }

    /**
     * Back-propagates from a scalar {@code loss}, adding each trainable leaf's gradient to its
     * {@link Tensor#grad()}. The recorded graph is released as it is consumed.
     */
    public static void backward(Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got " + loss.describe());
        }
        backward(loss, Tensor.of(new float[] {1f}, loss.shape()));
    }

    /** Back-propagates {@code gradOutput} from {@code output}. */
    public static void backward(Tensor output, Tensor gradOutput) {
        List<Tensor> order = topologicalOrder(output);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(output, gradOutput);
        for (int i = order.size() - 1; i >= 0; i--) {
            // Dropping each tensor once handled lets its activations go while the pass continues.
            Tensor t = order.set(i, null);
            Tensor g = grads.remove(t);
            if (g == null) {
                continue;
            }
            if (t.isLeaf()) {
                t.setGrad(t.grad() == null ? copy(g) : Ops.add(t.grad(), g));
                continue;
            }
            Node node = t.node;
            if (node == null) {
                continue;
            }
            t.node = null;
            Tensor[] inputGrads = noGrad(() -> node.backward.apply(g));
            for (int j = 0; j < node.inputs.length; j++) {
                Tensor in = node.inputs[j];
                Tensor ig = inputGrads[j];
                if (in == null || ig == null || !in.requiresGrad()) {
                    continue;
                }
                Tensor prev = grads.get(in);
                grads.put(in, prev == null ? ig : Ops.add(prev, ig));
            }
        }
    }

    private static Tensor copy(Tensor g) {
        return Tensor.of(g.floats().clone(), g.shape());
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, true);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (int) frame[1];
            Node node = t.node;
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = node.inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, true) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /**
     * Activation recomputation: runs {@code f} without recording and keeps only its input; the
     * backward pass runs {@code f} again with recording and back-propagates through that copy.
     * Memory then holds one block's activations at a time. When neither the input nor anything
     * {@code f} reads needs a gradient (inference, a frozen tower), nothing is recorded.
     */
    public static Tensor checkpoint(UnaryOperator<Tensor> f, Tensor input) {
        if (!enabled()) {
            return f.apply(input);
        }
        int[] d = DISABLED.get();
        d[1] = 0;
        Tensor out = noGrad(() -> f.apply(input));
        if (d[1] == 0 && !input.requiresGrad()) {
            return out;
        }
        Tensor detached = Tensor.of(out.floats(), out.shape());
        Node node = new Node(new Tensor[] {input}, g -> {
            Tensor x = Tensor.of(input.floats(), input.shape());
            if (input.requiresGrad()) {
                x.requireGrad();
            }
            Tensor y = DisabledScope.enable(() -> f.apply(x));
            backward(y, g);
            return new Tensor[] {x.grad()};
        });
        detached.node = node;
        return detached;
    }

    /** Re-enables recording inside a backward rule (which runs under {@link #noGrad}). */
    private static final class DisabledScope {
        static Tensor enable(Supplier<Tensor> body) {
            int[] d = DISABLED.get();
            int saved = d[0];
            d[0] = 0;
            try {
                return body.get();
            } finally {
                d[0] = saved;
            }
        }
    }
}
