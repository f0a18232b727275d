package elbo.models.vae.eval;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.prior.PosteriorMixture;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.Kl;

import java.util.List;

/**
 * ELBO surgery (Hoffman &amp; Johnson 2016) over {@code N} images: the average KL splits into the KL of the
 * aggregated posterior {@code q(z) = (1/N) Σ_n q(z|x_n)} from the prior and the mutual information between
 * the image index and the code,
 *
 * <pre>
 *   (1/N) Σ_n KL(q(z|x_n) ‖ p(z))  =  KL(q(z) ‖ p(z))  +  I_q[x, z],     0 ≤ I_q ≤ log N
 * </pre>
 *
 * Estimated from one draw {@code z_n ~ q(z|x_n)} per image, with {@code log q(z_n)} the log-sum-exp over
 * all {@code N} encodings (an {@code N × N} matrix of component densities, streamed in blocks):
 * <ul>
 *   <li>average KL: analytic per image where known, else {@code log q(z_n|x_n) − log p(z_n)};</li>
 *   <li>marginal KL: {@code (1/N) Σ_n log q(z_n) − log p(z_n)}, {@code z_n ~ q(z)};</li>
 *   <li>mutual information: {@code (1/N) Σ_n [log N − H(π(·|z_n))]}, with {@code π(m|z) = q(z|x_m) / (N q(z))}
 *       the posterior over which image produced {@code z}: {@code I = E_z KL(π(·|z) ‖ uniform)}. Each term
 *       lies in {@code [0, log N]}, so the estimate can never be negative (the known bug of estimates that
 *       subtract two noisy terms).</li>
 * </ul>
 * Each figure comes with its standard error over the {@code N} per-image terms; the identity holds up to
 * Monte Carlo error.
 */
public final class ElboSurgery {
    private ElboSurgery() {
    }

    /**
     * @param n                   images
     * @param averageKl           {@code (1/N) Σ_n KL(q(z|x_n) ‖ p(z))}
     * @param marginalKl          {@code KL(q(z) ‖ p(z))}
     * @param mutualInformation   {@code I_q[x, z]}
     * @param logN                {@code log N}, the largest possible mutual information
     */
    public record Result(int n, double averageKl, double averageKlSe, double marginalKl, double marginalKlSe,
                         double mutualInformation, double mutualInformationSe, double logN) {
    }

    /** Over the images {@code x: [N, X]}, encoded and scored {@code block} at a time. */
    public static Result of(Vae vae, Tensor x, int block, Rng rng) {
        int n = x.dim(0);
        double logN = Math.log(n);
        double[] kl = new double[n];
        double[] marginal = new double[n];
        double[] information = new double[n];
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            PosteriorMixture aggregated = new PosteriorMixture(vae.posterior(), x, block);
            Distribution prior = vae.prior().p();
            List<Distribution> components = aggregated.components();
            int start = 0;
            for (Distribution q : components) {
                Distribution.Sample draw = q.rsampleWithLogProb(rng, 1);
                Tensor z = draw.value().squeeze(0);                                       // [b, D]
                int b = z.dim(0);
                double[] logQzGivenX = draw.logProb().toDoubleArray();
                double[] logPz = prior.logProb(z).toDoubleArray();
                double[] analytic = Kl.analytic(q, prior).map(Tensor::toDoubleArray).orElse(null);
                double[] logQ = aggregated.componentLogProbs(z).toDoubleArray();         // [b, N]
                for (int i = 0; i < b; i++) {
                    double lse = logSumExp(logQ, i * n, n);
                    double entropy = 0;                                                   // H(π(·|z_i))
                    for (int m = 0; m < n; m++) {
                        double logPi = logQ[i * n + m] - lse;
                        entropy -= logPi == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(logPi) * logPi;
                    }
                    kl[start + i] = analytic != null ? analytic[i] : logQzGivenX[i] - logPz[i];
                    marginal[start + i] = lse - logN - logPz[i];
                    information[start + i] = Math.min(logN, Math.max(0.0, logN - entropy)); // rounding only
                }
                start += b;
            }
        }
        return new Result(n, Statistics.mean(kl), Statistics.standardError(kl), Statistics.mean(marginal),
                Statistics.standardError(marginal),
                Math.min(logN, Statistics.mean(information)),   // the mean of N terms ≤ log N, up to its rounding
                Statistics.standardError(information), logN);
    }

    private static double logSumExp(double[] a, int from, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + length; i++) {
            max = Math.max(max, a[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = from; i < from + length; i++) {
            s += Math.exp(a[i] - max);
        }
        return max + Math.log(s);
    }
}
