package elbo.models.vae.objective;

import elbo.core.Tensor;

/**
 * What an objective computed for one batch: the scalar to minimise and the parts worth printing.
 *
 * @param value          the loss to call {@code backward()} on: {@code −bound} averaged over the batch, with
 *                       β and free bits applied (its gradient is the chosen estimator's)
 * @param bound          the bound per data point, {@code [B]}: the ELBO (β = 1, no free bits) or {@code L_K}
 * @param reconstruction {@code E_q log p(x|z)} per data point, {@code [B]} (Monte Carlo over the draws)
 * @param kl             {@code KL(q(z|x) ‖ p(z))} per data point, {@code [B]}: analytic where known, else
 *                       {@code mean_k log q(z_k|x) − log p(z_k)} from the same draws
 * @param klPerDimension the batch-averaged KL per latent dimension, {@code [D]}, or {@code null} when the
 *                       KL does not factorise (Monte Carlo)
 * @param logWeights     {@code log w_k}, {@code [K, B]}
 * @param beta           the KL weight that was applied (1 for IWAE)
 */
public record Loss(Tensor value, Tensor bound, Tensor reconstruction, Tensor kl, Tensor klPerDimension,
                   Tensor logWeights, double beta) {

    /** The batch mean of the bound. */
    public double meanBound() {
        return bound.mean().item();
    }

    /** The batch mean of the reconstruction term. */
    public double meanReconstruction() {
        return reconstruction.mean().item();
    }

    /** The batch mean of the KL. */
    public double meanKl() {
        return kl.mean().item();
    }
}
