package elbo.models.vae.objective;

import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * Free bits (Kingma et al. 2016): the KL term is not pushed below {@code λ} nats per group of latent
 * dimensions,
 *
 * <pre>
 *   KL term = Σ_g max(λ, (1/B) Σ_b KL_g(x_b)),     KL_g = Σ_{d ∈ g} KL(q(z_d|x) ‖ p(z_d))
 * </pre>
 *
 * with the KL averaged over the minibatch <em>before</em> the max. A group whose average KL is below
 * {@code λ} passes no gradient to the encoder through its KL, so its dimensions are free to carry
 * {@code λ} nats of information. {@code groupSize = 0} means one group of all dimensions (which also works
 * with a Monte Carlo KL); smaller groups need the KL per dimension, i.e. a Gaussian posterior and a
 * factorised Gaussian prior. {@code λ = 0} is the plain KL.
 *
 * @param lambda    {@code λ ≥ 0}, nats per group
 * @param groupSize dimensions per group (dividing {@code D}); 0 for one group
 */
public record FreeBits(double lambda, int groupSize) {

    /** No free bits: the KL term is {@code (1/B) Σ_b KL(x_b)}. */
    public static final FreeBits NONE = new FreeBits(0.0, 0);

    /** @throws IllegalArgumentException if {@code λ} is negative or not finite, or {@code groupSize < 0} */
    public FreeBits {
        if (!(lambda >= 0) || Double.isInfinite(lambda) || groupSize < 0) {
            throw new IllegalArgumentException("free bits need λ ≥ 0 (finite) and group size ≥ 0, got λ=" + lambda
                    + ", group size " + groupSize);
        }
    }

    /** Free bits of {@code λ} per latent dimension. */
    public static FreeBits perDimension(double lambda) {
        return new FreeBits(lambda, 1);
    }

    /**
     * The KL term, a scalar.
     *
     * @param kl          {@code KL(x_b)} per data point, {@code [B]}
     * @param klPerDim    per data point and dimension, {@code [B, D]}, or {@code null} if not available
     * @throws IllegalArgumentException if groups are asked for and {@code klPerDim} is null, or the group
     *                                  size does not divide {@code D}
     */
    public Tensor penalty(Tensor kl, Tensor klPerDim) {
        if (lambda == 0.0) {
            return kl.mean();
        }
        if (groupSize == 0) {
            return kl.mean().maximum(Tensor.scalar(lambda, kl.dtype()));
        }
        if (klPerDim == null) {
            throw new IllegalArgumentException("free bits per group of " + groupSize + " dimensions need the KL per "
                    + "dimension (a Gaussian posterior and a factorised Gaussian prior); use group size 0 for one "
                    + "group of all dimensions");
        }
        int d = klPerDim.dim(-1);
        if (d % groupSize != 0) {
            throw new ShapeException("free bits: group size " + groupSize + " does not divide the latent size " + d);
        }
        Tensor perGroup = klPerDim.mean(0, false).reshape(d / groupSize, groupSize).sum(-1, false);   // [G]
        return perGroup.maximum(Tensor.scalar(lambda, kl.dtype())).sum();
    }
}
