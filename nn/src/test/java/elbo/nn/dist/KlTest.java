package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KlTest {
    static final double[] MU_P = {0.5, -1.0, 2.0, 0.0, 0.3, -0.7};
    static final double[] LV_P = {0.0, -1.2, 0.8, 0.4, -0.3, 1.5};
    static final double[] MU_Q = {0.0, 0.5, 1.0};
    static final double[] LV_Q = {0.3, 0.0, -0.5};

    static Normal p() {
        return Normal.fromMeanLogVar(t(MU_P, 2, 3), t(LV_P, 2, 3));
    }

    static Normal q() {
        return Normal.fromMeanLogVar(t(MU_Q, 3), t(LV_Q, 3));
    }

    /** KL(N(μp, σp²) ‖ N(μq, σq²)) = log(σq/σp) + (σp² + (μp-μq)²)/(2σq²) - ½, one coordinate. */
    static double klNormal1d(double mp, double lvp, double mq, double lvq) {
        double sp = Math.sqrt(Math.exp(lvp)), sq = Math.sqrt(Math.exp(lvq));
        return Math.log(sq / sp) + (sp * sp + (mp - mq) * (mp - mq)) / (2 * sq * sq) - 0.5;
    }

    @Test
    void analyticNormalNormalEqualsClosedFormAndBroadcastsBatches() {
        Tensor kl = Kl.normalNormal(p(), q());
        assertArrayEquals(new int[] {2}, kl.shape().dims());
        for (int b = 0; b < 2; b++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                expected += klNormal1d(MU_P[3 * b + d], LV_P[3 * b + d], MU_Q[d], LV_Q[d]);
            }
            assertClose("KL(p‖q)[" + b + "]", expected, kl.getFlat(b), 1e-12);
        }
        assertArrayEquals(kl.toDoubleArray(), Kl.divergence(p(), q()).toDoubleArray());
    }

    @Test
    void analyticNormalStandardNormalEqualsClosedForm() {
        Tensor kl = Kl.normalStandardNormal(p(), new StandardNormal(3, DType.FLOAT64));
        for (int b = 0; b < 2; b++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                expected += klNormal1d(MU_P[3 * b + d], LV_P[3 * b + d], 0, 0);
            }
            assertClose("KL(p‖N(0,I))[" + b + "]", expected, kl.getFlat(b), 1e-12);
        }
        assertArrayEquals(kl.toDoubleArray(), Kl.divergence(p(), new StandardNormal(3, DType.FLOAT64)).toDoubleArray());
    }

    /** The analytic KL lies within z standard errors of a 100 000-sample Monte Carlo estimate (SE from the samples). */
    @Test
    void analyticKlAgreesWithLargeSampleMonteCarlo() {
        int n = 100_000;
        assertAgreesWithMonteCarlo(p(), q(), Kl.normalNormal(p(), q()), n, 11);
        StandardNormal prior = new StandardNormal(3, DType.FLOAT64);
        assertAgreesWithMonteCarlo(p(), prior, Kl.normalStandardNormal(p(), prior), n, 12);
        // Kl.monteCarlo is the mean of the same per-sample differences.
        Tensor mc = Kl.monteCarlo(p(), q(), new Rng(11), n);
        Tensor z = p().rsample(new Rng(11), n);
        Tensor direct = p().logProb(z).sub(q().logProb(z)).mean(0, false);
        assertArrayEquals(direct.toDoubleArray(), mc.toDoubleArray(), 1e-12);
    }

    private static void assertAgreesWithMonteCarlo(Distribution p, Distribution q, Tensor analytic, int n, long seed) {
        Tensor z = p.sample(new Rng(seed), n);
        Tensor diff = p.logProb(z).sub(q.logProb(z)); // [n, ...batch]
        int batch = analytic.numel();
        for (int b = 0; b < batch; b++) {
            double[] f = Stats.column(diff, batch, b);
            assertWithinSE(p + " ‖ " + q + " batch " + b, analytic.getFlat(b), Stats.mean(f),
                    Math.sqrt(Stats.variance(f) / n));
        }
    }

    /** A non-reparameterisable pair with no analytic form here: Bernoulli ‖ Bernoulli, against its closed form. */
    @Test
    void monteCarloFallbackForDiscreteDistributions() {
        double[] lp = {-1.0, 0.5, 2.0};
        double[] lq = {0.0, -0.5, 1.0};
        Bernoulli bp = new Bernoulli(t(lp, 3));
        Bernoulli bq = new Bernoulli(t(lq, 3));
        NoAnalyticKlException none = assertThrows(NoAnalyticKlException.class, () -> Kl.divergence(bp, bq));
        assertTrue(none.getMessage().contains("KL(Bernoulli ‖ Bernoulli)") && none.getMessage().contains("monteCarlo"),
                none.getMessage());
        double expected = 0;
        for (int d = 0; d < 3; d++) {
            double a = 1 / (1 + Math.exp(-lp[d])), c = 1 / (1 + Math.exp(-lq[d]));
            expected += a * Math.log(a / c) + (1 - a) * Math.log((1 - a) / (1 - c));
        }
        int n = 50_000;
        Tensor x = bp.sample(new Rng(13), n);
        double[] f = bp.logProb(x).sub(bq.logProb(x)).toDoubleArray();
        assertWithinSE("KL(Bernoulli ‖ Bernoulli)", expected, Stats.mean(f), Math.sqrt(Stats.variance(f) / n));
        assertClose("Kl.monteCarlo", Stats.mean(f), Kl.monteCarlo(bp, bq, new Rng(13), n).item(), 1e-12);
    }

    @Property(tries = 200)
    void klIsNonNegative(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int d,
                         @ForAll @DoubleRange(min = 0.0, max = 6.0) double spread) {
        Rng rng = new Rng(seed);
        Normal a = Normal.fromMeanLogVar(rng.normal(DType.FLOAT64, 2, d).mul(spread), rng.normal(DType.FLOAT64, 2, d).mul(spread));
        Normal b = Normal.fromMeanLogVar(rng.normal(DType.FLOAT64, d).mul(spread), rng.normal(DType.FLOAT64, d).mul(spread));
        StandardNormal prior = new StandardNormal(d, DType.FLOAT64);
        for (Tensor kl : new Tensor[] {Kl.normalNormal(a, b), Kl.normalNormal(b, a), Kl.normalStandardNormal(a, prior)}) {
            for (double v : kl.toDoubleArray()) {
                assertTrue(v >= 0.0, "KL = " + v + " < 0 (seed " + seed + ", D " + d + ", spread " + spread + ")");
            }
        }
        // KL(p ‖ p) = 0 exactly: e^0 - 1 - 0 + 0.
        for (double v : Kl.normalNormal(a, a).toDoubleArray()) {
            assertEquals(0.0, v);
        }
    }

    @Test
    void gradCheckAnalyticKls() {
        GradCheck.assertCorrect(in -> Kl.normalNormal(Normal.fromMeanLogVar(in[0], in[1]), Normal.fromMeanLogVar(in[2], in[3])),
                t(MU_P, 2, 3), t(LV_P, 2, 3), t(MU_Q, 3), t(LV_Q, 3));
        GradCheck.assertCorrect(in -> Kl.normalStandardNormal(Normal.fromMeanLogVar(in[0], in[1]),
                new StandardNormal(3, DType.FLOAT64)), t(MU_P, 2, 3), t(LV_P, 2, 3));
        // The reparameterised Monte Carlo estimate is differentiable too (fixed Rng inside: deterministic).
        GradCheck.assertCorrect(in -> Kl.monteCarlo(Normal.fromMeanLogVar(in[0], in[1]), q(), new Rng(3), 4),
                t(MU_P, 2, 3), t(LV_P, 2, 3));
    }

    @Test
    void typedErrors() {
        NoAnalyticKlException swapped = assertThrows(NoAnalyticKlException.class,
                () -> Kl.divergence(new StandardNormal(3, DType.FLOAT64), p()));
        assertTrue(swapped.getMessage().contains("StandardNormal ‖ Normal"), swapped.getMessage());
        ShapeException event = assertThrows(ShapeException.class,
                () -> Kl.divergence(p(), new StandardNormal(4, DType.FLOAT64)));
        assertTrue(event.getMessage().contains("D=3") && event.getMessage().contains("D=4"), event.getMessage());
        ShapeException batch = assertThrows(ShapeException.class,
                () -> Kl.normalNormal(p(), Normal.fromMeanLogVar(Tensor.zeros(DType.FLOAT64, 5, 3), Tensor.zeros(DType.FLOAT64, 5, 3))));
        assertTrue(batch.getMessage().contains("[2]") && batch.getMessage().contains("[5]"), batch.getMessage());
        DTypeException dtype = assertThrows(DTypeException.class,
                () -> Kl.divergence(p(), new StandardNormal(3, DType.FLOAT32)));
        assertTrue(dtype.getMessage().contains("FLOAT32"), dtype.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kl.monteCarlo(p(), q(), new Rng(1), 0));
    }
}
