package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

class BernoulliTest {
    static final double[] LOGITS = {-2.0, 0.0, 0.7, 3.0, -0.4, 1.5};

    static Bernoulli b() {
        return new Bernoulli(t(LOGITS, 2, 3));
    }

    static double sigmoid(double l) {
        return 1 / (1 + Math.exp(-l));
    }

    @Test
    void logProbEqualsClosedForm() {
        Tensor x = t(new double[] {1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0}, 2, 2, 3);
        Tensor lp = b().logProb(x);
        assertArrayEquals(new int[] {2, 2}, lp.shape().dims());
        for (int i = 0; i < 4; i++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                double p = sigmoid(LOGITS[(i % 2) * 3 + d]), xv = x.getFlat(i * 3 + d);
                expected += xv * Math.log(p) + (1 - xv) * Math.log(1 - p);
            }
            assertClose("log p(x)", expected, lp.getFlat(i), 1e-12);
        }
    }

    @Test
    void logProbIsFiniteAndExactForHugeLogits() {
        Tensor logits = t(new double[] {1e4, 1e4, -1e4, -1e4}, 4).requiresGrad(true);
        Bernoulli huge = new Bernoulli(logits);
        Tensor x = t(new double[] {1, 0, 1, 0}, 4, 1);
        // Per element: x=1,ℓ=1e4 → 0; x=0,ℓ=1e4 → -1e4; x=1,ℓ=-1e4 → -1e4; x=0,ℓ=-1e4 → 0.
        Tensor perElement = new Bernoulli(logits.reshape(4, 1)).logProb(x);
        assertArrayEquals(new double[] {0, -1e4, -1e4, 0}, perElement.toDoubleArray(), 1e-9);
        Tensor lp = huge.logProb(t(new double[] {1, 0, 1, 0}, 4));
        assertEquals(-2e4, lp.item(), 1e-9);
        lp.backward();
        assertTrue(logits.grad().allFinite());
        assertArrayEquals(new double[] {0, -1, 1, 0}, logits.grad().toDoubleArray(), 1e-12);
        assertTrue(huge.entropy().allFinite());
        assertEquals(0.0, huge.entropy().item(), 1e-12);
        Tensor f32 = new Bernoulli(logits.detach().cast(DType.FLOAT32)).logProb(t(new double[] {1, 0, 1, 0}, 4)
                .cast(DType.FLOAT32));
        assertEquals(-2e4, f32.item(), 1e-2);
    }

    @Test
    void meanAndEntropyEqualClosedForms() {
        Tensor h = b().entropy();
        for (int i = 0; i < 6; i++) {
            assertClose("mean", sigmoid(LOGITS[i]), b().mean().getFlat(i), 1e-14);
        }
        for (int r = 0; r < 2; r++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                double p = sigmoid(LOGITS[r * 3 + d]);
                expected -= p * Math.log(p) + (1 - p) * Math.log(1 - p);
            }
            assertClose("H", expected, h.getFlat(r), 1e-12);
        }
    }

    @Test
    void sampleFrequenciesWithinStandardErrors() {
        int n = 20_000;
        Tensor s = b().sample(new Rng(1), n);
        assertArrayEquals(new int[] {n, 2, 3}, s.shape().dims());
        for (int j = 0; j < 6; j++) {
            double p = sigmoid(LOGITS[j]);
            assertWithinSE("frequency of coordinate " + j, p, Stats.mean(Stats.column(s, 6, j)), Math.sqrt(p * (1 - p) / n));
        }
        assertArrayEquals(new int[] {2, 3}, b().sample(new Rng(1)).shape().dims());
    }

    @Test
    void gradCheckLogProbAndEntropy() {
        Tensor x = t(new double[] {1, 0, 1, 0, 0, 1}, 2, 3);
        GradCheck.assertCorrect(in -> new Bernoulli(in[0]).logProb(x), t(LOGITS, 2, 3));
        // Continuous targets (grey-level BCE) are differentiable in x too.
        GradCheck.assertCorrect(in -> new Bernoulli(in[0]).logProb(in[1]), t(LOGITS, 2, 3),
                t(new double[] {0.1, 0.5, 0.9, 0.3, 0.0, 1.0}, 2, 3));
        GradCheck.assertCorrect(in -> new Bernoulli(in[0]).entropy(), t(LOGITS, 2, 3));
    }

    @Test
    void rsampleIsATypedErrorNamingTheDistribution() {
        NotReparameterizableException e = assertThrows(NotReparameterizableException.class, () -> b().rsample(new Rng(1)));
        assertTrue(e.getMessage().contains("Bernoulli"), e.getMessage());
        assertEquals(Bernoulli.class, e.distribution());
        assertThrows(NotReparameterizableException.class, () -> b().rsample(new Rng(1), 3));
        assertTrue(!b().reparameterizable());
    }
}
