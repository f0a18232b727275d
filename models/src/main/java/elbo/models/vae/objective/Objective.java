package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;

/**
 * A training objective of the VAE family: {@link Elbo} (with β schedules and free bits) or {@link Iwae}.
 * Both are lower bounds on {@code log p(x)}, estimated by Monte Carlo from draws of the posterior.
 */
public sealed interface Objective permits Elbo, Iwae {

    /**
     * The loss on the batch {@code x: [B, X]} at training time {@code epoch} (fractional epochs; it sets
     * β), drawing the posterior's noise from {@code rng}.
     */
    Loss loss(Vae vae, Tensor x, Rng rng, double epoch);

    /** The number of posterior draws per data point. */
    int samples();

    /** How the gradient reaches the posterior. */
    Estimator estimator();
}
