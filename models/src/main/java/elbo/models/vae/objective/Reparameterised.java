package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.nn.dist.Distribution;

/**
 * The reparameterisation estimator (Kingma &amp; Welling 2014): {@code z = μ + σ ⊙ ε} and
 * {@code log q_φ(z|x)} with {@code φ} live, so the gradient is the exact gradient of the Monte Carlo
 * objective, path and score terms both.
 */
public record Reparameterised() implements Estimator {

    /** {@code z ~ q} and {@code log q(z)} in one call (a flow scores its sample from its forward pass). */
    @Override
    public Distribution.Sample draw(Distribution q, Rng rng, int k) {
        return q.rsampleWithLogProb(rng, k);
    }

    @Override
    public String toString() {
        return "reparam";
    }
}
