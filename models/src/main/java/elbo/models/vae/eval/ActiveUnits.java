package elbo.models.vae.eval;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.NoClosedFormException;

/**
 * Active units (Burda et al. 2015): latent dimension {@code d} is active if the posterior mean moves with
 * the data,
 *
 * <pre>
 *   A_d = Cov_x( E_{q(z|x)}[z_d] ) &gt; 0.01
 * </pre>
 *
 * A collapsed dimension has {@code q(z_d|x) ≈ p(z_d)} for every {@code x}: its mean does not vary. The
 * posterior mean is {@code q.mean()} where it has a closed form, else the mean of {@code S} draws.
 */
public final class ActiveUnits {
    /** Burda et al.'s threshold. */
    public static final double THRESHOLD = 0.01;

    private ActiveUnits() {
    }

    /**
     * @param count     the number of active dimensions
     * @param threshold the threshold used
     * @param variance  {@code Var_x E_q[z_d|x]} per dimension
     */
    public record Result(int count, double threshold, double[] variance) {
    }

    /** Over the images {@code x: [N, X]}, encoded {@code batch} at a time; {@code S = 100} draws if needed. */
    public static Result of(Vae vae, Tensor x, double threshold, int batch, Rng rng) {
        int n = x.dim(0);
        int d = vae.latentSize();
        double[] sum = new double[d];
        double[] sumSq = new double[d];
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int start = 0; start < n; start += batch) {
                int b = Math.min(batch, n - start);
                double[] mu = posteriorMean(vae.posterior().q(x.narrow(0, start, b)), rng).toDoubleArray();
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < d; j++) {
                        double m = mu[i * d + j];
                        sum[j] += m;
                        sumSq[j] += m * m;
                    }
                }
            }
        }
        double[] variance = new double[d];
        int active = 0;
        for (int j = 0; j < d; j++) {
            double mean = sum[j] / n;
            variance[j] = n < 2 ? 0.0 : Math.max(0.0, (sumSq[j] - n * mean * mean) / (n - 1));
            active += variance[j] > threshold ? 1 : 0;
        }
        return new Result(active, threshold, variance);
    }

    private static Tensor posteriorMean(Distribution q, Rng rng) {
        try {
            return q.mean();
        } catch (NoClosedFormException noMean) {
            return q.sample(rng, 100).mean(0, false);
        }
    }
}
