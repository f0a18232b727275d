package elbo.nn.optim;

import elbo.core.Tensor;
import elbo.nn.Module;

import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter, 2019): {@link Adam} with <em>decoupled</em> weight decay, as PyTorch's
 * {@code torch.optim.AdamW}.
 *
 * <p>Instead of adding {@code λ·θ} to the gradient (which Adam then rescales by {@code 1/√v̂}, so
 * parameters with large gradients are barely decayed), the parameter is shrunk directly, uniformly:
 * <pre>
 *   θ  ← θ·(1 − η·λ)
 *   m  ← β₁·m + (1 − β₁)·∇,   v ← β₂·v + (1 − β₂)·∇²
 *   θ  ← θ − η · m̂ / (√v̂ + ε)      with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * </pre>
 * Both updates read the same {@code θ} (the value before this step). With a zero gradient the step is
 * exactly {@code θ ← θ·(1 − η·λ)}. The state dict has the same entries as {@link Adam}'s.
 */
public final class AdamW extends Adam {

    /**
     * AdamW with PyTorch's defaults {@code β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01}.
     *
     * @throws IllegalArgumentException if the learning rate is negative or not finite, or the module has
     *                                  no parameters
     */
    public AdamW(Module module, double learningRate) {
        this(module.namedParameters(), learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    /** AdamW on {@code module}'s parameters; see {@link #AdamW(Map, double, double, double, double, double)}. */
    public AdamW(Module module, double learningRate, double beta1, double beta2, double eps, double weightDecay) {
        this(module.namedParameters(), learningRate, beta1, beta2, eps, weightDecay);
    }

    /**
     * AdamW on the given parameters.
     *
     * @param beta1       {@code β₁} in [0, 1)
     * @param beta2       {@code β₂} in [0, 1)
     * @param eps         {@code ε ≥ 0}
     * @param weightDecay {@code λ ≥ 0}, decoupled: each step multiplies θ by {@code 1 − η·λ}
     * @throws IllegalArgumentException if a hyper-parameter is out of range or there are no parameters
     */
    public AdamW(Map<String, Tensor> namedParameters, double learningRate, double beta1, double beta2, double eps,
                 double weightDecay) {
        super(namedParameters, learningRate, beta1, beta2, eps, weightDecay, true);
    }
}
