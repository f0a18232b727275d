package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

class NormalTest {
    // B = 2 distributions over D = 3.
    static final double[] MU = {0.5, -1.0, 2.0, 0.0, 0.3, -0.7};
    static final double[] LV = {0.0, -1.2, 0.8, 0.4, -0.3, 1.5};

    static Normal q() {
        return Normal.fromMeanLogVar(t(MU, 2, 3), t(LV, 2, 3));
    }

    @Test
    void logProbOfStackedSamplesEqualsClosedFormAndHasShapeKB() {
        int k = 4;
        Tensor z = new Rng(1).normal(DType.FLOAT64, k, 2, 3).mul(2.0);
        Tensor lp = q().logProb(z);
        assertArrayEquals(new int[] {k, 2}, lp.shape().dims());
        for (int s = 0; s < k; s++) {
            for (int b = 0; b < 2; b++) {
                double expected = 0;
                for (int d = 0; d < 3; d++) {
                    expected += Stats.logNormal(z.get(s, b, d), MU[b * 3 + d], Math.exp(LV[b * 3 + d]));
                }
                assertClose("log q(z[" + s + "," + b + "])", expected, lp.get(s, b), 1e-12);
            }
        }
    }

    @Test
    void fromMeanScaleAgreesWithFromMeanLogVar() {
        double[] scale = new double[LV.length];
        for (int i = 0; i < LV.length; i++) {
            scale[i] = Math.exp(0.5 * LV[i]);
        }
        Normal byScale = Normal.fromMeanScale(t(MU, 2, 3), t(scale, 2, 3));
        Tensor z = new Rng(2).normal(DType.FLOAT64, 2, 3);
        assertClose("logProb", q().logProb(z).get(0), byScale.logProb(z).get(0), 1e-12);
        assertClose("logProb", q().logProb(z).get(1), byScale.logProb(z).get(1), 1e-12);
        assertClose("scale", scale[4], q().scale().getFlat(4), 1e-14);
    }

    @Test
    void entropyEqualsClosedForm() {
        Tensor h = q().entropy();
        assertArrayEquals(new int[] {2}, h.shape().dims());
        for (int b = 0; b < 2; b++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                expected += 0.5 * Math.log(2 * Math.PI * Math.E * Math.exp(LV[b * 3 + d]));
            }
            assertClose("H", expected, h.getFlat(b), 1e-12);
        }
    }

    @Test
    void sampleMomentsWithinStandardErrors() {
        int n = 20_000;
        Tensor s = q().sample(new Rng(3), n);
        assertArrayEquals(new int[] {n, 2, 3}, s.shape().dims());
        assertFalse(s.requiresGrad());
        for (int j = 0; j < 6; j++) {
            double[] c = Stats.column(s, 6, j);
            double var = Math.exp(LV[j]);
            assertWithinSE("mean of coordinate " + j, MU[j], Stats.mean(c), Math.sqrt(var / n));
            // Var of the sample variance of a Gaussian: 2σ⁴/(n-1).
            assertWithinSE("variance of coordinate " + j, var, Stats.variance(c), var * Math.sqrt(2.0 / (n - 1)));
        }
        assertArrayEquals(new int[] {2, 3}, q().sample(new Rng(3)).shape().dims());
    }

    @Test
    void rsampleCarriesGradientAndIsMuPlusSigmaEps() {
        Tensor mu = t(MU, 2, 3).requiresGrad(true);
        Tensor lv = t(LV, 2, 3).requiresGrad(true);
        Tensor z = Normal.fromMeanLogVar(mu, lv).rsample(new Rng(4), 5);
        assertArrayEquals(new int[] {5, 2, 3}, z.shape().dims());
        assertTrue(z.requiresGrad());
        Tensor eps = new Rng(4).normal(DType.FLOAT64, 5, 2, 3);
        for (int i = 0; i < z.numel(); i++) {
            int p = i % 6;
            assertClose("z", MU[p] + Math.exp(0.5 * LV[p]) * eps.getFlat(i), z.getFlat(i), 1e-14);
        }
    }

    @Test
    void gradCheckLogProbWithBroadcasting() {
        Tensor z = new Rng(5).normal(DType.FLOAT64, 2, 2, 3);
        GradCheck.assertCorrect(in -> Normal.fromMeanLogVar(in[1], in[2]).logProb(in[0]), z, t(MU, 2, 3), t(LV, 2, 3));
    }

    @Test
    void gradCheckFromMeanScaleLogProb() {
        Tensor z = new Rng(6).normal(DType.FLOAT64, 2, 3);
        Tensor scale = t(new double[] {0.5, 1.0, 2.0, 0.7, 1.3, 0.9}, 2, 3);
        GradCheck.assertCorrect(in -> Normal.fromMeanScale(in[0], in[1]).logProb(z), t(MU, 2, 3), scale);
    }

    @Test
    void gradCheckRsampleAndEntropy() {
        GradCheck.assertCorrect(in -> Normal.fromMeanLogVar(in[0], in[1]).rsample(new Rng(7), 2), t(MU, 2, 3), t(LV, 2, 3));
        GradCheck.assertCorrect(in -> Normal.fromMeanLogVar(in[0], in[1]).rsample(new Rng(7)), t(MU, 2, 3), t(LV, 2, 3));
        GradCheck.assertCorrect(in -> Normal.fromMeanLogVar(in[0], in[1]).entropy(), t(MU, 2, 3), t(LV, 2, 3));
    }

    /**
     * STL: score z = μ + σε under q.detached(). Only the path derivative remains:
     * ∂/∂μ = -(z-μ)/σ² = -ε/σ and ∂/∂v = -(z-μ)/σ² · ½σε = -½ε². Under q itself the gradient w.r.t. μ is
     * zero (the path and score terms cancel), which is exactly the term STL removes.
     */
    @Test
    void detachedKeepsOnlyThePathDerivative() {
        Tensor mu = t(MU, 2, 3).requiresGrad(true);
        Tensor lv = t(LV, 2, 3).requiresGrad(true);
        Normal q = Normal.fromMeanLogVar(mu, lv);
        Tensor z = q.rsample(new Rng(8));
        q.detached().logProb(z).sum().backward();
        Tensor eps = new Rng(8).normal(DType.FLOAT64, 2, 3);
        for (int i = 0; i < 6; i++) {
            double e = eps.getFlat(i);
            assertClose("dμ", -e / Math.exp(0.5 * LV[i]), mu.grad().getFlat(i), 1e-12);
            assertClose("dv", -0.5 * e * e, lv.grad().getFlat(i), 1e-12);
        }
        assertFalse(q.detached().loc().requiresGrad());

        Tensor mu2 = t(MU, 2, 3).requiresGrad(true);
        Normal q2 = Normal.fromMeanLogVar(mu2, t(LV, 2, 3));
        q2.logProb(q2.rsample(new Rng(8))).sum().backward();
        for (int i = 0; i < 6; i++) {
            assertEquals(0.0, mu2.grad().getFlat(i), 1e-12);
        }
    }

    @Test
    void typedErrorsNameTheProblem() {
        ShapeException shapes = assertThrows(ShapeException.class,
                () -> Normal.fromMeanLogVar(t(MU, 2, 3), Tensor.zeros(DType.FLOAT64, 3)));
        assertTrue(shapes.getMessage().contains("mean [2, 3]") && shapes.getMessage().contains("logVar [3]"),
                shapes.getMessage());
        DTypeException dtypes = assertThrows(DTypeException.class,
                () -> Normal.fromMeanLogVar(t(MU, 2, 3), t(LV, 2, 3).cast(DType.FLOAT32)));
        assertTrue(dtypes.getMessage().contains("FLOAT32"), dtypes.getMessage());
        ShapeException scalar = assertThrows(ShapeException.class,
                () -> Normal.fromMeanLogVar(Tensor.scalar(0, DType.FLOAT64), Tensor.scalar(0, DType.FLOAT64)));
        assertTrue(scalar.getMessage().contains("[...batch, D]"), scalar.getMessage());
        ShapeException event = assertThrows(ShapeException.class, () -> q().logProb(Tensor.zeros(DType.FLOAT64, 2, 4)));
        assertTrue(event.getMessage().contains("Normal.logProb") && event.getMessage().contains("[2, 4]")
                && event.getMessage().contains("event size 3"), event.getMessage());
        ShapeException batch = assertThrows(ShapeException.class, () -> q().logProb(Tensor.zeros(DType.FLOAT64, 5, 3)));
        assertTrue(batch.getMessage().contains("[5]") && batch.getMessage().contains("[2]"), batch.getMessage());
        DTypeException xType = assertThrows(DTypeException.class,
                () -> q().logProb(Tensor.zeros(DType.FLOAT32, 2, 3)));
        assertTrue(xType.getMessage().contains("x is FLOAT32"), xType.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Normal.fromMeanScale(t(MU, 2, 3), t(new double[] {1, 1, 1, 1, -2, 1}, 2, 3)));
        assertTrue(negative.getMessage().contains("-2.0") && negative.getMessage().contains("index 4"),
                negative.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> q().sample(new Rng(1), 0));
        assertTrue(count.getMessage().contains("got 0"), count.getMessage());
    }

    @Test
    void float32WorksAndMatchesFloat64() {
        Normal q32 = Normal.fromMeanLogVar(t(MU, 2, 3).cast(DType.FLOAT32), t(LV, 2, 3).cast(DType.FLOAT32));
        Tensor z = new Rng(9).normal(DType.FLOAT64, 2, 3);
        Tensor lp32 = q32.logProb(z.cast(DType.FLOAT32));
        assertEquals(DType.FLOAT32, lp32.dtype());
        assertEquals(q().logProb(z).get(0), lp32.get(0), 1e-5);
        assertEquals(DType.FLOAT32, q32.rsample(new Rng(1), 3).dtype());
    }

    @Test
    void float32LogProbStaysFiniteAtAVeryNarrowComponent() {
        // v = -100: e^(-v) overflows float32 (e^100 > 3.4e38), e^(-v/2) = 5.2e21 does not. At x = μ the
        // density is -½ (Σ v + D log 2π) = -½ (-200 + 2 log 2π); a product (x - μ)² · e^(-v) gave 0 · ∞ = NaN.
        Tensor mu = Tensor.of(new double[] {0.25, -0.5}, 1, 2).cast(DType.FLOAT32);
        Tensor lv = Tensor.of(new double[] {-100, -100}, 1, 2).cast(DType.FLOAT32);
        Tensor lp = Normal.fromMeanLogVar(mu, lv).logProb(mu);
        assertEquals(-0.5 * (-200 + 2 * Normal.LOG_2PI), lp.get(0), 1e-4);
    }
}
