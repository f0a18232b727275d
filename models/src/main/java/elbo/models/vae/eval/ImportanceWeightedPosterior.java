package elbo.models.vae.eval;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;

/**
 * Draws from the importance-weighted posterior {@code q_IW} (Cremer, Morris &amp; Duvenaud 2017) by
 * sampling-importance-resampling: draw {@code K} particles {@code z_k ~ q(z|x)}, then keep particle
 * {@code k} with probability {@code w̃_k = w_k / Σ_j w_j}. The kept particle is distributed as
 *
 * <pre>
 *   q_IW(z|x) = E_{z_2..K ~ q} [ p(x, z) / ((1/K)(w(z) + Σ_{k≥2} w_k)) ],
 * </pre>
 *
 * the distribution that makes the ELBO equal {@code L_K}; it approaches the true posterior
 * {@code p(z|x)} as {@code K} grows (the slide "IWAE posterior").
 */
public final class ImportanceWeightedPosterior {
    private ImportanceWeightedPosterior() {
    }

    /**
     * {@code n} independent draws from {@code q_IW(z|x)} for every image of {@code x: [B, X]}, each with
     * {@code k} fresh particles: {@code [n, B, D]}.
     *
     * @throws IllegalArgumentException if {@code k} or {@code n} is below 1
     */
    public static Tensor sample(Vae vae, Tensor x, int k, int n, Rng rng) {
        if (k < 1 || n < 1) {
            throw new IllegalArgumentException("ImportanceWeightedPosterior: need k ≥ 1 and n ≥ 1, got k=" + k
                    + ", n=" + n);
        }
        int b = x.dim(0);
        int d = vae.latentSize();
        Tensor out = Tensor.zeros(x.dtype(), n, b, d);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int draw = 0; draw < n; draw++) {
                Particles p = Particles.draw(vae, x, k, new Reparameterised(), rng);
                double[] logW = p.logW().toDoubleArray();                             // [k, b]
                double[] z = p.z().toDoubleArray();                                    // [k, b, d]
                for (int i = 0; i < b; i++) {
                    int kept = resample(logW, k, b, i, rng);
                    for (int j = 0; j < d; j++) {
                        out.setFlat((draw * b + i) * d + j, z[(kept * b + i) * d + j]);
                    }
                }
            }
        }
        return out;
    }

    /** Index {@code k} with probability {@code w̃_k} for image {@code i} (inverse CDF, max-shifted). */
    private static int resample(double[] logW, int k, int b, int i, Rng rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logW[j * b + i]);
        }
        double total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.exp(logW[j * b + i] - max);
        }
        double u = rng.nextDouble() * total;
        for (int j = 0; j < k; j++) {
            u -= Math.exp(logW[j * b + i] - max);
            if (u < 0) {
                return j;
            }
        }
        return k - 1;
    }
}
