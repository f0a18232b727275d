package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.nn.dist.Kl;

import java.util.Optional;

/**
 * The evidence lower bound and its β / free-bits variants:
 *
 * <pre>
 *   ELBO(x)  = E_q log p(x|z) − KL(q(z|x) ‖ p(z))  ≤ log p(x)
 *   loss     = −(1/B) Σ_b E_q log p(x_b|z) + β(t) · KL term
 *   KL term  = (1/B) Σ_b KL(x_b),  or with free bits Σ_g max(λ, (1/B) Σ_b KL_g(x_b))
 * </pre>
 *
 * {@code E_q} is a Monte Carlo mean over {@code samples} draws; the KL is analytic when {@link Kl} knows
 * the pair (Gaussian posterior, standard or Gaussian prior), otherwise — and always with STL, whose
 * estimator is {@code log q} under stopped parameters — {@code (1/K) Σ_k log q(z_k|x) − log p(z_k)} from the
 * same draws. The reported {@code bound} is the true ELBO ({@code β = 1}, no free
 * bits) whatever the loss.
 *
 * @param samples   {@code K ≥ 1} draws per data point
 * @param beta      {@code β(t)}
 * @param freeBits  {@link FreeBits#NONE} for none
 * @param estimator reparameterised or STL (DReG is an IWAE estimator)
 */
public record Elbo(int samples, BetaSchedule beta, FreeBits freeBits, Estimator estimator) implements Objective {

    /**
     * @throws IllegalArgumentException if {@code samples < 1}, the estimator is DReG, or STL is combined with
     *                                  free bits per group (which need the analytic KL per dimension)
     */
    public Elbo {
        if (samples < 1) {
            throw new IllegalArgumentException("Elbo: samples must be at least 1, got " + samples);
        }
        if (estimator instanceof DoublyReparameterised) {
            throw new IllegalArgumentException("Elbo: DReG is an estimator of the IWAE gradient; for the ELBO use "
                    + "stl (DReG with K = 1 equals STL)");
        }
        if (!estimator.allowsAnalyticKl() && freeBits.lambda() > 0 && freeBits.groupSize() > 0) {
            throw new IllegalArgumentException("Elbo: STL takes the KL from the draws, but free bits per group of "
                    + freeBits.groupSize() + " need the analytic KL per dimension; use one group (group size 0)");
        }
    }

    /** The plain ELBO: one draw, β = 1, no free bits, reparameterised. */
    public static Elbo standard() {
        return new Elbo(1, new BetaSchedule.Constant(1.0), FreeBits.NONE, new Reparameterised());
    }

    @Override
    public Loss loss(Vae vae, Tensor x, Rng rng, double epoch) {
        Particles p = Particles.draw(vae, x, samples, estimator, rng);
        Tensor reconstruction = p.logPxGivenZ().mean(0, false);                                  // [B]
        Optional<Tensor> klPerDim = Kl.perDimension(p.q(), p.prior());                           // [B, D]
        boolean fromDraws = klPerDim.isEmpty() || !estimator.allowsAnalyticKl();       // STL: from the draws
        Tensor kl = fromDraws ? p.logQz().sub(p.logPz()).mean(0, false)                         // [B]
                : klPerDim.get().sum(-1, false);
        double b = beta.at(epoch);
        Tensor klTerm = freeBits.penalty(kl, klPerDim.orElse(null));
        Tensor value = reconstruction.mean().neg().add(klTerm.mul(b));                          // −RE + β·KL
        return new Loss(value, reconstruction.sub(kl).detach(), reconstruction.detach(), kl.detach(),
                klPerDim.map(k -> k.mean(0, false).detach()).orElse(null), p.logW().detach(), b);
    }
}
