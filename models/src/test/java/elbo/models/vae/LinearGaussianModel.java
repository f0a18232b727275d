package elbo.models.vae;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.decoder.GaussianDecoder;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.prior.StandardPrior;

/**
 * The linear-Gaussian model, whose evidence and posterior are analytic:
 *
 * <pre>
 *   p(z) = N(0, I_D),   p(x|z) = N(Wz + b, σ² I_X),   p(x) = N(b, WWᵀ + σ² I)
 *   p(z|x) = N(S Wᵀ(x − b)/σ², S),   S = (I + WᵀW/σ²)⁻¹
 * </pre>
 *
 * W's columns are orthogonal ({@code WᵀW = diag c}), so S is diagonal and a Gaussian encoder with a linear
 * mean and a constant log-variance represents the true posterior exactly.
 */
final class LinearGaussianModel {
    static final int X = 3;
    static final int D = 2;
    final double sigma2 = 0.5;
    /** W, [X, D], orthogonal columns with squared norms c = (1.25, 4). */
    final double[][] w = {{1.0, 0.0}, {0.5, 0.0}, {0.0, 2.0}};
    final double[] b = {0.3, -0.2, 0.1};

    double c(int d) {
        double s = 0;
        for (int i = 0; i < X; i++) {
            s += w[i][d] * w[i][d];
        }
        return s;
    }

    /** The posterior variance {@code S_dd = 1 / (1 + c_d/σ²)}. */
    double posteriorVariance(int d) {
        return 1.0 / (1.0 + c(d) / sigma2);
    }

    /** {@code log N(x; b, WWᵀ + σ²I)} by the determinant lemma and Woodbury's identity. */
    double logEvidence(double[] x) {
        double[] r = new double[X];
        double rr = 0;
        for (int i = 0; i < X; i++) {
            r[i] = x[i] - b[i];
            rr += r[i] * r[i];
        }
        double logDet = X * Math.log(sigma2);
        double quad = rr / sigma2;
        for (int d = 0; d < D; d++) {
            logDet += Math.log(1 + c(d) / sigma2);
            double wr = 0;
            for (int i = 0; i < X; i++) {
                wr += w[i][d] * r[i];
            }
            quad -= wr * wr / (sigma2 * (sigma2 + c(d)));
        }
        return -0.5 * (X * Math.log(2 * Math.PI) + logDet + quad);
    }

    /**
     * The VAE with the true decoder and an encoder {@code μ = A x + a}, {@code log σ²_q = v}: the true
     * posterior when {@code meanShift = 0} and {@code logVarShift = 0}, a poorer one otherwise.
     */
    Vae vae(double meanShift, double logVarShift) {
        Rng rng = new Rng(1);
        GaussianPosterior q = GaussianPosterior.mlp(Networks.Net.TANH, X, 1, 0, D, DType.FLOAT64, rng);
        GaussianDecoder p = GaussianDecoder.linear(D, X, GaussianDecoder.Noise.FIXED, Math.sqrt(sigma2), DType.FLOAT64,
                rng);
        for (int i = 0; i < X; i++) {
            for (int d = 0; d < D; d++) {
                p.outputLayer().weight().setFlat(i * D + d, w[i][d]);
            }
            p.outputLayer().bias().setFlat(i, b[i]);
        }
        // μ = S Wᵀ (x − b) / σ²  →  A = S Wᵀ/σ², a = −A b
        for (int d = 0; d < D; d++) {
            double s = posteriorVariance(d);
            double a = 0;
            for (int i = 0; i < X; i++) {
                double aid = s * w[i][d] / sigma2;
                q.meanHead().weight().setFlat(d * X + i, aid);
                q.logVarHead().weight().setFlat(d * X + i, 0.0);
                a -= aid * b[i];
            }
            q.meanHead().bias().setFlat(d, a + meanShift * (d + 1));
            q.logVarHead().bias().setFlat(d, Math.log(s) + logVarShift);
        }
        return new Vae(q, p, new StandardPrior(D, DType.FLOAT64));
    }

    /** {@code n} data points drawn from {@code p(x)}, {@code [n, X]}. */
    Tensor data(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.FLOAT64, n, X);
        for (int k = 0; k < n; k++) {
            double[] z = {rng.nextGaussian(), rng.nextGaussian()};
            for (int i = 0; i < X; i++) {
                double mean = b[i] + w[i][0] * z[0] + w[i][1] * z[1];
                x.setFlat(k * X + i, mean + Math.sqrt(sigma2) * rng.nextGaussian());
            }
        }
        return x;
    }

    static double[] row(Tensor x, int k) {
        double[] r = new double[x.dim(1)];
        for (int i = 0; i < r.length; i++) {
            r[i] = x.getFlat(k * r.length + i);
        }
        return r;
    }
}
