package elbo.models.vae.prior;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.models.vae.posterior.Posterior;

/**
 * The VampPrior (Tomczak &amp; Welling 2018), the variational mixture of posteriors:
 *
 * <pre>
 *   p(z | λ) = (1/K) Σ_k q_φ(z | u_k),     u_k = hardtanh(ũ_k, 0, 1),     λ = (ũ_1 .. ũ_K)
 * </pre>
 *
 * {@code K} learnable pseudo-inputs pushed through the <em>same</em> encoder as the data (the posterior is
 * shared: a child of both this prior and the VAE, listed once), kept in the data range [0, 1] by the
 * hardtanh. It approximates the optimal prior, the aggregated posterior {@code (1/N) Σ_n q(z|x_n)}, with
 * {@code K ≪ N} components. Pseudo-inputs start at training images or at noise {@code N(0.05, 0.01²)}
 * (the paper's code).
 */
public final class VampPrior extends Prior {
    private final Posterior posterior;
    private final Tensor pseudoInputs;

    /**
     * @param initialInputs {@code [K, X]}: the raw pseudo-inputs' start (copied)
     * @throws ShapeException if {@code initialInputs} is not {@code [K, X]} with {@code X} the encoder's input size
     */
    public VampPrior(Posterior posterior, Tensor initialInputs) {
        if (initialInputs.rank() != 2 || initialInputs.dim(0) < 1 || initialInputs.dim(1) != posterior.inputSize()) {
            throw new ShapeException("VampPrior: pseudo-inputs of shape " + initialInputs.shape() + " are not [K, "
                    + posterior.inputSize() + "] with K ≥ 1");
        }
        this.posterior = child("posterior", posterior);
        this.pseudoInputs = parameter("pseudoInputs", initialInputs.detach().copy());
    }

    /** {@code K} pseudo-inputs drawn from {@code N(0.05, 0.01²)}, as in the paper's code. */
    public static VampPrior withNoise(Posterior posterior, int components, DType dtype, Rng rng) {
        if (components < 1) {
            throw new IllegalArgumentException("VampPrior: need at least one pseudo-input, got " + components);
        }
        return new VampPrior(posterior, rng.normal(dtype, components, posterior.inputSize()).mul(0.01).add(0.05));
    }

    /** {@code u = hardtanh(ũ, 0, 1)}: the pseudo-inputs as the encoder sees them, {@code [K, X]}. */
    public Tensor pseudoInputs() {
        return param(pseudoInputs).clamp(0.0, 1.0);
    }

    /** The raw parameter {@code ũ}. */
    public Tensor rawPseudoInputs() {
        return pseudoInputs;
    }

    @Override
    public PosteriorMixture p() {
        Tensor u = pseudoInputs();
        return new PosteriorMixture(posterior, u, u.dim(0));
    }

    @Override
    public int latentSize() {
        return posterior.latentSize();
    }
}
