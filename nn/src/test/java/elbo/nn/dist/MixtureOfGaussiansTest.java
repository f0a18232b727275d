package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class MixtureOfGaussiansTest {
    // K = 3 components in D = 2.
    static final double[] A = {0.0, 1.0, -0.5};
    static final double[] MU = {-2.0, 0.0, 1.0, 1.5, 3.0, -1.0};
    static final double[] LV = {0.0, -1.0, 0.5, 0.2, -0.5, 1.0};

    static MixtureOfGaussians mog() {
        return new MixtureOfGaussians(t(A, 3), t(MU, 3, 2), t(LV, 3, 2));
    }

    static double[] weights() {
        double z = 0;
        for (double a : A) {
            z += Math.exp(a);
        }
        double[] w = new double[3];
        for (int k = 0; k < 3; k++) {
            w[k] = Math.exp(A[k]) / z;
        }
        return w;
    }

    /** p(z) = Σ_k w_k Π_d N(z_d; μ_kd, σ²_kd), directly in doubles. */
    static double density(double z0, double z1) {
        double[] w = weights();
        double p = 0;
        for (int k = 0; k < 3; k++) {
            p += w[k] * Math.exp(Stats.logNormal(z0, MU[2 * k], Math.exp(LV[2 * k]))
                    + Stats.logNormal(z1, MU[2 * k + 1], Math.exp(LV[2 * k + 1])));
        }
        return p;
    }

    @Test
    void logProbEqualsClosedForm() {
        Tensor z = new Rng(1).normal(DType.FLOAT64, 2, 4, 2).mul(2.0);
        Tensor lp = mog().logProb(z);
        assertArrayEquals(new int[] {2, 4}, lp.shape().dims());
        for (int i = 0; i < 8; i++) {
            assertClose("log p(z)", Math.log(density(z.getFlat(2 * i), z.getFlat(2 * i + 1))), lp.getFlat(i), 1e-12);
        }
        assertArrayEquals(new int[0], mog().logProb(t(new double[] {0.1, 0.2}, 2)).shape().dims());
    }

    @Test
    void logProbFarFromEveryComponentIsFinite() {
        // The direct sum underflows to log 0 = -inf here; logSumExp keeps the dominant term.
        Tensor far = t(new double[] {1e3, -1e3}, 2);
        double lp = mog().logProb(far).item();
        assertTrue(Double.isFinite(lp), "log p = " + lp);
        assertTrue(density(1e3, -1e3) == 0.0);
        double best = Double.NEGATIVE_INFINITY;
        double[] w = weights();
        for (int k = 0; k < 3; k++) {
            best = Math.max(best, Math.log(w[k]) + Stats.logNormal(1e3, MU[2 * k], Math.exp(LV[2 * k]))
                    + Stats.logNormal(-1e3, MU[2 * k + 1], Math.exp(LV[2 * k + 1])));
        }
        assertClose("log p(far)", best, lp, 1e-9);
    }

    /**
     * Per coordinate, mean m = Σ w_k μ_k, variance V = Σ w_k (σ²_k + δ_k²) and fourth central moment
     * μ4 = Σ w_k (δ⁴ + 6 δ² σ² + 3σ⁴), δ_k = μ_k - m; SE(mean) = √(V/n), SE(variance) ≈ √((μ4 - V²)/n).
     */
    @Test
    void sampleMomentsWithinStandardErrors() {
        int n = 40_000;
        Tensor s = mog().sample(new Rng(2), n);
        assertArrayEquals(new int[] {n, 2}, s.shape().dims());
        assertFalse(s.requiresGrad());
        double[] w = weights();
        for (int d = 0; d < 2; d++) {
            double m = 0;
            for (int k = 0; k < 3; k++) {
                m += w[k] * MU[2 * k + d];
            }
            double v = 0, m4 = 0;
            for (int k = 0; k < 3; k++) {
                double delta = MU[2 * k + d] - m, var = Math.exp(LV[2 * k + d]);
                v += w[k] * (var + delta * delta);
                m4 += w[k] * (Math.pow(delta, 4) + 6 * delta * delta * var + 3 * var * var);
            }
            double[] c = Stats.column(s, 2, d);
            assertWithinSE("mean of coordinate " + d, m, Stats.mean(c), Math.sqrt(v / n));
            assertWithinSE("variance of coordinate " + d, v, Stats.variance(c), Math.sqrt((m4 - v * v) / n));
            assertClose("mean()", m, mog().mean().getFlat(d), 1e-12);
        }
        assertArrayEquals(new int[] {2}, mog().sample(new Rng(3)).shape().dims());
    }

    @Test
    void gradCheckLogProbInEveryArgument() {
        Tensor z = new Rng(4).normal(DType.FLOAT64, 3, 2);
        GradCheck.assertCorrect(in -> new MixtureOfGaussians(in[0], in[1], in[2]).logProb(in[3]),
                t(A, 3), t(MU, 3, 2), t(LV, 3, 2), z);
    }

    @Test
    void vampPriorShapeEqualWeightsIsTheAverageOfComponentDensities() {
        MixtureOfGaussians vamp = new MixtureOfGaussians(Tensor.zeros(DType.FLOAT64, 3), t(MU, 3, 2), t(LV, 3, 2));
        Tensor z = t(new double[] {0.3, -0.2}, 2);
        double avg = 0;
        for (int k = 0; k < 3; k++) {
            avg += Math.exp(Stats.logNormal(0.3, MU[2 * k], Math.exp(LV[2 * k]))
                    + Stats.logNormal(-0.2, MU[2 * k + 1], Math.exp(LV[2 * k + 1]))) / 3;
        }
        assertClose("VampPrior log p", Math.log(avg), vamp.logProb(z).item(), 1e-12);
    }

    @Test
    void typedErrors() {
        ShapeException k = assertThrows(ShapeException.class,
                () -> new MixtureOfGaussians(Tensor.zeros(DType.FLOAT64, 2), t(MU, 3, 2), t(LV, 3, 2)));
        assertTrue(k.getMessage().contains("K = 2") && k.getMessage().contains("[3, 2]"), k.getMessage());
        ShapeException lv = assertThrows(ShapeException.class,
                () -> new MixtureOfGaussians(t(A, 3), t(MU, 3, 2), Tensor.zeros(DType.FLOAT64, 3, 1)));
        assertTrue(lv.getMessage().contains("logVars [3, 1]"), lv.getMessage());
        ShapeException logits = assertThrows(ShapeException.class,
                () -> new MixtureOfGaussians(Tensor.zeros(DType.FLOAT64, 1, 3), t(MU, 3, 2), t(LV, 3, 2)));
        assertTrue(logits.getMessage().contains("[1, 3]"), logits.getMessage());
        assertThrows(DTypeException.class,
                () -> new MixtureOfGaussians(t(A, 3).cast(DType.FLOAT32), t(MU, 3, 2), t(LV, 3, 2)));
        ShapeException event = assertThrows(ShapeException.class, () -> mog().logProb(Tensor.zeros(DType.FLOAT64, 5, 3)));
        assertTrue(event.getMessage().contains("event size 2"), event.getMessage());
        NoClosedFormException h = assertThrows(NoClosedFormException.class, () -> mog().entropy());
        assertTrue(h.getMessage().contains("MixtureOfGaussians") && h.getMessage().contains("entropy"), h.getMessage());
        NotReparameterizableException r = assertThrows(NotReparameterizableException.class, () -> mog().rsample(new Rng(1)));
        assertTrue(r.getMessage().contains("MixtureOfGaussians"), r.getMessage());
    }
}
