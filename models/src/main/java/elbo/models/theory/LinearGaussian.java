package elbo.models.theory;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.models.vae.Networks;
import elbo.models.vae.Vae;
import elbo.models.vae.decoder.GaussianDecoder;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.prior.StandardPrior;

/**
 * The linear-Gaussian latent variable model, whose evidence and posterior are analytic, with a general
 * (not necessarily orthogonal) weight matrix {@code W}:
 *
 * <pre>
 *   p(z)   = N(0, I_D),          p(x|z) = N(Wz + b, σ² I_X)
 *   p(x)   = N(x; b, C),         C = WWᵀ + σ² I_X                      (Cholesky, float64)
 *   p(z|x) = N(m(x), S),         S = (I_D + WᵀW/σ²)⁻¹,   m(x) = S Wᵀ(x − b)/σ²
 * </pre>
 *
 * For a diagonal Gaussian {@code q(z|x) = N(μ, diag v)}:
 *
 * <pre>
 *   KL(q ‖ p(z|x)) = ½ [ tr(S⁻¹ diag v) + (m − μ)ᵀ S⁻¹ (m − μ) − D + log det S − Σ_d log v_d ]
 *   E_q[(w/p(x))²] = ∫ p(z|x)² / q(z) dz
 *                  = exp( −log det S + ½ log det V − ½ log det P + ½ hᵀP⁻¹h − mᵀS⁻¹m + ½ μᵀV⁻¹μ )
 *                    with V = diag v, P = 2S⁻¹ − V⁻¹, h = 2S⁻¹m − V⁻¹μ   (finite iff P ≻ 0)
 * </pre>
 *
 * so {@code Var(w/E w) = E_q[(w/p(x))²] − 1} is known in closed form; it is infinite when {@code q} is
 * narrower than half the posterior in some direction ({@code P} not positive definite).
 *
 * <p>{@link #vae} builds the library's {@link Vae} (float64) for this model: the decoder is the exact
 * linear {@link GaussianDecoder} with fixed σ, the encoder a {@link GaussianPosterior} with no trunk,
 * a linear mean head {@code μ = Ax + c} and a constant log-variance (log-variance head with zero weight and
 * bias {@code log v}), which the library clamps to {@code [−6, 2]}: {@code log v} must lie inside.
 */
public final class LinearGaussian {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final int xDim;
    private final int dDim;
    private final double[][] w;
    private final double[] b;
    private final double sigma2;
    private final double[][] choleskyC;     // L with LLᵀ = WWᵀ + σ²I
    private final double[][] precision;     // S⁻¹ = I + WᵀW/σ²
    private final double[][] covariance;    // S

    /**
     * @param w      {@code [X][D]}
     * @param b      {@code [X]}
     * @param sigma2 the observation variance σ² &gt; 0
     */
    public LinearGaussian(double[][] w, double[] b, double sigma2) {
        if (!(sigma2 > 0)) {
            throw new IllegalArgumentException("LinearGaussian: σ² must be positive, got " + sigma2);
        }
        this.xDim = w.length;
        this.dDim = w[0].length;
        if (b.length != xDim) {
            throw new IllegalArgumentException("LinearGaussian: b has size " + b.length + ", W has " + xDim + " rows");
        }
        this.w = new double[xDim][];
        for (int i = 0; i < xDim; i++) {
            if (w[i].length != dDim) {
                throw new IllegalArgumentException("LinearGaussian: W is ragged");
            }
            this.w[i] = w[i].clone();
        }
        this.b = b.clone();
        this.sigma2 = sigma2;
        double[][] c = new double[xDim][xDim];
        for (int i = 0; i < xDim; i++) {
            for (int j = 0; j < xDim; j++) {
                double s = i == j ? sigma2 : 0;
                for (int d = 0; d < dDim; d++) {
                    s += w[i][d] * w[j][d];
                }
                c[i][j] = s;
            }
        }
        this.choleskyC = cholesky(c);
        this.precision = new double[dDim][dDim];
        for (int d = 0; d < dDim; d++) {
            for (int e = 0; e < dDim; e++) {
                double s = d == e ? 1 : 0;
                for (int i = 0; i < xDim; i++) {
                    s += w[i][d] * w[i][e] / sigma2;
                }
                precision[d][e] = s;
            }
        }
        this.covariance = inverse(precision);
    }

    /**
     * A random model: {@code W_id ~ N(0, scale²)}, {@code b_i ~ N(0, 1)}, σ² uniform in
     * {@code [sigma2Lo, sigma2Hi]}.
     */
    public static LinearGaussian random(Rng rng, int xDim, int dDim, double scale, double sigma2Lo, double sigma2Hi) {
        double[][] w = new double[xDim][dDim];
        double[] b = new double[xDim];
        for (int i = 0; i < xDim; i++) {
            for (int d = 0; d < dDim; d++) {
                w[i][d] = scale * rng.nextGaussian();
            }
            b[i] = rng.nextGaussian();
        }
        return new LinearGaussian(w, b, sigma2Lo + (sigma2Hi - sigma2Lo) * rng.nextDouble());
    }

    public int dataSize() {
        return xDim;
    }

    public int latentSize() {
        return dDim;
    }

    public double sigma2() {
        return sigma2;
    }

    /** {@code W}, a copy. */
    public double[][] w() {
        double[][] c = new double[xDim][];
        for (int i = 0; i < xDim; i++) {
            c[i] = w[i].clone();
        }
        return c;
    }

    public double[] b() {
        return b.clone();
    }

    /** A draw {@code x ~ p(x)} (through {@code z ~ p(z)}). */
    public double[] sample(Rng rng) {
        double[] z = new double[dDim];
        for (int d = 0; d < dDim; d++) {
            z[d] = rng.nextGaussian();
        }
        double[] x = mean(z);
        for (int i = 0; i < xDim; i++) {
            x[i] += Math.sqrt(sigma2) * rng.nextGaussian();
        }
        return x;
    }

    /** {@code Wz + b}. */
    public double[] mean(double[] z) {
        double[] x = new double[xDim];
        for (int i = 0; i < xDim; i++) {
            double s = b[i];
            for (int d = 0; d < dDim; d++) {
                s += w[i][d] * z[d];
            }
            x[i] = s;
        }
        return x;
    }

    /** {@code log p(x) = log N(x; b, WWᵀ + σ²I)}, by the Cholesky factor of the covariance. */
    public double logEvidence(double[] x) {
        double[] r = new double[xDim];
        for (int i = 0; i < xDim; i++) {
            r[i] = x[i] - b[i];
        }
        double[] y = forwardSolve(choleskyC, r);
        double quad = 0;
        for (double v : y) {
            quad += v * v;
        }
        return -0.5 * (xDim * LOG_2PI + logDetFromCholesky(choleskyC) + quad);
    }

    /** {@code log p(x, z) = log N(z; 0, I) + log N(x; Wz + b, σ²I)}. */
    public double logJoint(double[] x, double[] z) {
        double zz = 0;
        for (double v : z) {
            zz += v * v;
        }
        double[] mu = mean(z);
        double rr = 0;
        for (int i = 0; i < xDim; i++) {
            rr += (x[i] - mu[i]) * (x[i] - mu[i]);
        }
        return -0.5 * (dDim * LOG_2PI + zz) - 0.5 * (xDim * Math.log(2 * Math.PI * sigma2) + rr / sigma2);
    }

    /** The posterior covariance {@code S = (I + WᵀW/σ²)⁻¹}, a copy. */
    public double[][] posteriorCovariance() {
        double[][] c = new double[dDim][];
        for (int d = 0; d < dDim; d++) {
            c[d] = covariance[d].clone();
        }
        return c;
    }

    /** The posterior mean {@code m(x) = S Wᵀ(x − b)/σ²}. */
    public double[] posteriorMean(double[] x) {
        double[] wr = new double[dDim];
        for (int d = 0; d < dDim; d++) {
            double s = 0;
            for (int i = 0; i < xDim; i++) {
                s += w[i][d] * (x[i] - b[i]);
            }
            wr[d] = s / sigma2;
        }
        return multiply(covariance, wr);
    }

    /** The eigenvalues of {@code S}, ascending (cyclic Jacobi). */
    public double[] posteriorCovarianceEigenvalues() {
        return symmetricEigenvalues(covariance);
    }

    /** {@code log p(z|x) = log N(z; m(x), S)}. */
    public double logPosterior(double[] x, double[] z) {
        double[] m = posteriorMean(x);
        double[] r = new double[dDim];
        for (int d = 0; d < dDim; d++) {
            r[d] = z[d] - m[d];
        }
        double quad = dot(r, multiply(precision, r));
        double[][] ls = cholesky(covariance);
        return -0.5 * (dDim * LOG_2PI + logDetFromCholesky(ls) + quad);
    }

    /** {@code KL(N(μ, diag v) ‖ p(z|x))} in closed form (see the class comment). */
    public double klToPosterior(double[] x, double[] qMean, double[] qVar) {
        double[] m = posteriorMean(x);
        double[] r = new double[dDim];
        double trace = 0;
        double logV = 0;
        for (int d = 0; d < dDim; d++) {
            r[d] = m[d] - qMean[d];
            trace += precision[d][d] * qVar[d];
            logV += Math.log(qVar[d]);
        }
        double logDetS = -logDetFromCholesky(cholesky(precision));
        return 0.5 * (trace + dot(r, multiply(precision, r)) - dDim + logDetS - logV);
    }

    /**
     * {@code Var(w / E w) = E_q[(w/p(x))²] − 1} for {@code q = N(μ, diag v)}, in closed form;
     * {@code +∞} when {@code 2S⁻¹ − V⁻¹} is not positive definite (q narrower than half the posterior).
     */
    public double relativeWeightVariance(double[] x, double[] qMean, double[] qVar) {
        double[] m = posteriorMean(x);
        double[][] p = new double[dDim][dDim];
        double[] h = new double[dDim];
        double[] lm = multiply(precision, m);
        double logDetV = 0;
        double muVmu = 0;
        for (int d = 0; d < dDim; d++) {
            for (int e = 0; e < dDim; e++) {
                p[d][e] = 2 * precision[d][e] - (d == e ? 1 / qVar[d] : 0);
            }
            h[d] = 2 * lm[d] - qMean[d] / qVar[d];
            logDetV += Math.log(qVar[d]);
            muVmu += qMean[d] * qMean[d] / qVar[d];
        }
        double[][] lp;
        try {
            lp = cholesky(p);
        } catch (ArithmeticException notPositive) {
            return Double.POSITIVE_INFINITY;
        }
        double[] y = forwardSolve(lp, h);
        double logDetS = -logDetFromCholesky(cholesky(precision));
        double log = -logDetS + 0.5 * logDetV - 0.5 * logDetFromCholesky(lp) + 0.5 * dot(y, y) - dot(m, lm)
                + 0.5 * muVmu;
        return Math.expm1(log);
    }

    /**
     * The {@link Vae} (float64) of this model with encoder {@code q(z|x) = N(Ax + c, diag e^{logVar})}.
     *
     * @param a      {@code [D][X]}
     * @param c      {@code [D]}
     * @param logVar {@code [D]}, each inside the library's clamp {@code [−6, 2]}
     */
    public Vae vae(double[][] a, double[] c, double[] logVar) {
        for (double v : logVar) {
            if (!(v >= GaussianPosterior.MIN_LOG_VAR && v <= GaussianPosterior.MAX_LOG_VAR)) {
                throw new IllegalArgumentException("LinearGaussian.vae: log-variance " + v + " is outside the encoder's"
                        + " clamp [" + GaussianPosterior.MIN_LOG_VAR + ", " + GaussianPosterior.MAX_LOG_VAR + "]");
            }
        }
        Rng rng = new Rng(0);
        GaussianPosterior q = GaussianPosterior.mlp(Networks.Net.TANH, xDim, 1, 0, dDim, DType.FLOAT64, rng);
        GaussianDecoder p = GaussianDecoder.linear(dDim, xDim, GaussianDecoder.Noise.FIXED, Math.sqrt(sigma2),
                DType.FLOAT64, rng);
        for (int i = 0; i < xDim; i++) {
            for (int d = 0; d < dDim; d++) {
                p.outputLayer().weight().setFlat(i * dDim + d, w[i][d]);
            }
            p.outputLayer().bias().setFlat(i, b[i]);
        }
        for (int d = 0; d < dDim; d++) {
            for (int i = 0; i < xDim; i++) {
                q.meanHead().weight().setFlat(d * xDim + i, a[d][i]);
                q.logVarHead().weight().setFlat(d * xDim + i, 0.0);
            }
            q.meanHead().bias().setFlat(d, c[d]);
            q.logVarHead().bias().setFlat(d, logVar[d]);
        }
        return new Vae(q, p, new StandardPrior(dDim, DType.FLOAT64));
    }

    /** The encoder offset {@code c = μ − A x} that puts {@code q}'s mean at {@code μ} for the data point {@code x}. */
    public static double[] offsetFor(double[][] a, double[] x, double[] mu) {
        double[] ax = multiply(a, x);
        double[] c = new double[mu.length];
        for (int d = 0; d < mu.length; d++) {
            c[d] = mu[d] - ax[d];
        }
        return c;
    }

    /** The posterior's own linear encoder: {@code A = S Wᵀ/σ²} ({@code [D][X]}), so {@code m(x) = A x − A b}. */
    public double[][] posteriorEncoderWeight() {
        double[][] a = new double[dDim][xDim];
        for (int d = 0; d < dDim; d++) {
            for (int i = 0; i < xDim; i++) {
                double s = 0;
                for (int e = 0; e < dDim; e++) {
                    s += covariance[d][e] * w[i][e];
                }
                a[d][i] = s / sigma2;
            }
        }
        return a;
    }

    // ---- tiny dense linear algebra, float64 ----

    /** The lower Cholesky factor L of a symmetric positive definite {@code a}; throws if it is not. */
    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("cholesky: matrix is not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    static double logDetFromCholesky(double[][] l) {
        double s = 0;
        for (int i = 0; i < l.length; i++) {
            s += Math.log(l[i][i]);
        }
        return 2 * s;
    }

    /** {@code L⁻¹ r}. */
    static double[] forwardSolve(double[][] l, double[] r) {
        int n = l.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = r[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        return y;
    }

    /** {@code L⁻ᵀ y}. */
    static double[] backSolve(double[][] l, double[] y) {
        int n = l.length;
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    /** The inverse of a symmetric positive definite matrix. */
    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] l = cholesky(a);
        double[][] inv = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            double[] col = backSolve(l, forwardSolve(l, e));
            for (int i = 0; i < n; i++) {
                inv[i][j] = col[i];
            }
        }
        for (int i = 0; i < n; i++) {                 // symmetrise the rounding
            for (int j = 0; j < i; j++) {
                double m = 0.5 * (inv[i][j] + inv[j][i]);
                inv[i][j] = m;
                inv[j][i] = m;
            }
        }
        return inv;
    }

    static double[] multiply(double[][] a, double[] v) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = dot(a[i], v);
        }
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The eigenvalues of a small symmetric matrix, ascending (cyclic Jacobi rotations). */
    static double[] symmetricEigenvalues(double[][] sym) {
        int n = sym.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = sym[i].clone();
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {          // A ← A J (columns p, q)
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {          // A ← Jᵀ A (rows p, q)
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = a[i][i];
        }
        java.util.Arrays.sort(ev);
        return ev;
    }
}
