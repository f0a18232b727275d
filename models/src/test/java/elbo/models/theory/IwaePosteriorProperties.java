package elbo.models.theory;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.eval.ImportanceWeightedPosterior;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property 7 of issue 21, the IWAE posterior, on {@link IwaePosterior2d}'s 2-D models with a non-Gaussian
 * posterior (bimodal f = z₁z₂, or banana f = z₁² + z₂), a broad proposal q = N(0, 1.5² I) and a 40 × 40 grid
 * on [−4, 4]²:
 * <ol>
 *   <li>the total variation between a histogram of n = 100 000 SIR draws from q_IW and the grid posterior
 *       falls from K = 1 to 10 to 100. Margin: the empirical TV is a function of n independent draws that
 *       changes by at most 1/n when one draw changes, so by McDiarmid's bounded-differences inequality it
 *       deviates from its mean by more than t with probability at most 2·exp(−2nt²); each step must exceed
 *       Z·√2/(2√n) (0.0089 at n = 10⁵, Z = 4), which two such deviations exceed with probability
 *       below 10⁻⁷;</li>
 *   <li>for every draw, {@code log p(x, z) − log q_IW(z | x, z_2:K) = log (1/K) Σ_k w_k} to rounding
 *       (|difference| ≤ 1e-12 (1 + |log (1/K) Σ w|)), with q_IW computed from its definition (self weight
 *       plus the others' sum) and the right side by one max-shifted log-mean-exp.</li>
 * </ol>
 */
class IwaePosteriorProperties {
    static final double Z = 4.0;
    static final int SAMPLES = 100_000;

    record Case(IwaePosterior2d.Kind kind, double x, double sigma, long seed) {
        IwaePosterior2d model() {
            return new IwaePosterior2d(kind, x, sigma, 1.5, 4.0, 40);
        }
    }

    /** Bimodal with x ~ U[1, 2] or banana with x ~ U[−0.5, 2]; σ ~ U[0.25, 0.5]. */
    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.of(IwaePosterior2d.Kind.class),
                        Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0.25, 0.5),
                        Arbitraries.longs().between(1, 1_000_000))
                .as((kind, u, sigma, seed) -> new Case(kind, kind == IwaePosterior2d.Kind.BIMODAL ? 1 + u : -0.5 + 2.5 * u,
                        sigma, seed));
    }

    /** The margin one step of the TV sequence must clear (see the class comment). */
    static double margin(int samples) {
        return Z * Math.sqrt(2) / (2 * Math.sqrt(samples));
    }

    /** The check shared with the mutation test: TV(K=1) > TV(10) + margin and TV(10) > TV(100) + margin. */
    static boolean decreases(double[] tv, int samples) {
        return tv[0] > tv[1] + margin(samples) && tv[1] > tv[2] + margin(samples);
    }

    static double[] tvs(IwaePosterior2d m, IwaePosterior2d.Selector selector, long seed) {
        double[][] posterior = m.gridPosterior();
        int[] ks = {1, 10, 100};
        double[] tv = new double[ks.length];
        for (int i = 0; i < ks.length; i++) {
            tv[i] = IwaePosterior2d.totalVariation(m.sir(ks[i], SAMPLES, new Rng(seed + i), selector), posterior);
        }
        return tv;
    }

    @Property(tries = 4, seed = "42")
    void sirFromQiwApproachesTheGridPosterior(@ForAll("cases") Case c) {
        double[] tv = tvs(c.model(), IwaePosterior2d.IMPORTANCE, c.seed());
        System.out.printf("IwaePosteriorProperties %s: TV(K=1, 10, 100) = %.4f, %.4f, %.4f (margin %.4f)%n", c, tv[0],
                tv[1], tv[2], margin(SAMPLES));
        assertTrue(decreases(tv, SAMPLES), c + ": TV = " + java.util.Arrays.toString(tv) + ", margin " + margin(SAMPLES));
    }

    /** Residual of the q_IW identity for particle {@code j} of the draw, the others as z_2:K. */
    static double identityResidual(IwaePosterior2d m, double[] z1, double[] z2, double[] logW, int j) {
        double[] others = new double[logW.length - 1];
        for (int i = 0, o = 0; i < logW.length; i++) {
            if (i != j) {
                others[o++] = logW[i];
            }
        }
        double rhs = LogMeanExp.logMeanExp(logW);
        double lhs = m.logJoint(z1[j], z2[j]) - m.logImportanceWeightedDensity(z1[j], z2[j], others);
        // relative to the largest magnitude in the subtraction: log p(x, z) reaches ~10⁴, where one ulp is ~10⁻¹²
        return Math.abs(lhs - rhs) / (1 + Math.abs(rhs) + Math.abs(m.logJoint(z1[j], z2[j])));
    }

    @Property(tries = 200, seed = "42")
    void qIwIdentityHoldsForEveryDraw(@ForAll("cases") Case c, @ForAll @IntRange(min = 1, max = 500) int k,
            @ForAll @LongRange(min = 1, max = 1_000_000) long drawSeed) {
        IwaePosterior2d m = c.model();
        Rng rng = new Rng(drawSeed);
        double[] z1 = new double[k];
        double[] z2 = new double[k];
        double[] logW = new double[k];
        for (int j = 0; j < k; j++) {
            z1[j] = 1.5 * rng.nextGaussian();
            z2[j] = 1.5 * rng.nextGaussian();
            logW[j] = m.logWeight(z1[j], z2[j]);
        }
        int kept = IwaePosterior2d.IMPORTANCE.select(logW, rng);
        assertTrue(identityResidual(m, z1, z2, logW, kept) <= 1e-12, c + " K=" + k + ": kept particle");
        for (int j = 0; j < k; j++) {
            double r = identityResidual(m, z1, z2, logW, j);
            assertTrue(r <= 1e-12, c + " K=" + k + " particle " + j + ": relative residual " + r);
        }
    }

    /**
     * The library's {@link ImportanceWeightedPosterior} (SIR through a {@code Vae}) on a random linear-Gaussian
     * model (general W) with a wide, shifted diagonal q: the Gaussian fitted to 20 000 q_IW draws approaches
     * the analytic posterior N(m, S) as K goes 1 → 10 → 100, measured by KL(N(μ̂, Σ̂) ‖ N(m, S)). Under exact
     * sampling that KL is ≈ χ²_5/(2n) (5 = D + D(D+1)/2 fitted parameters, D = 2, n = 20 000): mean 1.25e-4,
     * sd 0.79e-4; each step must fall by more than mean + 4 sd = (5 + 4√10)/(2n) ≈ 4.4e-4, and KL at
     * K = 100 must be below 5 % of KL at K = 1.
     */
    @Property(tries = 3, seed = "42")
    void libraryImportanceWeightedPosteriorApproachesTheLinearGaussianPosterior(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        LadderProperties.Case c = LadderProperties.randomCase(seed, 1.5, 2.0, 1.0);
        double[] m = c.model().posteriorMean(c.x());
        double[][] s = c.model().posteriorCovariance();
        int[] ks = {1, 10, 100};
        double[] kl = new double[ks.length];
        for (int r = 0; r < ks.length; r++) {
            Tensor z = ImportanceWeightedPosterior.sample(c.vae(), c.replicated(100), ks[r], 200, new Rng(seed + r));
            kl[r] = fittedGaussianKl(z.toDoubleArray(), m, s);
        }
        double floor = (5 + 4 * Math.sqrt(10)) / (2.0 * 20_000);
        System.out.printf("library q_IW on %s: KL(fit ‖ posterior) at K = 1, 10, 100: %.5f, %.5f, %.5f%n", c, kl[0], kl[1],
                kl[2]);
        assertTrue(kl[0] > kl[1] + floor && kl[1] > kl[2] + floor && kl[2] < 0.05 * kl[0],
                c + ": " + java.util.Arrays.toString(kl));
    }

    /** KL(N(μ̂, Σ̂) ‖ N(m, S)) for the 2-D samples {@code z} (flat, pairs). */
    static double fittedGaussianKl(double[] z, double[] m, double[][] s) {
        int n = z.length / 2;
        double[] mu = new double[2];
        for (int i = 0; i < n; i++) {
            mu[0] += z[2 * i] / n;
            mu[1] += z[2 * i + 1] / n;
        }
        double[][] cov = new double[2][2];
        for (int i = 0; i < n; i++) {
            double a = z[2 * i] - mu[0];
            double b = z[2 * i + 1] - mu[1];
            cov[0][0] += a * a / (n - 1);
            cov[0][1] += a * b / (n - 1);
            cov[1][1] += b * b / (n - 1);
        }
        cov[1][0] = cov[0][1];
        double[][] sInv = LinearGaussian.inverse(s);
        double trace = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                trace += sInv[i][j] * cov[j][i];
            }
        }
        double[] d = {m[0] - mu[0], m[1] - mu[1]};
        double quad = LinearGaussian.dot(d, LinearGaussian.multiply(sInv, d));
        double logDetS = LinearGaussian.logDetFromCholesky(LinearGaussian.cholesky(s));
        double logDetC = LinearGaussian.logDetFromCholesky(LinearGaussian.cholesky(cov));
        return 0.5 * (trace + quad - 2 + logDetS - logDetC);
    }

    // ---- mutation evidence ----

    /** SIR that ignores the weights (uniform resampling) samples q for every K: the same check must fail. */
    @Test
    void mutationSirWithoutImportanceWeightsDoesNotApproachThePosterior() {
        IwaePosterior2d m = IwaePosterior2d.lectureDefault();
        double[] right = tvs(m, IwaePosterior2d.IMPORTANCE, 7);
        assertTrue(decreases(right, SAMPLES), "correct SIR passes: " + java.util.Arrays.toString(right));
        IwaePosterior2d.Selector uniform = (logW, rng) -> rng.nextInt(logW.length);
        double[] wrong = tvs(m, uniform, 7);
        System.out.printf("mutant uniform SIR: TV(K=1, 10, 100) = %.4f, %.4f, %.4f; correct: %.4f, %.4f, %.4f%n",
                wrong[0], wrong[1], wrong[2], right[0], right[1], right[2]);
        assertFalse(decreases(wrong, SAMPLES), "uniform resampling must fail the check");
    }

    /** q_IW without the self weight w(z) (i.e. p(x,z) / ((1/(K−1)) Σ_{k≥2} w_k)) breaks the identity. */
    @Test
    void mutationQiwWithoutSelfWeightBreaksTheIdentity() {
        IwaePosterior2d m = IwaePosterior2d.lectureDefault();
        Rng rng = new Rng(3);
        int k = 10;
        double[] z1 = new double[k];
        double[] z2 = new double[k];
        double[] logW = new double[k];
        for (int j = 0; j < k; j++) {
            z1[j] = 1.5 * rng.nextGaussian();
            z2[j] = 1.5 * rng.nextGaussian();
            logW[j] = m.logWeight(z1[j], z2[j]);
        }
        int kept = IwaePosterior2d.IMPORTANCE.select(logW, rng);
        assertTrue(identityResidual(m, z1, z2, logW, kept) <= 1e-12, "the correct q_IW passes");
        double[] others = new double[k - 1];
        for (int i = 0, o = 0; i < k; i++) {
            if (i != kept) {
                others[o++] = logW[i];
            }
        }
        double wrongLogQiw = m.logJoint(z1[kept], z2[kept]) - LogMeanExp.logMeanExp(others);
        double rhs = LogMeanExp.logMeanExp(logW);
        double residual = Math.abs(m.logJoint(z1[kept], z2[kept]) - wrongLogQiw - rhs) / (1 + Math.abs(rhs));
        System.out.println("mutant q_IW without the self weight: relative residual " + residual);
        assertFalse(residual <= 1e-12, "the mutant q_IW must fail the identity");
    }
}
