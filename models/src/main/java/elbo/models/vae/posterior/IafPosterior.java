package elbo.models.vae.posterior;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.TransformedDistribution;
import elbo.nn.flow.Composition;
import elbo.nn.flow.Flows;

/**
 * A flow posterior (Kingma et al. 2016, inverse autoregressive flow): a Gaussian draw pushed through
 * {@code T} IAF steps that read the encoder's features {@code h(x)} as context,
 *
 * <pre>
 *   z₀ = μ(x) + σ(x) ⊙ ε,        z_t = f_t(z_{t-1}; h(x)),   t = 1..T
 *   log q(z_T|x) = log N(z₀; μ, σ²) − Σ_t log|det ∂z_t/∂z_{t-1}|
 * </pre>
 *
 * Sampling with its own density ({@code rsampleWithLogProb}) takes one MADE pass per step, so the
 * posterior is as cheap to train as the Gaussian; scoring an arbitrary {@code z} (the STL and DReG
 * estimators, a VampPrior built on it) inverts each step in {@code D} passes. Each step starts as the
 * identity, so a new IAF posterior is its Gaussian.
 */
public final class IafPosterior extends Posterior {
    private final GaussianPosterior gaussian;
    private final Composition flow;

    /**
     * {@code steps} IAF steps with MADEs of two hidden layers of width {@code flowHidden}, reading the
     * Gaussian encoder's features.
     *
     * @throws IllegalArgumentException if {@code steps} or {@code flowHidden} is not positive
     */
    public IafPosterior(GaussianPosterior gaussian, int steps, int flowHidden, DType dtype, Rng rng) {
        this.gaussian = child("gaussian", gaussian);
        this.flow = child("flow", Flows.iaf(gaussian.latentSize(), steps, flowHidden, gaussian.featureSize(), dtype,
                rng));
    }

    /** {@code N(μ(x), σ²(x))} pushed through {@code f(·; h(x))}. */
    @Override
    public TransformedDistribution q(Tensor x) {
        GaussianPosterior.Encoding e = gaussian.encode(x);
        return new TransformedDistribution(e.q(), flow.given(e.features()));
    }

    /** The Gaussian encoder underneath. */
    public GaussianPosterior gaussian() {
        return gaussian;
    }

    /** The IAF steps. */
    public Composition flow() {
        return flow;
    }

    @Override
    public int latentSize() {
        return gaussian.latentSize();
    }

    @Override
    public int inputSize() {
        return gaussian.inputSize();
    }
}
