package elbo.nn;

import elbo.core.Autograd;
import elbo.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tree of named parameters, buffers and child modules, as in PyTorch's {@code nn.Module}.
 *
 * <p>Names are dotted paths in registration order ({@code encoder.layers.0.weight}). Parameters are
 * leaf tensors with {@code requiresGrad(true)}; buffers are state that is saved but not trained. The
 * state dict (parameters, then buffers, by path) is what checkpoints write and optimizers key on.
 * Subclasses register everything in their constructor and define their own {@code forward}; layers
 * that map one tensor to one tensor extend {@link Layer}.
 *
 * <p><b>Shared children.</b> A module may be the child of two parents (a VampPrior holds the encoder that
 * the VAE holds too); it is listed once, under the first path that reaches it, so optimizers and
 * checkpoints see each parameter once.
 *
 * <p><b>Parameters as constants.</b> Inside {@link #asConstants()} this module's parameters act as
 * constants on the current thread: every layer reads its parameters through {@link #param}, which
 * returns a detached alias there, so gradients still flow through the module's inputs but none reach
 * its parameters (the stop-gradient that STL and DReG need).
 */
public abstract class Module {
    /** Per thread: parameters currently held constant, with the number of open scopes holding each. */
    private static final ThreadLocal<Map<Tensor, Integer>> CONSTANTS = ThreadLocal.withInitial(IdentityHashMap::new);

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * Registers {@code t} as a trainable parameter named {@code name} and marks it requiresGrad.
     *
     * @return {@code t}
     * @throws IllegalArgumentException if the name is empty, contains '.', or is already taken
     * @throws IllegalStateException    if {@code t} is workspace scratch (the module is built inside a
     *                                  {@link elbo.core.Workspace} scope)
     */
    protected Tensor parameter(String name, Tensor t) {
        checkName(name);
        checkLongLived(name, t);
        parameters.put(name, t.requiresGrad(true));
        return t;
    }

    /** Registers {@code t} as a buffer: saved in the state dict, not trained. */
    protected Tensor buffer(String name, Tensor t) {
        checkName(name);
        checkLongLived(name, t);
        buffers.put(name, t);
        return t;
    }

    /** Registers a child module whose entries appear under {@code name.}. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /** Parameters and buffers outlive any training step, so they must not borrow a step's storage. */
    private void checkLongLived(String name, Tensor t) {
        if (t.isWorkspaceScratch()) {
            throw new IllegalStateException(getClass().getSimpleName() + ": '" + name + "' was created inside a "
                    + "Workspace scope and would die when it closes; build modules outside the scope");
        }
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module entry name '" + name + "' must be non-empty and have no '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("module entry name '" + name + "' registered twice in "
                    + getClass().getSimpleName());
        }
    }

    /**
     * Opens a scope (this thread; scopes nest) in which the parameters of this module and its children
     * are constants: forward passes inside it record no path to them, while gradients with respect to
     * the inputs are unchanged. Values are shared, so later updates are seen. Use with try-with-resources.
     */
    public final Autograd.Scope asConstants() {
        List<Tensor> held = parameters();
        Map<Tensor, Integer> constants = CONSTANTS.get();
        for (Tensor p : held) {
            constants.merge(p, 1, Integer::sum);
        }
        return () -> {
            for (Tensor p : held) {
                constants.computeIfPresent(p, (k, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /**
     * How a layer reads a parameter in its forward pass: the parameter itself, or its detached alias
     * inside an {@link #asConstants()} scope of a module that owns it.
     */
    protected static Tensor param(Tensor parameter) {
        Map<Tensor, Integer> constants = CONSTANTS.get();
        return !constants.isEmpty() && constants.containsKey(parameter) ? parameter.detach() : parameter;
    }

    /** Every trainable parameter by dotted path, in registration order (children depth-first). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    /** The parameters in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters and buffers by dotted path: what a checkpoint saves. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, Collections.newSetFromMap(new IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    /** Depth-first, each module once: a child reached a second time (shared) is skipped. */
    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers, Set<Module> seen) {
        if (!seen.add(this)) {
            return;
        }
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers, seen));
    }

    /** The direct children by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /**
     * Copies {@code state} into this module's parameters and buffers. Everything is validated first
     * (every name present, none unexpected, shapes and dtypes equal), so on failure nothing changes.
     *
     * @throws StateDictException naming the first missing, unexpected or mismatched entry
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                throw new StateDictException("loadStateDict: missing entry '" + e.getKey() + "' (expected "
                        + e.getValue().dtype() + " " + e.getValue().shape() + ")");
            }
            if (!src.shape().equals(e.getValue().shape()) || src.dtype() != e.getValue().dtype()) {
                throw new StateDictException("loadStateDict: entry '" + e.getKey() + "' is " + src.dtype() + " "
                        + src.shape() + " but the module has " + e.getValue().dtype() + " " + e.getValue().shape());
            }
        }
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) {
                throw new StateDictException("loadStateDict: unexpected entry '" + name + "' in " + getClass().getSimpleName());
            }
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            own.forEach((name, t) -> t.copyFrom(state.get(name)));
        }
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor p : namedParameters().values()) {
            p.zeroGrad();
        }
    }

    /** Sets training (true) or evaluation (false) mode on this module and all children. */
    public void train(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.train(on);
        }
    }

    /** Evaluation mode: {@code train(false)}. */
    public void eval() {
        train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** One line per parameter: name, shape, count; then the total. */
    public String summary() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('\n');
        namedParameters().forEach((k, v) -> sb.append(String.format("  %-40s %-16s %,d%n", k, v.shape(), v.numel())));
        return sb.append(String.format("  total parameters: %,d", parameterCount())).toString();
    }
}
