package elbo.nn.optim;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Tensor;
import elbo.nn.Module;
import elbo.nn.StateDictException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer over a fixed set of named parameters: {@link #step()} moves every parameter
 * that has a gradient by a rule of its gradient and of the optimizer's own state (momentum, moment
 * estimates), in place.
 *
 * <p><b>Training loop.</b>
 * <pre>{@code
 * Optimizer opt = new Adam(model, 1e-3);
 * for (...) {
 *     opt.zeroGrad();
 *     Tensor loss = ...;          // forward
 *     loss.backward();
 *     opt.clipGradNorm(10.0);     // optional
 *     opt.step();
 * }
 * }</pre>
 *
 * <p><b>Updates</b> run inside {@link Autograd#noGrad()} and write straight into the parameters' backing
 * arrays ({@link Tensor#f32()}/{@link Tensor#f64()}), so they are never recorded and never replace a
 * parameter tensor: the module keeps seeing the same objects. All state buffers are allocated when the
 * optimizer is built, so a step allocates nothing per parameter. A parameter whose {@link Tensor#grad()}
 * is {@code null} (it did not take part in the last backward) is skipped: neither it nor its state
 * changes.
 *
 * <p><b>State dict.</b> {@link #stateDict()} holds everything a resumed run needs to continue
 * bitwise-identically: the step count ({@code step}), the learning rate ({@code lr}), the other
 * hyper-parameters, and per-parameter buffers keyed {@code <buffer>.<parameter path>}, e.g.
 * {@code exp_avg.encoder.0.weight}. Scalars are rank-0 {@link DType#FLOAT64} tensors; buffers have their
 * parameter's shape and dtype. {@link #loadStateDict} validates everything before changing anything
 * and, as in PyTorch, restores the saved hyper-parameters along with the buffers.
 */
public abstract class Optimizer {
    /** State-dict key of the number of {@link #step()} calls so far. */
    public static final String STEP_KEY = "step";
    /** State-dict key of the learning rate. */
    public static final String LEARNING_RATE_KEY = "lr";

    private final String[] names;
    private final Tensor[] params;
    private final List<Tensor> parameterList;
    private double learningRate;
    private long steps;

    /**
     * An optimizer over the given parameters, keyed by their paths.
     *
     * @throws IllegalArgumentException if there are no parameters, one tensor appears under two paths, or
     *                                  the learning rate is negative or not finite
     */
    protected Optimizer(Map<String, Tensor> namedParameters, double learningRate) {
        if (namedParameters.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        }
        this.names = namedParameters.keySet().toArray(new String[0]);
        this.params = namedParameters.values().toArray(new Tensor[0]);
        for (int i = 0; i < params.length; i++) {
            for (int j = 0; j < i; j++) {
                if (params[i] == params[j]) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": the same tensor is registered as '"
                            + names[j] + "' and '" + names[i] + "'; it would be updated twice per step");
                }
            }
        }
        this.parameterList = List.of(params);
        this.learningRate = checkedLearningRate(learningRate);
    }

    /** An optimizer over {@code module.namedParameters()}. */
    protected Optimizer(Module module, double learningRate) {
        this(module.namedParameters(), learningRate);
    }

    // ---- the update -------------------------------------------------------------------------------

    /**
     * Counts the step and applies one update to every parameter that has a gradient, in place. Nothing
     * is recorded on the autodiff tape.
     */
    @SuppressWarnings("try") // the no-grad scope is used only for its effect
    public final void step() {
        steps++;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int i = 0; i < params.length; i++) {
                Tensor grad = params[i].grad();
                if (grad != null) {
                    update(i, params[i], grad);
                    params[i].markModified(); // a graph built on the old values can no longer run backward
                }
            }
        }
    }

    /**
     * Updates parameter {@code index} in place from its gradient (same shape and dtype), using and
     * advancing its state. Called only for parameters whose gradient is non-null.
     */
    protected abstract void update(int index, Tensor parameter, Tensor grad);

    /** Clears the gradient of every parameter (so the next backward does not accumulate onto it). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /**
     * Clips the gradients of this optimizer's parameters by their global L2 norm; see
     * {@link GradientClipping#clipByGlobalNorm(Iterable, double)}.
     *
     * @return the global norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is not positive and finite
     */
    public double clipGradNorm(double maxNorm) {
        return GradientClipping.clipByGlobalNorm(parameterList, maxNorm);
    }

    // ---- accessors --------------------------------------------------------------------------------

    /** The current learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate used by the next {@link #step()} (e.g. from a {@link LearningRateSchedule}).
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite
     */
    public void setLearningRate(double lr) {
        this.learningRate = checkedLearningRate(lr);
    }

    private static double checkedLearningRate(double lr) {
        if (!(lr >= 0.0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("optimizer: learning rate must be finite and >= 0, got " + lr);
        }
        return lr;
    }

    /** The number of {@link #step()} calls so far (restored by {@link #loadStateDict}). */
    public long stepCount() {
        return steps;
    }

    /** The optimized parameters by path, in the order they are updated. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], params[i]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** The path of parameter {@code index}. */
    protected final String parameterName(int index) {
        return names[index];
    }

    /** The number of parameters. */
    protected final int parameterCount() {
        return params.length;
    }

    /** Parameter {@code index}. */
    protected final Tensor parameter(int index) {
        return params[index];
    }

    // ---- state dict -------------------------------------------------------------------------------

    /**
     * The optimizer state: {@code step}, {@code lr}, the subclass's hyper-parameters (rank-0 float64
     * tensors, fresh copies) and its per-parameter buffers (the live tensors: copy them if you need a
     * snapshot that later steps do not change).
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(STEP_KEY, scalar(steps));
        out.put(LEARNING_RATE_KEY, scalar(learningRate));
        saveState(out);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Checks that {@code state} could be loaded: exactly the names of {@link #stateDict()}, each with the
     * same shape and dtype, and valid values (a whole non-negative step count, a valid learning rate and
     * hyper-parameters). Changes nothing.
     *
     * @throws StateDictException naming the first missing, unexpected, mismatched or invalid entry
     */
    public final void validateStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        String who = getClass().getSimpleName();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            Tensor mine = e.getValue();
            if (src == null) {
                throw new StateDictException(who + ".loadStateDict: missing entry '" + e.getKey() + "' (expected "
                        + mine.dtype() + " " + mine.shape() + ")");
            }
            if (!src.shape().equals(mine.shape()) || src.dtype() != mine.dtype()) {
                throw new StateDictException(who + ".loadStateDict: entry '" + e.getKey() + "' is " + src.dtype() + " "
                        + src.shape() + " but this optimizer has " + mine.dtype() + " " + mine.shape());
            }
        }
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) {
                throw new StateDictException(who + ".loadStateDict: unexpected entry '" + name + "'");
            }
        }
        requireCount(state, STEP_KEY);
        double lr = state.get(LEARNING_RATE_KEY).item();
        if (!(lr >= 0.0) || !Double.isFinite(lr)) {
            throw new StateDictException(who + ".loadStateDict: entry 'lr' must be finite and >= 0, got " + lr);
        }
        validateState(state);
    }

    /**
     * Replaces the whole optimizer state (step count, hyper-parameters, buffers) by {@code state}, so
     * that the next {@link #step()} continues a saved run exactly. Validates first
     * ({@link #validateStateDict}); on failure nothing changes.
     *
     * @throws StateDictException naming the first missing, unexpected, mismatched or invalid entry
     */
    @SuppressWarnings("try") // the no-grad scope is used only for its effect
    public final void loadStateDict(Map<String, Tensor> state) {
        validateStateDict(state);
        steps = (long) state.get(STEP_KEY).item();
        learningRate = state.get(LEARNING_RATE_KEY).item();
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            restoreState(state);
        }
    }

    /**
     * Adds the subclass's hyper-parameters (as {@link #scalar} tensors) and live per-parameter buffers
     * (keyed {@code <buffer>.<parameter path>}) to {@code out}, in a fixed order.
     */
    protected abstract void saveState(Map<String, Tensor> out);

    /**
     * Checks the values of the subclass's entries in {@code state}, whose names, shapes and dtypes are
     * already known to match {@link #stateDict()}. Must not change anything.
     *
     * @throws StateDictException naming the invalid entry
     */
    protected abstract void validateState(Map<String, Tensor> state);

    /**
     * Copies the subclass's hyper-parameters and buffers from a validated {@code state}. Cannot fail.
     */
    protected abstract void restoreState(Map<String, Tensor> state);

    // ---- helpers for subclasses -------------------------------------------------------------------

    /** A rank-0 float64 tensor holding {@code value}: the representation of state-dict scalars. */
    protected static Tensor scalar(double value) {
        return Tensor.scalar(value, DType.FLOAT64);
    }

    /**
     * A zero-filled buffer with the shape and dtype of {@code like} (state that lives beside a parameter).
     */
    protected static Tensor bufferLike(Tensor like) {
        Tensor zeros = Tensor.zeros(like.dtype(), like.shape());
        // copy() is heap storage even inside a Workspace scope: optimizer state outlives every step
        return zeros.isWorkspaceScratch() ? zeros.copy() : zeros;
    }

    /**
     * The value of the rank-0 entry {@code key}, checked to lie in {@code [lo, hi]} (or {@code [lo, hi)}
     * when {@code hiExclusive}).
     *
     * @throws StateDictException if the value is NaN or outside the range
     */
    protected final double requireInRange(Map<String, Tensor> state, String key, double lo, double hi, boolean hiExclusive) {
        double v = state.get(key).item();
        boolean ok = v >= lo && (hiExclusive ? v < hi : v <= hi);
        if (!ok) {
            throw new StateDictException(getClass().getSimpleName() + ".loadStateDict: entry '" + key + "' = " + v
                    + " is outside [" + lo + ", " + hi + (hiExclusive ? ")" : "]"));
        }
        return v;
    }

    /**
     * The value of the rank-0 entry {@code key}, checked to be a whole number in {@code [0, 2^53]} (a step
     * count stored exactly in a float64).
     *
     * @throws StateDictException otherwise
     */
    protected final long requireCount(Map<String, Tensor> state, String key) {
        double v = state.get(key).item();
        if (!(v >= 0.0 && v <= 0x1p53 && v == Math.rint(v))) {
            throw new StateDictException(getClass().getSimpleName() + ".loadStateDict: entry '" + key + "' = " + v
                    + " is not a whole non-negative count");
        }
        return (long) v;
    }
}
