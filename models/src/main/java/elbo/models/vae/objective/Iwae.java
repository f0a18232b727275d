package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;

/**
 * The importance-weighted bound (Burda, Grosse &amp; Salakhutdinov 2015):
 *
 * <pre>
 *   L_K(x) = E log (1/K) Σ_k w_k,    w_k = p(x, z_k) / q(z_k|x),   z_1..z_K ~ q(z|x)
 *   loss   = −(1/B) Σ_b L_K(x_b)
 * </pre>
 *
 * {@code log p(x) ≥ L_K ≥ L_M ≥ L_1 = ELBO} for {@code K ≥ M}. The {@code K} draws of a batch are stacked as
 * {@code [K, B, D]} and decoded in one pass; the log-mean-exp is max-shifted. The estimator sets the
 * encoder's gradient (reparameterised, STL or DReG); the reported reconstruction and KL are the ELBO's
 * parts estimated from the same draws.
 *
 * @param k         {@code K ≥ 1}
 * @param estimator how the gradient reaches the posterior
 */
public record Iwae(int k, Estimator estimator) implements Objective {

    /** @throws IllegalArgumentException if {@code k < 1} */
    public Iwae {
        if (k < 1) {
            throw new IllegalArgumentException("Iwae: K must be at least 1, got " + k);
        }
    }

    @Override
    public Loss loss(Vae vae, Tensor x, Rng rng, double epoch) {
        Particles p = Particles.draw(vae, x, k, estimator, rng);
        Tensor bound = estimator.iwae(p);                                       // L_K per data point, [B]
        Tensor reconstruction = p.logPxGivenZ().mean(0, false).detach();
        Tensor kl = p.logQz().sub(p.logPz()).mean(0, false).detach();
        return new Loss(bound.mean().neg(), bound.detach(), reconstruction, kl, null, p.logW().detach(), 1.0);
    }

    @Override
    public int samples() {
        return k;
    }
}
