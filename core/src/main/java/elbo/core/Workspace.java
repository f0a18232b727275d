package elbo.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-thread arena for the tensors of one training step, so that steady-state training allocates
 * (almost) nothing and does not churn the garbage collector.
 *
 * <pre>{@code
 * try (Workspace ws = Workspace.open()) {
 *     Tensor loss = model.loss(batch);
 *     optimizer.zeroGrad();
 *     loss.backward();
 *     optimizer.step();
 *     lossValue = loss.item();          // read what you need inside the scope
 * }
 * }</pre>
 *
 * <p><b>Rules.</b> Inside the scope every new tensor takes its storage from the workspace's pool (zeroed,
 * as a fresh array would be, unless the op that asks for it writes every element). When the scope
 * closes, all of that storage returns to the pool for the next step, and the tensors made in the scope
 * are <em>dead</em>: any later access to their values throws an
 * {@link IllegalStateException} instead of reading recycled memory. Three things outlive the scope:
 * tensors made before it (parameters, optimizer state), gradients accumulated into leaves made before it
 * (they are always heap-allocated), and {@link Tensor#copy()}s, which are heap-allocated on purpose:
 * copy what must survive.
 *
 * <p>Scopes nest; only the outermost close recycles. A workspace belongs to one thread.
 */
public final class Workspace implements AutoCloseable {
    private static final ThreadLocal<Workspace> CURRENT = ThreadLocal.withInitial(Workspace::new);

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<double[]>> freeDoubles = new HashMap<>();
    private final List<float[]> lentFloats = new ArrayList<>();
    private final List<double[]> lentDoubles = new ArrayList<>();
    private int depth;
    private long epoch;
    private long arraysCreated;

    private Workspace() {
    }

    /**
     * Opens (or, if one is open on this thread, nests into) the thread's workspace scope.
     *
     * @return the scope, to close with try-with-resources
     */
    public static Workspace open() {
        Workspace ws = CURRENT.get();
        ws.depth++;
        return ws;
    }

    /** The open workspace of this thread, or {@code null} outside any scope. */
    static Workspace active() {
        Workspace ws = CURRENT.get();
        return ws.depth > 0 ? ws : null;
    }

    /** Ends this scope; the outermost close returns every array lent in it to the pool. */
    @Override
    public void close() {
        if (depth <= 0) {
            throw new IllegalStateException("Workspace closed more often than opened");
        }
        if (--depth > 0) {
            return;
        }
        for (float[] a : lentFloats) {
            freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        for (double[] a : lentDoubles) {
            freeDoubles.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        lentFloats.clear();
        lentDoubles.clear();
        epoch++;
    }

    /**
     * Releases this thread's pooled arrays to the garbage collector, e.g. after a phase with other
     * shapes (the pool keeps every array size it has lent).
     *
     * @throws IllegalStateException if a scope is open on this thread
     */
    public static void trim() {
        Workspace ws = CURRENT.get();
        if (ws.depth > 0) {
            throw new IllegalStateException("Workspace.trim() inside an open scope");
        }
        ws.freeFloats.clear();
        ws.freeDoubles.clear();
    }

    /** How many arrays this thread's workspace has ever created (reuse keeps this flat across steps). */
    public static long arraysCreated() {
        return CURRENT.get().arraysCreated;
    }

    /** How many arrays this scope has lent so far. */
    int lentArrays() {
        return lentFloats.size() + lentDoubles.size();
    }

    /**
     * Test support: fills every array lent in this scope with {@code v}, to stand for storage left dirty
     * by its last user.
     */
    void fillLent(double v) {
        for (float[] a : lentFloats) {
            java.util.Arrays.fill(a, (float) v);
        }
        for (double[] a : lentDoubles) {
            java.util.Arrays.fill(a, v);
        }
    }

    /**
     * A float array of length {@code n}, lent until the scope closes: zeroed if {@code zeroed}, else holding
     * whatever its last user left.
     */
    float[] floats(int n, boolean zeroed) {
        ArrayDeque<float[]> free = freeFloats.get(n);
        float[] a = free == null ? null : free.poll();
        if (a == null) {
            a = new float[n];
            arraysCreated++;
        } else if (zeroed) {
            java.util.Arrays.fill(a, 0f);
        }
        lentFloats.add(a);
        return a;
    }

    /**
     * A double array of length {@code n}, lent until the scope closes: zeroed if {@code zeroed}, else holding
     * whatever its last user left.
     */
    double[] doubles(int n, boolean zeroed) {
        ArrayDeque<double[]> free = freeDoubles.get(n);
        double[] a = free == null ? null : free.poll();
        if (a == null) {
            a = new double[n];
            arraysCreated++;
        } else if (zeroed) {
            java.util.Arrays.fill(a, 0.0);
        }
        lentDoubles.add(a);
        return a;
    }

    /** The current epoch: tensors lent in an earlier one are dead. */
    long epoch() {
        return epoch;
    }

    /** A tensor's claim on workspace storage: valid while the workspace is still in the same epoch. */
    record Lease(Workspace workspace, long epoch) {
        boolean alive() {
            return workspace.epoch == epoch;
        }
    }
}
