package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.nn.dist.Distribution;

/**
 * {@code K} draws {@code z_k ~ q(z|x)} for a batch {@code x: [B, X]} and the three densities at them, every
 * one {@code [K, B]}:
 *
 * <pre>
 *   log w_k = log p(x | z_k) + log p(z_k) − log q(z_k | x)
 * </pre>
 *
 * The decoder runs once on all {@code K·B} codes. How {@code log q} carries gradient is the estimator's
 * choice ({@link Estimator#draw}).
 *
 * @param q           the posterior {@code q(z|x)} the draws came from
 * @param prior       the prior {@code p(z)} they were scored under
 * @param z           {@code [K, B, D]}
 * @param logPxGivenZ {@code log p(x | z_k)}
 * @param logPz       {@code log p(z_k)}
 * @param logQz       {@code log q(z_k | x)}
 */
public record Particles(Distribution q, Distribution prior, Tensor z, Tensor logPxGivenZ, Tensor logPz,
                        Tensor logQz) {

    /** Draws {@code k} particles per data point of {@code x} and scores them. */
    public static Particles draw(Vae vae, Tensor x, int k, Estimator estimator, Rng rng) {
        if (k < 1) {
            throw new IllegalArgumentException("Particles.draw: need at least one sample per data point, got K=" + k);
        }
        Distribution q = vae.posterior().q(x);
        Distribution prior = vae.prior().p();
        Distribution.Sample s = estimator.draw(q, rng, k);
        Tensor z = s.value();
        return new Particles(q, prior, z, vae.decoder().p(z).logProb(x), prior.logProb(z), s.logProb());
    }

    /** {@code K}. */
    public int count() {
        return z.dim(0);
    }

    /** {@code log w = log p(x|z) + log p(z) − log q(z|x)}, {@code [K, B]}. */
    public Tensor logW() {
        return logPxGivenZ.add(logPz).sub(logQz);
    }
}
