package elbo.models.vae.prior;

import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.models.vae.posterior.Posterior;

/**
 * The aggregated posterior over a fixed set of {@code N} training images,
 *
 * <pre>
 *   q(z) = (1/N) Σ_n q(z | x_n),
 * </pre>
 *
 * the optimal prior of the ELBO-surgery slide: {@code KL(q(z) ‖ p(z)) = 0} exactly when {@code p = q(z)}.
 * For experiments, not training: it has no parameters of its own, costs {@code N} component densities per
 * scored {@code z}, and over-fits the images it is built on. The images are encoded afresh on every
 * {@link #p()} (the encoder may have moved).
 */
public final class AggregatedPosterior extends Prior {
    private final Posterior posterior;
    private final Tensor images;
    private final int chunk;

    /**
     * @param images {@code [N, X]}
     * @param chunk  images encoded per chunk
     * @throws ShapeException if {@code images} is not {@code [N, X]}
     */
    public AggregatedPosterior(Posterior posterior, Tensor images, int chunk) {
        if (images.rank() != 2 || images.dim(1) != posterior.inputSize() || images.dim(0) < 1) {
            throw new ShapeException("AggregatedPosterior: images of shape " + images.shape() + " are not [N, "
                    + posterior.inputSize() + "] with N ≥ 1");
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("AggregatedPosterior: chunk must be at least 1, got " + chunk);
        }
        this.posterior = child("posterior", posterior);
        this.images = images.detach();
        this.chunk = chunk;
    }

    @Override
    public PosteriorMixture p() {
        return new PosteriorMixture(posterior, images, chunk);
    }

    @Override
    public int latentSize() {
        return posterior.latentSize();
    }
}
