package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Initialisers: sample mean and variance within {@code Z} standard errors of the target (seeded, so
 * deterministic). With the mean known to be 0, {@code σ̂² = mean(w²)} has standard error
 * {@code sqrt((E w⁴ − σ⁴) / n)}: {@code E w⁴ = a⁴/5} for {@code U(−a, a)}, {@code 3σ⁴} for a normal.
 */
class InitTest {
    private static final DType F64 = DType.FLOAT64;
    private static final double Z = 4.0;

    private static void assertUniform(Tensor w, double a) {
        int n = w.numel();
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) {
            double v = w.getFlat(i);
            assertTrue(Math.abs(v) <= a, "sample " + v + " outside ±" + a);
            sum += v;
            sumSq += v * v;
        }
        double var = a * a / 3, fourth = Math.pow(a, 4) / 5;
        assertMoments(sum / n, sumSq / n, var, fourth, n);
    }

    private static void assertNormal(Tensor w, double std) {
        int n = w.numel();
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) {
            sum += w.getFlat(i);
            sumSq += w.getFlat(i) * w.getFlat(i);
        }
        double var = std * std;
        assertMoments(sum / n, sumSq / n, var, 3 * var * var, n);
    }

    private static void assertMoments(double mean, double meanSq, double var, double fourth, int n) {
        double seMean = Math.sqrt(var / n), seVar = Math.sqrt((fourth - var * var) / n);
        assertTrue(Math.abs(mean) <= Z * seMean, "mean " + mean + " vs 0 (SE " + seMean + ")");
        assertTrue(Math.abs(meanSq - var) <= Z * seVar, "variance " + meanSq + " vs " + var + " (SE " + seVar + ")");
    }

    @Test
    void fansFollowPyTorch() {
        Tensor linear = Tensor.zeros(F64, 30, 20);
        assertEquals(20, Init.fanIn(linear));
        assertEquals(30, Init.fanOut(linear));
        Tensor conv = Tensor.zeros(F64, 8, 4, 3, 5);
        assertEquals(4 * 15, Init.fanIn(conv));
        assertEquals(8 * 15, Init.fanOut(conv));
    }

    @Test
    void xavierUniformVariance() {
        Tensor w = Init.xavierUniform(Tensor.zeros(F64, 200, 300), 1.5, new Rng(1));
        // Var = a²/3 = gain² · 2 / (fanIn + fanOut)
        assertUniform(w, 1.5 * Math.sqrt(6.0 / 500));
    }

    @Test
    void xavierNormalVariance() {
        Tensor w = Init.xavierNormal(Tensor.zeros(F64, 200, 300), 1.0, new Rng(2));
        assertNormal(w, Math.sqrt(2.0 / 500));
    }

    @Test
    void kaimingUniformVarianceOnConvolutionWeights() {
        Tensor w = Init.kaimingUniform(Tensor.zeros(DType.FLOAT32, 64, 16, 3, 3), new Rng(3));
        // Var = b²/3 = 2 / fanIn, fanIn = 16 · 3 · 3
        assertUniform(w, Math.sqrt(6.0 / 144));
    }

    @Test
    void kaimingNormalVariance() {
        Tensor w = Init.kaimingNormal(Tensor.zeros(F64, 150, 400), new Rng(4));
        assertNormal(w, Math.sqrt(2.0 / 400));
    }

    @Test
    void normalUniformAndConstants() {
        assertNormal(Init.normal(Tensor.zeros(F64, 20000), 0.3, new Rng(5)), 0.3);
        Tensor u = Init.uniform(Tensor.zeros(F64, 20000), 2.0, 4.0, new Rng(6));
        assertUniform(Init.copyOf(Tensor.zeros(F64, 20000), u.sub(3.0)), 1.0);
        assertEquals(0.0, Init.zeros(Tensor.ones(F64, 3)).sum().item());
        assertEquals(3 * 0.25, Init.constant(Tensor.zeros(F64, 3), 0.25).sum().item());
    }

    @Test
    void logitInvertsSigmoidAndClips() {
        assertEquals(0.0, Init.logit(0.5, 1e-6), 1e-15);
        for (double p : new double[] {1e-3, 0.13, 0.5, 0.9, 0.999}) {
            assertEquals(p, 1 / (1 + Math.exp(-Init.logit(p, 1e-6))), 1e-12, "sigmoid(logit(p)) = p");
        }
        assertEquals(Math.log(1e-6 / (1 - 1e-6)), Init.logit(0.0, 1e-6), 1e-12);
        assertEquals(-Init.logit(0.0, 1e-6), Init.logit(1.0, 1e-6), 1e-9);
        assertTrue(Double.isFinite(Init.logit(-0.5, 1e-6)) && Double.isFinite(Init.logit(2.0, 1e-6)));
    }

    @Test
    void outputBiasAtTheLogitOfTheMeanPixel() {
        // A decoder whose output bias is logit(mean pixel) predicts the mean before any training step.
        Linear out = new Linear(5, 4, F64, new Rng(7));
        Init.zeros(out.weight());
        Init.constant(out.bias(), Init.logit(0.13, 1e-6));
        Tensor probs = out.forward(new Rng(8).normal(F64, 3, 5)).sigmoid();
        for (int i = 0; i < probs.numel(); i++) {
            assertEquals(0.13, probs.getFlat(i), 1e-12);
        }
    }
}
