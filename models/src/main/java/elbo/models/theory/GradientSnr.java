package elbo.models.theory;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.Normal;

import java.util.Locale;

/**
 * Gradient signal-to-noise ratios of the IWAE bound, in the Gaussian model of Rainforth, Kosiorek, Le,
 * Maddison, Igl, Wood &amp; Teh, "Tighter variational bounds are not necessarily better" (ICML 2018, §4):
 *
 * <pre>
 *   p_θ(z) = N(z; μ, I),   p_θ(x|z) = N(x; z, I),   q_φ(z|x) = N(z; A x + b, ⅔ I),   D = 20
 *   θ = μ,  φ = (A, b)   (A a full D×D matrix)
 * </pre>
 *
 * {@code N = 1024} data points are drawn from the model (with {@code μ_true ~ N(0, I)}); the parameters are
 * set to the optimum, {@code μ = x̄}, {@code A = I/2}, {@code b = x̄/2} (then {@code q}'s mean is the true
 * posterior mean {@code (x + μ)/2}; its variance ⅔ is not the posterior's ½), and every entry is perturbed
 * by Gaussian noise of standard deviation {@code 0.01}, as in the paper. All of this is fixed by the seed
 * of {@link #GradientSnr(long)}.
 *
 * <p><b>Gradients.</b> One gradient draw {@code Δ} is the gradient of {@code Σ_{m∈batch} L̂_K(x_m)}, the
 * IWAE bound {@code L̂_K = log (1/K) Σ_k w_k} on fresh {@code z_1..z_K ~ q}, with respect to
 * {@code (μ, A, b)}, taken by ELBO's own autodiff through the library's estimators
 * ({@link Reparameterised}, {@link StickingTheLanding}, {@link DoublyReparameterised}, whose
 * {@code iwae(Particles)} builds the surrogate: DReG's {@code Σ_k w̃_k² ∂log w_k/∂z_k ∂z_k/∂φ} through its
 * gradient hook on {@code z}). The parameters are replicated once per draw as leaves {@code μ: [C, D]},
 * {@code A: [C, D, D]}, {@code b: [C, D]}, so one backward pass of the summed bound gives each row its own
 * draw's gradient; {@code R} draws are taken in chunks of {@code C}. The decoder gradient {@code ∇_θ} is
 * the same for all three estimators (they only change how gradient reaches {@code φ}).
 *
 * <p><b>SNR</b> (Rainforth et al., eq. 11), per scalar parameter {@code j}:
 *
 * <pre>
 *   SNR_j = | Ê[Δ_j] | / σ̂[Δ_j],   Ê, σ̂ the sample mean and (n−1) standard deviation over R draws
 * </pre>
 *
 * and a group's SNR is the mean of {@code SNR_j} over its coordinates: {@link Group#THETA} the 20
 * {@code μ_i}, {@link Group#A_DIAG} the 20 diagonal entries {@code A_ii}, {@link Group#B} the 20
 * {@code b_i}. (With one data point {@code ∂/∂A_ij = x_j ∂/∂b_i}, so {@code SNR(A_ij) = SNR(b_i)} exactly;
 * with a minibatch they differ.) Its standard error is the delete-one-batch jackknife over
 * {@value #JACKKNIFE_GROUPS} interleaved batches of draws. <b>Noise floor</b>: even at zero signal,
 * {@code |Ê[Δ]|} is about {@code σ/√R}, so a measured SNR is never much below {@code 1/√R}
 * ({@link Result#floor()}); a measurement means something only well above it (the properties ask 5×, and 3× for the IWAE encoder at
 * K = 100, where the estimate √(SNR² + 1/R) is then at most 5.5% high).
 *
 * <p><b>Expected scaling</b> near the optimum: {@code SNR(θ) = O(√K)}, {@code SNR(φ)} with the IWAE
 * reparameterised gradient {@code = O(1/√K)} (Rainforth et al. 2018, Theorem 1), with DReG
 * {@code O(√K)} (Tucker, Lawson, Gu &amp; Maddison, "Doubly reparameterized gradient estimators for Monte
 * Carlo objectives", ICLR 2019). {@link #fitLogLog} fits the slope of {@code log SNR} against
 * {@code log K}.
 */
public final class GradientSnr {

    /** Latent and data dimension. */
    public static final int D = 20;
    /** Data points drawn from the model. */
    public static final int N = 1024;
    /** Standard deviation of the perturbation away from the optimum. */
    public static final double PERTURBATION = 0.01;
    /** {@code q}'s fixed variance. */
    public static final double Q_VARIANCE = 2.0 / 3.0;
    /** Batches for the jackknife standard error. */
    public static final int JACKKNIFE_GROUPS = 20;

    /** The gradient estimator for the encoder. */
    public enum Estimator {
        /** IWAE's plain reparameterised gradient (Burda et al. 2015). */
        IWAE_REPARAM(new Reparameterised()),
        /** Sticking the landing (Roeder et al. 2017) applied to IWAE. */
        STL(new StickingTheLanding()),
        /** Doubly reparameterised (Tucker et al. 2018). */
        DREG(new DoublyReparameterised());

        private final elbo.models.vae.objective.Estimator library;

        Estimator(elbo.models.vae.objective.Estimator library) {
            this.library = library;
        }

        /** The library estimator this stands for. */
        public elbo.models.vae.objective.Estimator library() {
            return library;
        }
    }

    /** A parameter group whose SNR is reported (mean of per-coordinate SNRs). */
    public enum Group {
        /** Decoder {@code θ = μ}, all {@code D} coordinates. */
        THETA,
        /** Encoder {@code A}, its {@code D} diagonal entries. */
        A_DIAG,
        /** Encoder {@code b}, all {@code D} coordinates. */
        B
    }

    /** How a coordinate's signal is estimated from its draws. */
    public enum Statistic {
        /** {@code |mean Δ| / sd Δ}: the SNR. */
        SNR,
        /**
         * MUTANT, for mutation tests only: {@code mean |Δ| / sd Δ}, the magnitude of the draws instead of
         * the magnitude of their mean. It is {@code ≈ √(2/π)} for a zero-mean signal and does not see the
         * signal at all.
         */
        MUTANT_MEAN_ABS,
        /**
         * MUTANT, for mutation tests only: {@code |mean Δ| / √(mean Δ²)}, a biased variance (the raw second
         * moment, not centred). It equals {@code SNR/√(1 + SNR²)}, so it saturates at 1 as the true SNR grows:
         * θ's slope flattens.
         */
        MUTANT_RAW_SECOND_MOMENT
    }

    /** An SNR with its jackknife standard error. */
    public record Value(double snr, double se) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.4g ± %.2g", snr, se);
        }
    }

    /** A least-squares line {@code log SNR = intercept + slope · log K}. */
    public record Fit(double slope, double slopeSe, double intercept) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%+.3f ± %.3f", slope, slopeSe);
        }
    }

    /**
     * The measured draws of one {@link #snr} call, reduced to per-coordinate sums over jackknife batches.
     *
     * @param estimator the encoder gradient estimator
     * @param k         particles {@code K}
     * @param r         gradient draws {@code R}
     * @param batch     data points per draw {@code M}
     */
    public record Result(Estimator estimator, int k, int r, int batch, Sums theta, Sums aDiag, Sums b) {

        /** The noise floor {@code 1/√R}. */
        public double floor() {
            return 1.0 / Math.sqrt(r);
        }

        /** The group's SNR (mean over its coordinates) with its jackknife standard error. */
        public Value value(Group g) {
            return value(g, Statistic.SNR);
        }

        /** As {@link #value(Group)}, with the given statistic (the mutant only in mutation tests). */
        public Value value(Group g, Statistic s) {
            return sums(g).value(s);
        }

        /** The group's per-coordinate sums (means, standard deviations, SNRs). */
        public Sums sums(Group g) {
            return switch (g) {
                case THETA -> theta;
                case A_DIAG -> aDiag;
                case B -> b;
            };
        }

        /**
         * Per coordinate of {@code g}, the z-score of the difference of the mean gradients of this run and
         * {@code other}, {@code (m₁ − m₂)/√(s₁²/R₁ + s₂²/R₂)}: how an unbiased estimator (DReG) is checked
         * against the exact gradient's (IWAE's) mean.
         */
        public double[] meanDifferenceZ(Result other, Group g) {
            Sums x = sums(g), y = other.sums(g);
            double[] z = new double[D];
            for (int j = 0; j < D; j++) {
                double se = Math.sqrt(x.sd(j) * x.sd(j) / x.count() + y.sd(j) * y.sd(j) / y.count());
                z[j] = (x.mean(j) - y.mean(j)) / se;
            }
            return z;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-12s K=%-5d R=%-7d M=%d  θ %s  A %s  b %s  (floor %.2g)",
                    estimator, k, r, batch, value(Group.THETA), value(Group.A_DIAG), value(Group.B), floor());
        }
    }

    /** Per-coordinate sums of {@code Δ}, {@code Δ²}, {@code |Δ|} in each jackknife batch. */
    public static final class Sums {
        private final int coords;
        private final long[] n = new long[JACKKNIFE_GROUPS];
        private final double[][] s1;
        private final double[][] s2;
        private final double[][] sAbs;

        Sums(int coords) {
            this.coords = coords;
            s1 = new double[JACKKNIFE_GROUPS][coords];
            s2 = new double[JACKKNIFE_GROUPS][coords];
            sAbs = new double[JACKKNIFE_GROUPS][coords];
        }

        void add(int group, int coord, double v) {
            s1[group][coord] += v;
            s2[group][coord] += v * v;
            sAbs[group][coord] += Math.abs(v);
        }

        void count(int group) {
            n[group]++;
        }

        /** The number of draws. */
        public long count() {
            long t = 0;
            for (long v : n) {
                t += v;
            }
            return t;
        }

        /** The sample mean of coordinate {@code j}'s draws. */
        public double mean(int j) {
            double a = 0;
            for (int g = 0; g < JACKKNIFE_GROUPS; g++) {
                a += s1[g][j];
            }
            return a / count();
        }

        /** The sample standard deviation ({@code n − 1}) of coordinate {@code j}'s draws. */
        public double sd(int j) {
            double a = 0, q = 0;
            for (int g = 0; g < JACKKNIFE_GROUPS; g++) {
                a += s1[g][j];
                q += s2[g][j];
            }
            double cnt = count();
            return Math.sqrt(Math.max(0.0, (q - a * a / cnt) / (cnt - 1)));
        }

        /** The SNR {@code |mean|/sd} of coordinate {@code j}. */
        public double snr(int j) {
            return Math.abs(mean(j)) / sd(j);
        }

        /** Mean over coordinates of the statistic, from all batches except {@code leaveOut} (−1: none). */
        private double statistic(Statistic s, int leaveOut) {
            double total = 0;
            for (int j = 0; j < coords; j++) {
                double cnt = 0, a = 0, q = 0, ab = 0;
                for (int g = 0; g < JACKKNIFE_GROUPS; g++) {
                    if (g == leaveOut) {
                        continue;
                    }
                    cnt += n[g];
                    a += s1[g][j];
                    q += s2[g][j];
                    ab += sAbs[g][j];
                }
                double mean = a / cnt;
                double var = s == Statistic.MUTANT_RAW_SECOND_MOMENT ? q / cnt
                        : Math.max(0.0, (q - a * mean) / (cnt - 1));
                double num = s == Statistic.MUTANT_MEAN_ABS ? ab / cnt : Math.abs(mean);
                total += num / Math.sqrt(var);
            }
            return total / coords;
        }

        Value value(Statistic s) {
            double all = statistic(s, -1);
            double[] loo = new double[JACKKNIFE_GROUPS];
            double meanLoo = 0;
            for (int g = 0; g < JACKKNIFE_GROUPS; g++) {
                loo[g] = statistic(s, g);
                meanLoo += loo[g] / JACKKNIFE_GROUPS;
            }
            double ss = 0;
            for (double v : loo) {
                ss += (v - meanLoo) * (v - meanLoo);
            }
            return new Value(all, Math.sqrt((JACKKNIFE_GROUPS - 1.0) / JACKKNIFE_GROUPS * ss));
        }
    }

    private final long seed;
    private final DType dtype;
    private final double[][] data;       // [N][D]
    private final double[] muTrue;
    private final double[] mu;           // θ
    private final double[][] a;          // [D][D]
    private final double[] b;

    /** The model, its 1024 data points and the perturbed optimum, all determined by {@code seed}; float64 gradients. */
    public GradientSnr(long seed) {
        this(seed, DType.FLOAT64);
    }

    /**
     * As {@link #GradientSnr(long)}, with the gradients computed in {@code dtype} (the setup and the SNR
     * sums are always double; float32 is about twice as fast and, at these magnitudes, agrees with float64
     * well within the SNRs' standard errors).
     */
    public GradientSnr(long seed, DType dtype) {
        this.seed = seed;
        this.dtype = dtype;
        Rng rng = new Rng(seed);
        muTrue = new double[D];
        for (int i = 0; i < D; i++) {
            muTrue[i] = rng.nextGaussian();
        }
        data = new double[N][D];
        double[] mean = new double[D];
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < D; i++) {
                double z = muTrue[i] + rng.nextGaussian();
                data[n][i] = z + rng.nextGaussian();
                mean[i] += data[n][i] / N;
            }
        }
        mu = new double[D];
        b = new double[D];
        a = new double[D][D];
        for (int i = 0; i < D; i++) {
            mu[i] = mean[i] + PERTURBATION * rng.nextGaussian();
        }
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                a[i][j] = (i == j ? 0.5 : 0.0) + PERTURBATION * rng.nextGaussian();
            }
        }
        for (int i = 0; i < D; i++) {
            b[i] = mean[i] / 2 + PERTURBATION * rng.nextGaussian();
        }
    }

    /** The setup's seed. */
    public long seed() {
        return seed;
    }

    /** Data point {@code n} (a copy). */
    public double[] dataPoint(int n) {
        return data[n].clone();
    }

    /** The SNR of the gradient for data point 0 alone ({@code M = 1}); see {@link #snr(Estimator, int, int, int, long)}. */
    public Result snr(Estimator estimator, int k, int r, long seed) {
        return snr(estimator, k, r, 1, seed);
    }

    /**
     * Draws {@code R} gradients of {@code Σ_{m<M} L̂_K(x_m)} (data points {@code 0..M−1}) with the given
     * encoder estimator and reduces them to per-coordinate SNRs.
     *
     * @param estimator how the encoder's gradient is formed
     * @param k         particles per data point, {@code ≥ 1}
     * @param r         gradient draws, {@code ≥ 2·}{@value #JACKKNIFE_GROUPS}
     * @param batch     data points per draw {@code M}, {@code 1..N}
     * @param seed      the seed of the draws
     */
    public Result snr(Estimator estimator, int k, int r, int batch, long seed) {
        if (k < 1 || r < 2 * JACKKNIFE_GROUPS || batch < 1 || batch > N) {
            throw new IllegalArgumentException("GradientSnr.snr: need K ≥ 1, R ≥ " + 2 * JACKKNIFE_GROUPS
                    + ", 1 ≤ M ≤ " + N + "; got K=" + k + ", R=" + r + ", M=" + batch);
        }
        Sums theta = new Sums(D);
        Sums aDiag = new Sums(D);
        Sums bSums = new Sums(D);
        // about 2^16 z-values of D per chunk keeps every [K, C·M, D] tensor near 10 MB, and [C, M, D, D] ≤ 2^22
        int chunk = Math.max(1, Math.min(r, Math.min((1 << 16) / (k * batch), (1 << 13) / batch)));
        Rng rng = new Rng(seed);
        double[] xs = new double[batch * D];
        for (int m = 0; m < batch; m++) {
            System.arraycopy(data[m], 0, xs, m * D, D);
        }
        Tensor x = tensor(xs, 1, batch, 1, D);           // broadcast against A: [C, 1, D, D]
        Tensor xFlat = tensor(xs, batch, D);
        int done = 0;
        while (done < r) {
            int c = Math.min(chunk, r - done);
            double[][] grads = gradients(estimator, k, c, batch, x, xFlat, rng);
            double[] gMu = grads[0], gA = grads[1], gB = grads[2];
            for (int row = 0; row < c; row++) {
                int g = (done + row) % JACKKNIFE_GROUPS;
                theta.count(g);
                aDiag.count(g);
                bSums.count(g);
                for (int i = 0; i < D; i++) {
                    theta.add(g, i, gMu[row * D + i]);
                    aDiag.add(g, i, gA[(row * D + i) * D + i]);
                    bSums.add(g, i, gB[row * D + i]);
                }
            }
            done += c;
        }
        return new Result(estimator, k, r, batch, theta, aDiag, bSums);
    }

    /** One backward pass: {@code c} gradient draws of (μ, A, b), as flat {@code [c, D]}, {@code [c, D, D]}, {@code [c, D]}. */
    private double[][] gradients(Estimator estimator, int k, int c, int batch, Tensor x, Tensor xFlat, Rng rng) {
        double[] muRep = new double[c * D];
        double[] aRep = new double[c * D * D];
        double[] bRep = new double[c * D];
        for (int row = 0; row < c; row++) {
            System.arraycopy(mu, 0, muRep, row * D, D);
            System.arraycopy(b, 0, bRep, row * D, D);
            for (int i = 0; i < D; i++) {
                System.arraycopy(a[i], 0, aRep, (row * D + i) * D, D);
            }
        }
        Tensor muT = tensor(muRep, c, D).requiresGrad(true);
        Tensor aT = tensor(aRep, c, D, D).requiresGrad(true);
        Tensor bT = tensor(bRep, c, D).requiresGrad(true);
        int rows = c * batch;                                                    // B = C·M particles' batch
        // q's mean A x_m + b: [C, M, D] → [C·M, D]
        Tensor ax = aT.unsqueeze(1).mul(x).sum(3, false);                        // [C, M, D]
        Tensor loc = ax.add(bT.unsqueeze(1)).reshape(rows, D);
        Distribution q = Normal.fromMeanLogVar(loc, Tensor.full(dtype, Math.log(Q_VARIANCE), rows, D));
        Tensor priorLoc = muT.unsqueeze(1).broadcastTo(c, batch, D).reshape(rows, D);
        Distribution prior = Normal.fromMeanLogVar(priorLoc, Tensor.zeros(dtype, rows, D));
        Distribution.Sample s = estimator.library().draw(q, rng, k);            // z: [K, B, D]
        Tensor z = s.value();
        Tensor xRows = xFlat.unsqueeze(0).broadcastTo(c, batch, D).reshape(rows, D);
        // p(x|z) = N(x; z, I) = N(z; x, I): score z under a unit Normal centred at x
        Tensor logPx = Normal.fromMeanLogVar(xRows, Tensor.zeros(dtype, rows, D)).logProb(z);
        Particles p = new Particles(q, prior, z, logPx, prior.logProb(z), s.logProb());
        Tensor bound = estimator.library().iwae(p);                              // [B]
        bound.sum().backward();
        return new double[][] {muT.grad().toDoubleArray(), aT.grad().toDoubleArray(), bT.grad().toDoubleArray()};
    }

    private Tensor tensor(double[] v, int... shape) {
        if (dtype == DType.FLOAT64) {
            return Tensor.of(v, shape);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, shape);
    }

    /**
     * Weighted least squares of {@code log SNR} on {@code log K}, weights {@code (SNR/SE)²} (the inverse
     * variance of {@code log SNR} by the delta method); the slope's standard error is
     * {@code 1/√(Σ w (log K − mean)²)}, scaled up by the residual dispersion when that exceeds 1
     * (so a bad fit is not over-confident).
     */
    public static Fit fitLogLog(int[] ks, Value[] values) {
        int n = ks.length;
        if (n < 2 || values.length != n) {
            throw new IllegalArgumentException("fitLogLog: need ≥ 2 matching points");
        }
        double[] xs = new double[n], ys = new double[n], ws = new double[n];
        double sw = 0, sx = 0, sy = 0;
        for (int i = 0; i < n; i++) {
            if (!(values[i].snr() > 0) || !(values[i].se() > 0)) {
                throw new IllegalArgumentException("fitLogLog: point " + i + " (K=" + ks[i] + ") has SNR "
                        + values[i].snr() + " ± " + values[i].se() + "; a log-log fit needs both positive");
            }
            xs[i] = Math.log(ks[i]);
            ys[i] = Math.log(values[i].snr());
            double rel = values[i].se() / values[i].snr();
            ws[i] = 1.0 / (rel * rel);
            sw += ws[i];
            sx += ws[i] * xs[i];
            sy += ws[i] * ys[i];
        }
        double mx = sx / sw, my = sy / sw;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += ws[i] * (xs[i] - mx) * (xs[i] - mx);
            sxy += ws[i] * (xs[i] - mx) * (ys[i] - my);
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double chi2 = 0;
        for (int i = 0; i < n; i++) {
            double res = ys[i] - intercept - slope * xs[i];
            chi2 += ws[i] * res * res;
        }
        double dispersion = n > 2 ? Math.max(1.0, chi2 / (n - 2)) : 1.0;
        return new Fit(slope, Math.sqrt(dispersion / sxx), intercept);
    }
}
