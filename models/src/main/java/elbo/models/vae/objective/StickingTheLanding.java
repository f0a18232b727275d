package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.Distribution;

/**
 * Sticking the landing (Roeder, Wu &amp; Duvenaud 2017): score the reparameterised sample under the
 * posterior with its parameters stopped,
 *
 * <pre>
 *   log q(z|x) := log q_{⊥φ}(z|x),   z = g_φ(ε)
 * </pre>
 *
 * so the gradient keeps the path derivative {@code ∂ log q/∂z · ∂z/∂φ} and drops the score term
 * {@code ∂ log q_φ(z)/∂φ}, whose expectation is zero. When {@code q} is the true posterior the
 * remaining gradient is exactly zero for every {@code ε}. (A flow posterior is scored through its
 * inverse here, {@code D} passes per IAF step.)
 */
public record StickingTheLanding() implements Estimator {

    @Override
    public Distribution.Sample draw(Distribution q, Rng rng, int k) {
        Tensor z = q.rsample(rng, k);
        return new Distribution.Sample(z, q.detached().logProb(z));
    }

    @Override
    public String toString() {
        return "stl";
    }

    @Override
    public boolean allowsAnalyticKl() {
        return false;
    }
}
