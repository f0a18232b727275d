package elbo.models.vae.prior;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.MixtureOfGaussians;

/**
 * A learnable mixture-of-Gaussians prior (the lecture's first learnable prior):
 *
 * <pre>
 *   p(z | λ) = Σ_k w_k N(z; μ_k, diag e^{v_k}),   w = softmax(a),   λ = (a, μ, v)
 * </pre>
 *
 * The logits start equal, the means at {@code N(0, I)} draws (so the components differ), the
 * log-variances at 0. The KL to it has no closed form: objectives use the Monte Carlo estimate.
 */
public final class MixturePrior extends Prior {
    private final Tensor logits;
    private final Tensor means;
    private final Tensor logVars;

    /** @throws IllegalArgumentException if {@code components} or {@code latentSize} is not positive */
    public MixturePrior(int components, int latentSize, DType dtype, Rng rng) {
        if (components < 1 || latentSize < 1) {
            throw new IllegalArgumentException("MixturePrior: need components ≥ 1 and latent size ≥ 1, got "
                    + components + " and " + latentSize);
        }
        this.logits = parameter("logits", Tensor.zeros(dtype, components));
        this.means = parameter("means", rng.normal(dtype, components, latentSize));
        this.logVars = parameter("logVars", Tensor.zeros(dtype, components, latentSize));
    }

    @Override
    public MixtureOfGaussians p() {
        return new MixtureOfGaussians(param(logits), param(means), param(logVars));
    }

    /** The weight logits {@code a: [K]}. */
    public Tensor logits() {
        return logits;
    }

    /** {@code μ: [K, D]}. */
    public Tensor means() {
        return means;
    }

    /** {@code v: [K, D]}. */
    public Tensor logVars() {
        return logVars;
    }

    @Override
    public int latentSize() {
        return means.dim(1);
    }
}
