package elbo.models.train;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.Statistics;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.Loss;

/** Held-out scores of a trained VAE, computed without gradients, a batch at a time. */
public final class Scores {
    private Scores() {
    }

    /**
     * The ELBO and its parts averaged over images, each with its standard error over the images.
     *
     * @param elbo           {@code (1/N) Σ ELBO(x_n)}: one draw of {@code z} per image, β = 1
     * @param reconstruction {@code (1/N) Σ E_q log p(x_n|z)}
     * @param kl             {@code (1/N) Σ KL(q(z|x_n) ‖ p(z))}
     */
    public record ElboScore(double elbo, double elboSe, double reconstruction, double kl) {
    }

    /** The ELBO of {@code x: [N, X]} under {@code vae}, {@code batch} images at a time. */
    public static ElboScore elbo(Vae vae, Tensor x, int batch, Rng rng) {
        int n = x.dim(0);
        double[] bounds = new double[n];
        double reconstruction = 0;
        double kl = 0;
        Elbo objective = Elbo.standard();
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int start = 0; start < n; start += batch) {
                int b = Math.min(batch, n - start);
                try (Workspace ws = Workspace.open()) {
                    Loss loss = vae.loss(x.narrow(0, start, b), objective, rng, Double.POSITIVE_INFINITY);
                    System.arraycopy(loss.bound().toDoubleArray(), 0, bounds, start, b);
                    reconstruction += b * loss.meanReconstruction();
                    kl += b * loss.meanKl();
                }
            }
        }
        return new ElboScore(Statistics.mean(bounds), Statistics.standardError(bounds), reconstruction / n, kl / n);
    }
}
