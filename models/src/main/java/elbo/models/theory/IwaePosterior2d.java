package elbo.models.theory;

import elbo.core.Rng;

/**
 * The importance-weighted posterior {@code q_IW} on a 2-D latent model whose true posterior is not Gaussian,
 * computed on a grid (the lecture's "IWAE posterior" slide, and property 7 of issue 21):
 *
 * <pre>
 *   p(z) = N(0, I_2),   p(x|z) = N(x; f(z), σ²),   f(z) = z₁ z₂ (BIMODAL: two branches of a hyperbola)
 *                                                   or  z₁² + z₂ (BANANA: a parabola-shaped ridge)
 *   q(z) = N(0, s² I_2)                           (a broad Gaussian proposal, independent of x)
 *   w(z) = p(x, z) / q(z)
 *   SIR:   z_1..z_K ~ q, keep z_k with probability w_k / Σ_j w_j   ⇒   the kept z ~ q_IW(z|x)
 *   q_IW(z | x, z_2:K) = p(x, z) / ((1/K)(w(z) + Σ_{k≥2} w_k)),  q_IW(z|x) = E_{z_2:K ~ q}[ that ]
 *   so  log p(x, z) − log q_IW(z | x, z_2:K) = log (1/K) Σ_k w_k   for every draw.
 * </pre>
 *
 * The grid is {@code n × n} square bins over {@code [−L, L]²}; {@link #gridPosterior()} gives each bin's
 * posterior probability (the density at {@code sub × sub} points per bin, normalised over the grid), and
 * {@link #sir} a histogram of {@code samples} SIR draws on the same bins (with the mass that fell outside).
 * {@link #totalVariation} compares them. All float64, plain Java (no {@code Vae} needed).
 */
public final class IwaePosterior2d {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** The nonlinear decoder mean. */
    public enum Kind {
        /** {@code f(z) = z₁ z₂}: for {@code x > 0} the posterior sits on two branches, z₁z₂ ≈ x in quadrants 1 and 3. */
        BIMODAL,
        /** {@code f(z) = z₁² + z₂}: a curved ridge around {@code z₂ = x − z₁²}. */
        BANANA
    }

    /** Which particle SIR keeps, given the K log-weights: the correct rule draws k with probability w̃_k. */
    public interface Selector {
        int select(double[] logW, Rng rng);
    }

    /** Bin probabilities on the grid ({@code [n][n]}, index [i₁][i₂]) and the mass outside it. */
    public record Histogram(double[][] p, double outside) {
    }

    private final Kind kind;
    private final double x;
    private final double sigma2;
    private final double proposalSd;
    private final double half;
    private final int n;

    /**
     * @param kind       the decoder mean f
     * @param x          the observed data point
     * @param sigma      the observation noise σ
     * @param proposalSd the proposal's standard deviation s
     * @param half       the grid's half-width L
     * @param bins       bins per axis n
     */
    public IwaePosterior2d(Kind kind, double x, double sigma, double proposalSd, double half, int bins) {
        if (!(sigma > 0 && proposalSd > 0 && half > 0 && bins > 0)) {
            throw new IllegalArgumentException("IwaePosterior2d: need σ, s, L and bins positive");
        }
        this.kind = kind;
        this.x = x;
        this.sigma2 = sigma * sigma;
        this.proposalSd = proposalSd;
        this.half = half;
        this.n = bins;
    }

    /** The lecture's figure: the bimodal model at x = 1.5, σ = 0.3, proposal N(0, 1.5² I), 40 × 40 bins on [−4, 4]². */
    public static IwaePosterior2d lectureDefault() {
        return new IwaePosterior2d(Kind.BIMODAL, 1.5, 0.3, 1.5, 4.0, 40);
    }

    public int bins() {
        return n;
    }

    public double halfWidth() {
        return half;
    }

    /** {@code log p(x, z) = log N(z; 0, I) + log N(x; f(z), σ²)}. */
    public double logJoint(double z1, double z2) {
        double f = kind == Kind.BIMODAL ? z1 * z2 : z1 * z1 + z2;
        double r = x - f;
        return -LOG_2PI - 0.5 * (z1 * z1 + z2 * z2) - 0.5 * (Math.log(2 * Math.PI * sigma2) + r * r / sigma2);
    }

    /** {@code log q(z) = log N(z; 0, s² I)}. */
    public double logProposal(double z1, double z2) {
        double v = proposalSd * proposalSd;
        return -Math.log(2 * Math.PI * v) - 0.5 * (z1 * z1 + z2 * z2) / v;
    }

    /** {@code log w(z) = log p(x, z) − log q(z)}. */
    public double logWeight(double z1, double z2) {
        return logJoint(z1, z2) - logProposal(z1, z2);
    }

    /**
     * The posterior probability of every bin: {@code p(x, z)} at {@code sub × sub} evenly spaced points of
     * each bin (midpoint rule), normalised so the grid sums to 1 (the prior mass outside [−L, L]² is
     * negligible for L = 4).
     */
    public double[][] gridPosterior() {
        int sub = 5;
        double width = 2 * half / n;
        double[][] p = new double[n][n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int a = 0; a < sub; a++) {
                    for (int b = 0; b < sub; b++) {
                        double z1 = -half + (i + (a + 0.5) / sub) * width;
                        double z2 = -half + (j + (b + 0.5) / sub) * width;
                        s += Math.exp(logJoint(z1, z2));
                    }
                }
                p[i][j] = s;
                total += s;
            }
        }
        for (double[] row : p) {
            for (int j = 0; j < n; j++) {
                row[j] /= total;
            }
        }
        return p;
    }

    /** The correct SIR selection: index k with probability w_k / Σ_j w_j (inverse CDF, max-shifted). */
    public static final Selector IMPORTANCE = (logW, rng) -> {
        double max = Double.NEGATIVE_INFINITY;
        for (double a : logW) {
            max = Math.max(max, a);
        }
        double total = 0;
        for (double a : logW) {
            total += Math.exp(a - max);
        }
        double u = rng.nextDouble() * total;
        for (int k = 0; k < logW.length; k++) {
            u -= Math.exp(logW[k] - max);
            if (u < 0) {
                return k;
            }
        }
        return logW.length - 1;
    };

    /** A histogram of {@code samples} draws from {@code q_IW} with {@code k} particles each (SIR). */
    public Histogram sir(int k, int samples, Rng rng) {
        return sir(k, samples, rng, IMPORTANCE);
    }

    /** As {@link #sir(int, int, Rng)} with another selection rule (for the tests' deliberately wrong ones). */
    public Histogram sir(int k, int samples, Rng rng, Selector selector) {
        if (k < 1 || samples < 1) {
            throw new IllegalArgumentException("IwaePosterior2d.sir: need k ≥ 1 and samples ≥ 1");
        }
        double[][] counts = new double[n][n];
        double outside = 0;
        double[] z1 = new double[k];
        double[] z2 = new double[k];
        double[] logW = new double[k];
        double width = 2 * half / n;
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < k; j++) {
                z1[j] = proposalSd * rng.nextGaussian();
                z2[j] = proposalSd * rng.nextGaussian();
                logW[j] = logWeight(z1[j], z2[j]);
            }
            int kept = selector.select(logW, rng);
            int i1 = (int) Math.floor((z1[kept] + half) / width);
            int i2 = (int) Math.floor((z2[kept] + half) / width);
            if (i1 >= 0 && i1 < n && i2 >= 0 && i2 < n) {
                counts[i1][i2] += 1;
            } else {
                outside += 1;
            }
        }
        for (double[] row : counts) {
            for (int j = 0; j < n; j++) {
                row[j] /= samples;
            }
        }
        return new Histogram(counts, outside / samples);
    }

    /** {@code ½ Σ |p − q|} over the bins and the outside mass (the grid posterior's outside mass is 0). */
    public static double totalVariation(Histogram h, double[][] posterior) {
        double s = h.outside();
        for (int i = 0; i < posterior.length; i++) {
            for (int j = 0; j < posterior[i].length; j++) {
                s += Math.abs(h.p()[i][j] - posterior[i][j]);
            }
        }
        return 0.5 * s;
    }

    /**
     * {@code log q_IW(z | x, z_2:K) = log p(x, z) − log((1/K)(w(z) + Σ_{k≥2} w_k))}, for the point {@code z}
     * and the other particles' log-weights: the self term {@code w(z)} and the others' sum are combined as
     * {@code log(e^a + e^b)} of two separately max-shifted parts, so no weight under- or overflows.
     */
    public double logImportanceWeightedDensity(double z1, double z2, double[] otherLogW) {
        double self = logWeight(z1, z2);
        double others = Double.NEGATIVE_INFINITY;
        if (otherLogW.length > 0) {
            others = LogMeanExp.logMeanExp(otherLogW) + Math.log(otherLogW.length);
        }
        double hi = Math.max(self, others);
        double lo = Math.min(self, others);
        double logSum = hi == Double.NEGATIVE_INFINITY ? hi : hi + Math.log1p(Math.exp(lo - hi)); // all −∞: −∞
        return logJoint(z1, z2) - (logSum - Math.log(otherLogW.length + 1));
    }
}
