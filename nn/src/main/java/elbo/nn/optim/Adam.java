package elbo.nn.optim;

import elbo.core.DType;
import elbo.core.Tensor;
import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.nn.Module;

import java.util.Map;

/**
 * Adam (Kingma &amp; Ba, 2015) with bias correction and optional L2 weight decay, with PyTorch's
 * conventions ({@code torch.optim.Adam}); {@link AdamW} is the decoupled-weight-decay variant.
 *
 * <p>For each parameter {@code θ} with gradient {@code ∇}, learning rate {@code η}, decay rates
 * {@code β₁, β₂}, {@code ε} and weight decay {@code λ}, on the parameter's {@code t}-th update
 * ({@code t = 1, 2, ...}; {@code m₀ = v₀ = 0}):
 * <pre>
 *   g  ← ∇ + λ·θ                       (Adam: L2 penalty through the gradient)
 *   θ  ← θ·(1 − η·λ)                    (AdamW instead: decoupled decay, g ← ∇)
 *   m  ← β₁·m + (1 − β₁)·g             (first-moment estimate)
 *   v  ← β₂·v + (1 − β₂)·g²            (second-moment estimate)
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)   (bias correction)
 *   θ  ← θ − η · m̂ / (√v̂ + ε)
 * </pre>
 * On the first update {@code m̂ = g} and {@code v̂ = g²}, so the step is {@code −η·g/(|g| + ε)}, i.e.
 * {@code −η·sign(g)} when {@code ε ≪ |g|}. The IWAE paper (Burda et al., 2016) used {@code β₁ = 0.9},
 * {@code β₂ = 0.999}, {@code ε = 1e-4}: {@code new Adam(model, 1e-3, 0.9, 0.999, 1e-4, 0)}.
 *
 * <p>{@code t} is counted per parameter (a parameter skipped for lack of a gradient keeps its count),
 * as in PyTorch. The update is one fused kernel call per parameter ({@code Kernels.adamUpdate}): float64
 * parameters in double; float32 parameters in float arithmetic by the vector kernels (in double, rounded
 * once, by the scalar reference kernels). Either way it is deterministic, so a resumed run is exact.
 *
 * <p>State dict: {@code step}, {@code lr}, {@code beta1}, {@code beta2}, {@code eps},
 * {@code weight_decay}, and per parameter {@code step.<path>} (its {@code t}),
 * {@code exp_avg.<path>} ({@code m}) and {@code exp_avg_sq.<path>} ({@code v}).
 */
public sealed class Adam extends Optimizer permits AdamW {
    /** The fused update kernel (vectorised when the Vector API is present). */
    private static final Kernels KERNELS = KernelProvider.get();

    /** State-dict key prefix of the first-moment buffers {@code m}. */
    public static final String EXP_AVG = "exp_avg";
    /** State-dict key prefix of the second-moment buffers {@code v}. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    /** State-dict key prefix of the per-parameter update counts {@code t}. */
    public static final String PARAMETER_STEP = "step";

    private final boolean decoupledWeightDecay;
    private double beta1;
    private double beta2;
    private double eps;
    private double weightDecay;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final long[] updates;

    /**
     * Adam with PyTorch's defaults {@code β₁ = 0.9, β₂ = 0.999, ε = 1e-8}, no weight decay.
     *
     * @throws IllegalArgumentException if the learning rate is negative or not finite, or the module has
     *                                  no parameters
     */
    public Adam(Module module, double learningRate) {
        this(module.namedParameters(), learningRate, 0.9, 0.999, 1e-8, 0.0);
    }

    /** Adam on {@code module}'s parameters; see {@link #Adam(Map, double, double, double, double, double)}. */
    public Adam(Module module, double learningRate, double beta1, double beta2, double eps, double weightDecay) {
        this(module.namedParameters(), learningRate, beta1, beta2, eps, weightDecay);
    }

    /**
     * Adam on the given parameters.
     *
     * @param beta1       {@code β₁} in [0, 1)
     * @param beta2       {@code β₂} in [0, 1)
     * @param eps         {@code ε ≥ 0}, added to {@code √v̂} for numerical stability
     * @param weightDecay {@code λ ≥ 0}, coupled L2 penalty
     * @throws IllegalArgumentException if a hyper-parameter is out of range or there are no parameters
     */
    public Adam(Map<String, Tensor> namedParameters, double learningRate, double beta1, double beta2, double eps,
                double weightDecay) {
        this(namedParameters, learningRate, beta1, beta2, eps, weightDecay, false);
    }

    Adam(Map<String, Tensor> namedParameters, double learningRate, double beta1, double beta2, double eps,
         double weightDecay, boolean decoupledWeightDecay) {
        super(namedParameters, learningRate);
        String who = getClass().getSimpleName();
        checkRange(who, "beta1", beta1, 0.0, 1.0);
        checkRange(who, "beta2", beta2, 0.0, 1.0);
        if (!(eps > 0.0) || !Double.isFinite(eps)) {
            // eps = 0 makes 0 / (sqrt(0) + 0) = NaN for any entry whose gradient has always been zero
            throw new IllegalArgumentException(who + ": eps must be finite and > 0, got " + eps);
        }
        if (!(weightDecay >= 0.0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException(who + ": weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.decoupledWeightDecay = decoupledWeightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        int n = parameterCount();
        this.expAvg = new Tensor[n];
        this.expAvgSq = new Tensor[n];
        this.updates = new long[n];
        for (int i = 0; i < n; i++) {
            expAvg[i] = bufferLike(parameter(i));
            expAvgSq[i] = bufferLike(parameter(i));
        }
    }

    private static void checkRange(String who, String name, double v, double lo, double hiExclusive) {
        if (!(v >= lo && v < hiExclusive)) {
            throw new IllegalArgumentException(who + ": " + name + " must be in [" + lo + ", " + hiExclusive + "), got " + v);
        }
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad) {
        long t = ++updates[index];
        double lr = learningRate();
        double biasCorrection1 = 1.0 - Math.pow(beta1, t);
        double biasCorrection2 = 1.0 - Math.pow(beta2, t);
        double l2 = decoupledWeightDecay ? 0.0 : weightDecay;
        double shrink = decoupledWeightDecay ? 1.0 - lr * weightDecay : 1.0;
        if (parameter.dtype() == DType.FLOAT32) {
            KERNELS.adamUpdate(parameter.f32(), grad.f32(), expAvg[index].f32(), expAvgSq[index].f32(),
                    parameter.numel(), beta1, beta2, lr, eps, biasCorrection1, biasCorrection2, l2, shrink);
        } else {
            KERNELS.adamUpdate(parameter.f64(), grad.f64(), expAvg[index].f64(), expAvgSq[index].f64(),
                    parameter.numel(), beta1, beta2, lr, eps, biasCorrection1, biasCorrection2, l2, shrink);
        }
    }

    @Override
    protected void saveState(Map<String, Tensor> out) {
        out.put("beta1", scalar(beta1));
        out.put("beta2", scalar(beta2));
        out.put("eps", scalar(eps));
        out.put("weight_decay", scalar(weightDecay));
        for (int i = 0; i < parameterCount(); i++) {
            String name = parameterName(i);
            out.put(PARAMETER_STEP + "." + name, scalar(updates[i]));
            out.put(EXP_AVG + "." + name, expAvg[i]);
            out.put(EXP_AVG_SQ + "." + name, expAvgSq[i]);
        }
    }

    @Override
    protected void validateState(Map<String, Tensor> state) {
        requireInRange(state, "beta1", 0.0, 1.0, true);
        requireInRange(state, "beta2", 0.0, 1.0, true);
        requireInRange(state, "eps", 0.0, Double.MAX_VALUE, false);
        requireInRange(state, "weight_decay", 0.0, Double.MAX_VALUE, false);
        for (int i = 0; i < parameterCount(); i++) {
            requireCount(state, PARAMETER_STEP + "." + parameterName(i));
        }
    }

    @Override
    protected void restoreState(Map<String, Tensor> state) {
        beta1 = state.get("beta1").item();
        beta2 = state.get("beta2").item();
        eps = state.get("eps").item();
        weightDecay = state.get("weight_decay").item();
        for (int i = 0; i < parameterCount(); i++) {
            String name = parameterName(i);
            updates[i] = (long) state.get(PARAMETER_STEP + "." + name).item();
            expAvg[i].copyFrom(state.get(EXP_AVG + "." + name));
            expAvgSq[i].copyFrom(state.get(EXP_AVG_SQ + "." + name));
        }
    }
}
