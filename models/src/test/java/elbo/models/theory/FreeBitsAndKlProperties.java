package elbo.models.theory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Networks;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.Statistics;
import elbo.models.vae.decoder.GaussianDecoder;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.prior.StandardPrior;
import elbo.nn.dist.Kl;
import elbo.nn.dist.Normal;
import elbo.nn.dist.StandardNormal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Lecture items 3–4 and the estimator theory: free bits, the KL, and DReG's unbiasedness.
 *
 * <ol>
 *   <li><b>Free bits pass no encoder gradient below λ.</b> With {@code FreeBits.penalty} (per dimension and
 *       per group of 2), the gradient of the KL term alone w.r.t. the encoder parameters that feed
 *       <em>only</em> a group whose batch-averaged KL is below λ (its rows of the mean and log-variance heads)
 *       is exactly {@code 0.0}; for a group above λ it equals the plain KL's gradient (to 1e-12 relative) and
 *       is not 0. λ is put half-way between two groups' KLs, never at a tie.</li>
 *   <li><b>KL ≥ 0</b> for analytic Gaussian KLs ({@code Normal ‖ Normal}, {@code Normal ‖ N(0, I)}, per
 *       dimension and summed), over random parameters including log-variances in [−30, 30], nearly equal
 *       distributions (log-variance differences down to 1e-12) and means up to 1e3: exactly, no tolerance.</li>
 *   <li><b>Analytic = Monte Carlo KL</b> within {@code 4.5 se} (se over 20 000 draws from the samples
 *       themselves; {@code log p − log q} is a quadratic in a Gaussian, so its variance is finite).</li>
 *   <li><b>DReG is unbiased.</b> On a small linear-Gaussian VAE (float64), the encoder gradient of
 *       {@code Iwae(K, dreg)} has the same mean as that of {@code Iwae(K, reparam)}: over {@code R = 200}
 *       passes (each the average over 64 independent rows), with common random numbers (same seed: same
 *       {@code ε}, hence the same {@code z}), the per-pass difference has mean within {@code 4.5 se} of 0 for
 *       each of the 12 encoder parameters (false-alarm rate ≈ 12 · 7e-6 per try). The decoder's gradients
 *       coincide draw by draw (DReG keeps IWAE's own θ-gradient), to 1e-9 relative.</li>
 * </ol>
 */
class FreeBitsAndKlProperties {
    static final int X = 3;
    static final int D = 4;

    // ---- 1. free bits ----

    static GaussianPosterior encoder(Rng rng) {
        GaussianPosterior q = GaussianPosterior.mlp(Networks.Net.TANH, X, 1, 0, D, DType.FLOAT64, rng);
        for (int d = 0; d < D; d++) {
            double scale = Math.exp(2.0 * rng.nextGaussian());     // groups with very different KLs
            for (int i = 0; i < X; i++) {
                q.meanHead().weight().setFlat(d * X + i, scale * rng.nextGaussian());
                q.logVarHead().weight().setFlat(d * X + i, 0.2 * rng.nextGaussian());
            }
            q.meanHead().bias().setFlat(d, scale * rng.nextGaussian());
            q.logVarHead().bias().setFlat(d, -2.0 + 2.5 * rng.nextDouble());  // inside the clamp [−6, 2]
        }
        return q;
    }

    /** The encoder parameters that feed only latent dimension {@code d}: row {@code d} of both heads. */
    static double[] gradsOfDimension(GaussianPosterior q, int d) {
        double[] g = new double[2 * X + 2];
        for (int i = 0; i < X; i++) {
            g[i] = q.meanHead().weight().grad().getFlat(d * X + i);
            g[X + i] = q.logVarHead().weight().grad().getFlat(d * X + i);
        }
        g[2 * X] = q.meanHead().bias().grad().getFlat(d);
        g[2 * X + 1] = q.logVarHead().bias().grad().getFlat(d);
        return g;
    }

    /** Encoder gradients of {@code penalty(kl, klPerDim)} alone, per latent dimension. */
    static double[][] penaltyGradients(GaussianPosterior q, Tensor x, BiFunction<Tensor, Tensor, Tensor> penalty) {
        q.zeroGrad();
        Normal post = q.q(x);
        Tensor perDim = Kl.perDimension(post, new StandardNormal(D, DType.FLOAT64)).orElseThrow();
        penalty.apply(perDim.sum(-1, false), perDim).backward();
        double[][] g = new double[D][];
        for (int d = 0; d < D; d++) {
            g[d] = gradsOfDimension(q, d);
        }
        return g;
    }

    /**
     * The free-bits check for groups of {@code groupSize} dimensions at {@code λ}: zero gradient below, plain
     * KL gradient above; empty if it holds.
     */
    static Optional<String> freeBitsViolation(GaussianPosterior q, Tensor x, int groupSize, double lambda,
            BiFunction<Tensor, Tensor, Tensor> penalty) {
        double[] groupKl = groupKls(q, x, groupSize);
        double[][] g = penaltyGradients(q, x, penalty);
        double[][] plain = penaltyGradients(q, x, (kl, perDim) -> kl.mean());
        for (int d = 0; d < D; d++) {
            double m = groupKl[d / groupSize];
            for (int j = 0; j < g[d].length; j++) {
                if (m < lambda && g[d][j] != 0.0) {
                    return Optional.of("dimension " + d + " (group KL " + m + " < λ " + lambda + ") got encoder gradient "
                            + g[d][j] + " from the free-bits term");
                }
                if (m > lambda && Math.abs(g[d][j] - plain[d][j]) > 1e-12 * (1 + Math.abs(plain[d][j]))) {
                    return Optional.of("dimension " + d + " (group KL " + m + " > λ " + lambda + ") got gradient " + g[d][j]
                            + ", the plain KL's is " + plain[d][j]);
                }
            }
            if (m > lambda && Arrays.stream(plain[d]).allMatch(v -> v == 0.0)) {
                return Optional.of("vacuous: no KL gradient at all for dimension " + d);
            }
        }
        return Optional.empty();
    }

    static double[] groupKls(GaussianPosterior q, Tensor x, int groupSize) {
        Tensor perDim = Kl.perDimension(q.q(x).detached(), new StandardNormal(D, DType.FLOAT64)).orElseThrow();
        double[] mean = perDim.mean(0, false).toDoubleArray();
        double[] group = new double[D / groupSize];
        for (int d = 0; d < D; d++) {
            group[d / groupSize] += mean[d];
        }
        return group;
    }

    /** λ half-way between the {@code j}-th and {@code j+1}-th smallest group KLs (so some groups are on each side). */
    static double lambdaBetween(double[] groupKl, int j) {
        double[] s = groupKl.clone();
        Arrays.sort(s);
        return 0.5 * (s[j] + s[j + 1]);
    }

    @Property(tries = 60, seed = "8")
    void freeBitsPassNoEncoderGradientBelowLambda(@ForAll @IntRange(min = 1, max = 2) int groupSize,
            @ForAll @IntRange(min = 0, max = 2) int split, @ForAll @IntRange(min = 1, max = 32) int batch,
            @ForAll long seed) {
        Rng rng = new Rng(seed);
        GaussianPosterior q = encoder(rng);
        Tensor x = rng.normal(DType.FLOAT64, batch, X);
        double[] groupKl = groupKls(q, x, groupSize);
        double lambda = lambdaBetween(groupKl, Math.min(split, groupKl.length - 2));
        FreeBits fb = new FreeBits(lambda, groupSize);
        freeBitsViolation(q, x, groupSize, lambda, fb::penalty).ifPresent(m -> {
            throw new AssertionError(m + " (λ " + lambda + ", groups " + Arrays.toString(groupKl) + ")");
        });
    }

    /**
     * The same through the objective: {@code Elbo} with free bits against {@code Elbo} with {@code β = 0}
     * (reconstruction only) on the same draws (same seed). Below λ the encoder rows get exactly the
     * reconstruction's gradient, bit for bit; above λ they differ (the KL pulls).
     */
    @Property(tries = 30, seed = "84")
    void elboWithFreeBitsLeavesDimensionsBelowLambdaToTheReconstruction(@ForAll @IntRange(min = 0, max = 2) int split,
            @ForAll @IntRange(min = 1, max = 32) int batch, @ForAll long seed) {
        Rng rng = new Rng(seed);
        GaussianPosterior q = encoder(rng);
        GaussianDecoder p = GaussianDecoder.linear(D, X, GaussianDecoder.Noise.FIXED, 0.8, DType.FLOAT64, rng);
        Vae vae = new Vae(q, p, new StandardPrior(D, DType.FLOAT64));
        Tensor x = rng.normal(DType.FLOAT64, batch, X);
        double[] kl = groupKls(q, x, 1);
        double lambda = lambdaBetween(kl, split);
        double[][] withFreeBits = elboGradients(vae, x, seed, new elbo.models.vae.objective.Elbo(1,
                new elbo.models.vae.objective.BetaSchedule.Constant(1.0), FreeBits.perDimension(lambda),
                new Reparameterised()));
        double[][] reconstructionOnly = elboGradients(vae, x, seed, new elbo.models.vae.objective.Elbo(1,
                new elbo.models.vae.objective.BetaSchedule.Constant(0.0), FreeBits.NONE, new Reparameterised()));
        for (int d = 0; d < D; d++) {
            if (kl[d] < lambda) {
                assertTrue(Arrays.equals(withFreeBits[d], reconstructionOnly[d]), "dimension " + d + " (KL " + kl[d]
                        + " < λ " + lambda + "): " + Arrays.toString(withFreeBits[d]) + " vs reconstruction only "
                        + Arrays.toString(reconstructionOnly[d]));
            } else {
                assertTrue(!Arrays.equals(withFreeBits[d], reconstructionOnly[d]), "dimension " + d + " above λ got no KL gradient");
            }
        }
    }

    static double[][] elboGradients(Vae vae, Tensor x, long seed, elbo.models.vae.objective.Elbo elbo) {
        vae.zeroGrad();
        vae.loss(x, elbo, new Rng(seed + 1), 0).value().backward();
        GaussianPosterior q = (GaussianPosterior) vae.posterior();
        double[][] g = new double[D][];
        for (int d = 0; d < D; d++) {
            g[d] = gradsOfDimension(q, d);
        }
        return g;
    }

    /** Mutant: {@code Σ_g min(λ, KL_g)} instead of max: the gradient flows exactly where it must not. */
    @Test
    void mutant_freeBitsWithMinInsteadOfMax_caught() {
        int caught = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Rng rng = new Rng(seed);
            GaussianPosterior q = encoder(rng);
            Tensor x = rng.normal(DType.FLOAT64, 16, X);
            double lambda = lambdaBetween(groupKls(q, x, 1), 1);
            BiFunction<Tensor, Tensor, Tensor> mutant = (kl, perDim) ->
                    perDim.mean(0, false).minimum(Tensor.scalar(lambda, kl.dtype())).sum();
            assertTrue(freeBitsViolation(q, x, 1, lambda, FreeBits.perDimension(lambda)::penalty).isEmpty());
            Optional<String> v = freeBitsViolation(q, x, 1, lambda, mutant);
            if (seed == 1) {
                System.out.println("[mutant free bits min] " + v.orElse("NOT caught"));
            }
            caught += v.isPresent() ? 1 : 0;
        }
        assertTrue(caught == 20, "min-instead-of-max free bits escaped on " + (20 - caught) + "/20 seeds");
    }

    // ---- 2. KL ≥ 0 ----

    /** The analytic KL per dimension of two diagonal Gaussians: the library's, or a mutant. */
    static final BiFunction<Normal, Normal, Tensor> LIBRARY_KL = (p, q) -> Kl.perDimension(p, q).orElseThrow();

    /**
     * Mutant: the variance ratio inverted, {@code ½ (e^{−r} − 1 − r + (μ_p − μ_q)² e^{−v_q})} with
     * {@code r = v_p − v_q} (a sign slip between {@code log σ_p²/σ_q²} and its reciprocal).
     */
    static final BiFunction<Normal, Normal, Tensor> INVERTED_RATIO_KL = (p, q) -> {
        Tensor r = p.logVar().sub(q.logVar());
        Tensor meanTerm = p.loc().sub(q.loc()).square().mul(q.logVar().neg().exp());
        return r.neg().expm1().sub(r).add(meanTerm).mul(0.5);
    };

    static Normal standard(int d) {
        return Normal.fromMeanLogVar(Tensor.zeros(DType.FLOAT64, d), Tensor.zeros(DType.FLOAT64, d));
    }

    /** Random Gaussian pairs in the regime {@code 0..3} (mean scale 1e-8, 1, 30, 1e3), log-variances in [−30, 30]. */
    static Normal[] extremePair(Rng rng, int d, int regime) {
        double meanScale = new double[] {1e-8, 1.0, 30.0, 1e3}[regime];
        double[] mp = new double[d];
        double[] vp = new double[d];
        double[] mq = new double[d];
        double[] vq = new double[d];
        for (int j = 0; j < d; j++) {
            vq[j] = -30 + 60 * rng.nextDouble();
            mq[j] = meanScale * rng.nextGaussian();
            switch (rng.nextInt(3)) {
                case 0 -> {                                              // nearly equal: the cancellation case
                    vp[j] = vq[j] + Math.pow(10, -12 + 11 * rng.nextDouble()) * (rng.nextDouble() < 0.5 ? -1 : 1);
                    mp[j] = mq[j] + Math.pow(10, -12 + 11 * rng.nextDouble()) * rng.nextGaussian();
                }
                case 1 -> {                                              // equal
                    vp[j] = vq[j];
                    mp[j] = mq[j];
                }
                default -> {
                    vp[j] = -30 + 60 * rng.nextDouble();
                    mp[j] = meanScale * rng.nextGaussian();
                }
            }
        }
        return new Normal[] {Normal.fromMeanLogVar(Tensor.of(mp, d), Tensor.of(vp, d)),
                Normal.fromMeanLogVar(Tensor.of(mq, d), Tensor.of(vq, d))};
    }

    /** Every per-dimension and summed KL ≥ 0 and not NaN, for (p, q), (q, p) and (p, N(0, I)); empty if so. */
    static Optional<String> negativeKl(Normal p, Normal q, BiFunction<Normal, Normal, Tensor> kl) {
        int d = p.eventSize();
        Normal[][] pairs = {{p, q}, {q, p}, {p, standard(d)}};
        for (Normal[] pair : pairs) {
            Tensor perDim = kl.apply(pair[0], pair[1]);
            double[] values = Arrays.copyOf(perDim.toDoubleArray(), d + 1);
            values[d] = perDim.sum(-1, false).item();
            for (double v : values) {
                if (!(v >= 0.0)) {
                    return Optional.of("KL = " + v + " for p = " + Arrays.toString(pair[0].loc().toDoubleArray()) + ", e^"
                            + Arrays.toString(pair[0].logVar().toDoubleArray()) + " and q = "
                            + Arrays.toString(pair[1].loc().toDoubleArray()) + ", e^"
                            + Arrays.toString(pair[1].logVar().toDoubleArray()));
                }
            }
        }
        return Optional.empty();
    }

    @Property(tries = 300, seed = "81")
    void analyticKlIsNonNegative(@ForAll @IntRange(min = 1, max = 6) int d, @ForAll @IntRange(min = 0, max = 3) int regime,
            @ForAll long seed) {
        Normal[] pq = extremePair(new Rng(seed), d, regime);
        negativeKl(pq[0], pq[1], LIBRARY_KL).ifPresent(m -> {
            throw new AssertionError(m);
        });
        // the library's N(0, I) form (StandardNormal) agrees with the Normal-Normal form at (0, 0)
        double[] viaStandard = Kl.perDimension(pq[0], new StandardNormal(d, DType.FLOAT64)).orElseThrow().toDoubleArray();
        double[] viaNormal = LIBRARY_KL.apply(pq[0], standard(d)).toDoubleArray();
        for (int j = 0; j < d; j++) {
            assertTrue(viaStandard[j] >= 0.0 && Math.abs(viaStandard[j] - viaNormal[j]) <= 1e-12 * (1 + viaNormal[j]),
                    "KL to N(0,I): " + viaStandard[j] + " vs " + viaNormal[j]);
        }
    }

    @Test
    void mutant_klWithInvertedVarianceRatio_goesNegative() {
        Rng rng = new Rng(17);
        int caught = 0;
        for (int t = 0; t < 50; t++) {
            Normal[] pq = extremePair(rng, 1 + rng.nextInt(6), rng.nextInt(4));
            assertTrue(negativeKl(pq[0], pq[1], LIBRARY_KL).isEmpty());
            caught += negativeKl(pq[0], pq[1], INVERTED_RATIO_KL).isPresent() ? 1 : 0;
        }
        System.out.println("[mutant KL inverted ratio] negative on " + caught + "/50 draws");
        assertTrue(caught >= 25, "KL ≥ 0 caught the inverted-ratio KL on only " + caught + "/50 draws");
    }

    // ---- 3. analytic vs Monte Carlo ----

    /** Analytic (by {@code kl}) vs Monte Carlo from 20 000 draws of p, to 4.5 se; empty if they agree. */
    static Optional<String> monteCarloDisagreement(Normal p, Normal q, BiFunction<Normal, Normal, Tensor> kl, Rng rng) {
        int n = 20_000;
        Tensor z = p.sample(rng, n);
        double[] diff = p.logProb(z).sub(q.logProb(z)).toDoubleArray();
        double mc = Statistics.mean(diff);
        double se = Statistics.standardError(diff);
        double analytic = kl.apply(p, q).sum(-1, false).item();
        return Math.abs(mc - analytic) <= 4.5 * se + 1e-12 ? Optional.empty()
                : Optional.of("analytic KL " + analytic + " vs Monte Carlo " + mc + " ± " + se);
    }

    static Normal[] moderatePair(Rng rng, int d) {
        Normal p = Normal.fromMeanLogVar(rng.normal(DType.FLOAT64, d).mul(2.0),
                rng.uniform(DType.FLOAT64, elbo.core.Shape.of(d), -2, 2));
        Normal q = Normal.fromMeanLogVar(rng.normal(DType.FLOAT64, d),
                rng.uniform(DType.FLOAT64, elbo.core.Shape.of(d), -2, 2));
        return new Normal[] {p, q};
    }

    @Property(tries = 40, seed = "82")
    void analyticKlAgreesWithMonteCarlo(@ForAll @IntRange(min = 1, max = 4) int d, @ForAll long seed) {
        Rng rng = new Rng(seed);
        Normal[] pq = moderatePair(rng, d);
        for (Normal target : new Normal[] {pq[1], standard(d)}) {
            monteCarloDisagreement(pq[0], target, LIBRARY_KL, rng).ifPresent(m -> {
                throw new AssertionError(m);
            });
        }
        // and the library's StandardNormal form, against the same kind of estimate
        Tensor z = pq[0].sample(rng, 20_000);
        double[] diff = pq[0].logProb(z).sub(new StandardNormal(d, DType.FLOAT64).logProb(z)).toDoubleArray();
        double analytic = Kl.divergence(pq[0], new StandardNormal(d, DType.FLOAT64)).item();
        assertTrue(Math.abs(Statistics.mean(diff) - analytic)
                <= 4.5 * Statistics.standardError(diff) + 1e-12, "KL to StandardNormal " + analytic);
    }

    @Test
    void mutant_klWithInvertedVarianceRatio_disagreesWithMonteCarlo() {
        Rng rng = new Rng(18);
        int caught = 0;
        for (int t = 0; t < 20; t++) {
            Normal[] pq = moderatePair(rng, 1 + rng.nextInt(4));
            assertTrue(monteCarloDisagreement(pq[0], pq[1], LIBRARY_KL, rng).isEmpty());
            caught += monteCarloDisagreement(pq[0], pq[1], INVERTED_RATIO_KL, rng).isPresent() ? 1 : 0;
        }
        System.out.println("[mutant KL inverted ratio vs Monte Carlo] caught on " + caught + "/20 pairs");
        assertTrue(caught >= 15, "analytic-vs-MC caught the inverted-ratio KL on only " + caught + "/20 pairs");
    }

    // ---- 4. DReG unbiasedness ----

    static Vae smallVae(Rng rng) {
        int x = 2;
        int d = 2;
        GaussianPosterior q = GaussianPosterior.mlp(Networks.Net.TANH, x, 1, 0, d, DType.FLOAT64, rng);
        for (int i = 0; i < d * x; i++) {
            q.meanHead().weight().setFlat(i, 0.5 * rng.nextGaussian());
            q.logVarHead().weight().setFlat(i, 0.1 * rng.nextGaussian());
        }
        for (int j = 0; j < d; j++) {
            q.meanHead().bias().setFlat(j, 0.5 * rng.nextGaussian());
            q.logVarHead().bias().setFlat(j, -1.0 + 1.5 * rng.nextDouble());
        }
        GaussianDecoder p = GaussianDecoder.linear(d, x, GaussianDecoder.Noise.FIXED, 0.7, DType.FLOAT64, rng);
        return new Vae(q, p, new StandardPrior(d, DType.FLOAT64));
    }

    /** One pass's gradients: the 12 encoder parameters, then the decoder's. */
    interface GradientPass {
        void backward(Vae vae, Tensor x, Rng rng);
    }

    static double[] grads(Vae vae, Tensor x, long seed, GradientPass pass) {
        vae.zeroGrad();
        pass.backward(vae, x, new Rng(seed));
        GaussianPosterior q = (GaussianPosterior) vae.posterior();
        GaussianDecoder p = (GaussianDecoder) vae.decoder();
        Tensor[] params = {q.meanHead().weight(), q.meanHead().bias(), q.logVarHead().weight(), q.logVarHead().bias(),
                p.outputLayer().weight(), p.outputLayer().bias()};
        return Arrays.stream(params).flatMapToDouble(t -> Arrays.stream(t.grad().toDoubleArray())).toArray();
    }

    static final int ENCODER_PARAMS = 12;

    /**
     * The largest |z| over the encoder parameters of the mean per-pass difference {@code candidate −
     * reference}, (for the decoder) the largest relative per-pass difference, and the largest per-pass encoder
     * difference (which must not be 0: the two estimators differ draw by draw, only their means agree).
     */
    static double[] unbiasednessScores(Vae vae, Tensor x, int passes, long seed, GradientPass candidate,
            GradientPass reference) {
        double[][] diffs = new double[ENCODER_PARAMS][passes];
        double decoderGap = 0;
        double largestDifference = 0;
        for (int r = 0; r < passes; r++) {
            double[] a = grads(vae, x, seed + r, candidate);
            double[] b = grads(vae, x, seed + r, reference);
            for (int i = 0; i < ENCODER_PARAMS; i++) {
                diffs[i][r] = a[i] - b[i];
                largestDifference = Math.max(largestDifference, Math.abs(diffs[i][r]));
            }
            for (int i = ENCODER_PARAMS; i < a.length; i++) {
                decoderGap = Math.max(decoderGap, Math.abs(a[i] - b[i]) / (1e-12 + Math.abs(b[i])));
            }
        }
        double worst = 0;
        for (double[] d : diffs) {
            double se = Statistics.standardError(d);
            worst = Math.max(worst, Math.abs(Statistics.mean(d)) / (se + 1e-300));
        }
        return new double[] {worst, decoderGap, largestDifference};
    }

    static Tensor replicatedPoint(Rng rng, int rows) {
        double[] point = {1.5 * rng.nextGaussian(), 1.5 * rng.nextGaussian()};
        Tensor x = Tensor.zeros(DType.FLOAT64, rows, 2);
        for (int r = 0; r < rows; r++) {
            x.setFlat(2 * r, point[0]);
            x.setFlat(2 * r + 1, point[1]);
        }
        return x;
    }

    static GradientPass iwae(int k, elbo.models.vae.objective.Estimator e) {
        return (vae, x, rng) -> vae.loss(x, new Iwae(k, e), rng, 0).value().backward();
    }

    @Property(tries = 4, seed = "83")
    void dregIsUnbiased(@ForAll @IntRange(min = 2, max = 8) int k, @ForAll long seed) {
        Rng rng = new Rng(seed);
        Vae vae = smallVae(rng);
        Tensor x = replicatedPoint(rng, 64);
        double[] s = unbiasednessScores(vae, x, 200, seed, iwae(k, new DoublyReparameterised()),
                iwae(k, new Reparameterised()));
        System.out.printf("[dreg] K=%d: max |z| over encoder parameters %.2f, decoder max rel. gap %.1e%n", k, s[0], s[1]);
        assertTrue(s[0] <= 4.5, "DReG − IWAE encoder gradient: max |mean/se| = " + s[0] + " > 4.5 (K " + k + ")");
        assertTrue(s[1] <= 1e-9, "DReG decoder gradient differs from IWAE's on the same draws: " + s[1]);
        assertTrue(s[2] > 1e-6, "vacuous: DReG and IWAE encoder gradients coincide draw by draw");
    }

    /**
     * Mutant: DReG without the hook, i.e. the surrogate {@code Σ_k w̃_k log w_k} with STL particles (w̃ instead
     * of w̃² on the path through z): the IWAE-STL gradient, biased for {@code K > 1}. The same check fails.
     */
    @Test
    void mutant_dregWithUnsquaredWeights_isBiased() {
        Rng rng = new Rng(5);
        Vae vae = smallVae(rng);
        Tensor x = replicatedPoint(rng, 64);
        int k = 5;
        GradientPass mutant = (v, xx, r) -> {
            Particles p = Particles.draw(v, xx, k, new StickingTheLanding(), r);
            Tensor logW = p.logW();
            Tensor wTilde = logW.sub(logW.logSumExp(0, true)).exp().detach();
            wTilde.mul(logW).sum(0, false).mean().neg().backward();
        };
        double[] correct = unbiasednessScores(vae, x, 200, 5, iwae(k, new DoublyReparameterised()),
                iwae(k, new Reparameterised()));
        double[] s = unbiasednessScores(vae, x, 200, 5, mutant, iwae(k, new Reparameterised()));
        System.out.printf("[mutant dreg w̃ not squared] max |z| %.2f (correct DReG %.2f)%n", s[0], correct[0]);
        assertTrue(correct[0] <= 4.5);
        assertTrue(s[0] > 4.5, "the unsquared-weights mutant passed the unbiasedness check: max |z| " + s[0]);
    }
}
