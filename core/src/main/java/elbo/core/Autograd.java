package elbo.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse-mode engine and its switches.
 *
 * <p><b>Recording.</b> Every operation on a tensor that requires a gradient records a {@link Node}
 * (a define-by-run graph). {@link #noGrad()} opens a scope in which nothing is recorded.
 *
 * <p><b>Backward.</b> {@link Tensor#backward()} sorts the graph below the output topologically with an
 * explicit stack (no recursion, so a chain of hundreds of thousands of ops is fine), then walks it in
 * reverse, applying each node's vector-Jacobian product and summing the gradients that meet at a
 * tensor. Leaves that require a gradient add the result to {@link Tensor#grad()}: gradients
 * <em>accumulate</em> across calls until {@link Tensor#zeroGrad()}.
 *
 * <p><b>Backward twice.</b> The graph is kept after backward, so calling backward again on the same
 * output runs it again and adds the same gradient a second time (leaf grads become 2&times;). This is
 * PyTorch's {@code retain_graph=True} behaviour, chosen so that nothing is silently freed.
 *
 * <p><b>Zero stays zero.</b> A zero upstream gradient gives an exact zero through every elementwise
 * rule, even where the local derivative is infinite (sqrt at 0, log at 0, an overflowed exp): a zero
 * seed gives zero gradients, not NaN, and {@link Tensor#where} does not leak NaN from its unselected
 * branch. A nonzero gradient times an infinite derivative is still infinite (anomaly mode reports it).
 *
 * <p><b>Anomaly mode</b> (off by default; {@link #detectAnomaly()}): every op checks its forward output
 * and every backward rule checks the gradients it returns; the first NaN or infinity throws an
 * {@link AnomalyException} naming the op, its input shapes and the user-code line that created it.
 *
 * <p>Both switches are per thread.
 */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final ThreadLocal<int[]> ANOMALY_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {
    }

    /** A scope opened by {@link #noGrad()} or {@link #detectAnomaly()}; closing it restores the mode. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens a scope in which operations record nothing (inference, optimizer updates, backward rules).
     * Use with try-with-resources; scopes nest.
     */
    public static Scope noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** True unless inside a {@link #noGrad()} scope on this thread. */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** Opens a scope in which NaN/Inf produced by any op's forward or backward throws. */
    public static Scope detectAnomaly() {
        int[] depth = ANOMALY_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** True inside a {@link #detectAnomaly()} scope on this thread. */
    public static boolean isAnomalyDetectionEnabled() {
        return ANOMALY_DEPTH.get()[0] > 0;
    }

    // ---- recording ----------------------------------------------------------------------------

    /**
     * Attaches a node to {@code out} if recording is on and any input requires a gradient; in anomaly
     * mode also checks the forward value. Every primitive ends with this call.
     */
    static Tensor record(Op op, Tensor out, Node.Backward backward, Tensor... inputs) {
        boolean anomaly = isAnomalyDetectionEnabled();
        StackTraceElement site = anomaly ? userSite() : null;
        if (anomaly && !out.allFinite()) {
            throw new AnomalyException(op.label() + ": forward produced NaN or Inf; inputs "
                    + shapesOf(inputs) + (site == null ? "" : "; created at " + site));
        }
        if (!isGradEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad()) {
                out.attach(new Node(op.label(), inputs, backward, site));
                return out;
            }
        }
        return out;
    }

    private static String shapesOf(Tensor[] inputs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(inputs[i].shape());
        }
        return sb.toString();
    }

    /**
     * The classes that implement the ops. Listed by name rather than by package, so that code in package
     * {@code elbo.core} that merely uses tensors (tests, {@link GradCheck}) counts as user code.
     */
    private static final Set<String> ENGINE_CLASSES = Set.of(Autograd.class.getName(), Tensor.class.getName(),
            Elementwise.class.getName(), Reductions.class.getName(), Shaping.class.getName(),
            MatMul.class.getName(), Broadcast.class.getName(), Node.class.getName());

    /** The first stack frame outside the engine's classes: the line of user code that made the op. */
    private static StackTraceElement userSite() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            String c = e.getClassName();
            int nested = c.indexOf('$');
            if (!ENGINE_CLASSES.contains(nested < 0 ? c : c.substring(0, nested))) {
                return e;
            }
        }
        return null;
    }

    // ---- backward -----------------------------------------------------------------------------

    /**
     * Back-propagates {@code seed} (the gradient of some scalar with respect to {@code root}) to every
     * leaf below {@code root} that requires a gradient.
     */
    static void backward(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        boolean anomaly = isAnomalyDetectionEnabled();
        // Backward rules are built from ops; their intermediate values are checked as the rule's
        // result below (naming the op being differentiated), not as forward values.
        int[] anomalyDepth = ANOMALY_DEPTH.get();
        int savedAnomalyDepth = anomalyDepth[0];
        anomalyDepth[0] = 0;
        try (Scope ignored = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                g = t.applyHook(g);
                if (t.retainsGrad()) {
                    t.accumulateGrad(g);
                }
                Node node = t.node();
                if (node == null) {
                    continue;
                }
                node.checkInputsUnchanged();
                Tensor[] dx = node.backward.apply(g);
                if (dx == null || dx.length != node.inputs.length) {
                    throw new IllegalStateException(node.op + ": backward rule returned "
                            + (dx == null ? "null" : dx.length + " gradients") + " for " + node.inputs.length + " inputs");
                }
                for (int k = 0; k < node.inputs.length; k++) {
                    Tensor in = node.inputs[k];
                    if (!in.requiresGrad() || dx[k] == null) {
                        continue;
                    }
                    if (!dx[k].shape().equals(in.shape()) || dx[k].dtype() != in.dtype()) {
                        throw new IllegalStateException(node.op + ": backward rule returned a gradient " + dx[k].dtype()
                                + " " + dx[k].shape() + " for input " + k + " of " + in.dtype() + " " + in.shape());
                    }
                    if (anomaly && !dx[k].allFinite()) {
                        throw new AnomalyException(node.op + ": backward produced NaN or Inf for input " + k
                                + "; inputs " + node.describeInputs()
                                + (node.site == null ? "" : "; created at " + node.site));
                    }
                    grads.merge(in, dx[k], Tensor::add);
                }
            }
        } finally {
            anomalyDepth[0] = savedAnomalyDepth;
        }
    }

    /** Tensors below {@code root} that require a gradient, inputs before outputs (iterative DFS). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int k = nextChild.pop();
            Node node = t.node();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs;
            // Advance to the next unvisited input that takes part in the gradient.
            while (k < inputs.length && (!inputs[k].requiresGrad() || visited.containsKey(inputs[k]))) {
                k++;
            }
            if (k < inputs.length) {
                nextChild.push(k + 1);
                visited.put(inputs[k], Boolean.TRUE);
                stack.push(inputs[k]);
                nextChild.push(0);
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
