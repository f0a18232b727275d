package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

class CategoricalTest {
    // Two distributions over C = 4 classes.
    static final double[] LOGITS = {0.2, -1.0, 1.5, 0.0, 3.0, 3.0, -2.0, 0.5};

    static Categorical c() {
        return new Categorical(t(LOGITS, 2, 4));
    }

    static double[] probs(int row) {
        double z = 0;
        for (int k = 0; k < 4; k++) {
            z += Math.exp(LOGITS[row * 4 + k]);
        }
        double[] p = new double[4];
        for (int k = 0; k < 4; k++) {
            p[k] = Math.exp(LOGITS[row * 4 + k]) / z;
        }
        return p;
    }

    @Test
    void logProbOfIndicesEqualsClosedForm() {
        Tensor lp = c().logProb(new int[] {2, 0});
        assertArrayEquals(new int[] {2}, lp.shape().dims());
        assertClose("log p(2)", Math.log(probs(0)[2]), lp.getFlat(0), 1e-12);
        assertClose("log p(0)", Math.log(probs(1)[0]), lp.getFlat(1), 1e-12);
        // Index tensors broadcast against the batch shape: [3, 2] → [3, 2].
        Tensor k = t(new double[] {0, 1, 2, 3, 3, 2}, 3, 2);
        Tensor lpk = c().logProb(k);
        assertArrayEquals(new int[] {3, 2}, lpk.shape().dims());
        for (int i = 0; i < 6; i++) {
            assertClose("log p(k)", Math.log(probs(i % 2)[(int) k.getFlat(i)]), lpk.getFlat(i), 1e-12);
        }
        // A single distribution (batch shape []) and one index.
        Categorical one = new Categorical(t(new double[] {0, 0, Math.log(2)}, 3));
        assertClose("log p(2)", Math.log(0.5), one.logProb(new int[] {2}).item(), 1e-14);
    }

    @Test
    void entropyAndMeanEqualClosedForms() {
        Tensor h = c().entropy();
        Tensor m = c().mean();
        for (int r = 0; r < 2; r++) {
            double[] p = probs(r);
            double hExpected = 0, mExpected = 0;
            for (int k = 0; k < 4; k++) {
                hExpected -= p[k] * Math.log(p[k]);
                mExpected += k * p[k];
            }
            assertClose("H", hExpected, h.getFlat(r), 1e-12);
            assertClose("E[k]", mExpected, m.getFlat(r), 1e-12);
        }
        Categorical masked = new Categorical(t(new double[] {0, Double.NEGATIVE_INFINITY}, 2));
        assertClose("H with a masked class", 0.0, masked.entropy().item(), 1e-15);
    }

    @Test
    void sampleFrequenciesWithinStandardErrors() {
        int n = 20_000;
        Tensor s = c().sample(new Rng(1), n);
        assertArrayEquals(new int[] {n, 2}, s.shape().dims());
        for (int r = 0; r < 2; r++) {
            double[] col = Stats.column(s, 2, r);
            double[] p = probs(r);
            for (int k = 0; k < 4; k++) {
                int count = 0;
                for (double v : col) {
                    count += v == k ? 1 : 0;
                }
                assertWithinSE("frequency of class " + k + " in row " + r, p[k], (double) count / n,
                        Math.sqrt(p[k] * (1 - p[k]) / n));
            }
        }
        assertArrayEquals(new int[] {2}, c().sample(new Rng(1)).shape().dims());
        // Samples score under logProb(Tensor).
        assertTrue(c().logProb(s).allFinite());
    }

    @Test
    void gradCheckLogProbAndEntropy() {
        GradCheck.assertCorrect(in -> new Categorical(in[0]).logProb(new int[] {3, 1}), t(LOGITS, 2, 4));
        GradCheck.assertCorrect(in -> new Categorical(in[0]).entropy(), t(LOGITS, 2, 4));
        // Index tensors broadcast against the batch: the gradient sums over the broadcast axis.
        Tensor k = t(new double[] {0, 1, 2, 3, 3, 3}, 3, 2);
        GradCheck.assertCorrect(in -> new Categorical(in[0]).logProb(k), t(LOGITS, 2, 4));
    }

    @Test
    void typedErrors() {
        ShapeException count = assertThrows(ShapeException.class, () -> c().logProb(new int[] {1, 2, 3}));
        assertTrue(count.getMessage().contains("3 class indices") && count.getMessage().contains("[2]"), count.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> c().logProb(new int[] {1, 4}));
        assertTrue(range.getMessage().contains("class index 4") && range.getMessage().contains("[0, 4)"), range.getMessage());
        IllegalArgumentException whole = assertThrows(IllegalArgumentException.class,
                () -> c().logProb(t(new double[] {0.5, 1}, 2)));
        assertTrue(whole.getMessage().contains("0.5"), whole.getMessage());
        ShapeException batch = assertThrows(ShapeException.class, () -> c().logProb(Tensor.zeros(DType.FLOAT64, 3)));
        assertTrue(batch.getMessage().contains("[3]") && batch.getMessage().contains("[2]"), batch.getMessage());
        NotReparameterizableException r = assertThrows(NotReparameterizableException.class, () -> c().rsample(new Rng(1)));
        assertTrue(r.getMessage().contains("Categorical"), r.getMessage());
    }

    @Test
    void roundOffNeverSelectsAClassOfProbabilityZero() {
        // ten classes of probability 0.1 (their cdf sums to 1 - 2^-53 in double) and one of probability 0
        double[] logits = new double[11];
        logits[10] = Double.NEGATIVE_INFINITY;
        Categorical c = new Categorical(Tensor.of(logits, 11));
        // a generator whose next uniform is the largest double below 1, i.e. beyond the summed cdf
        java.math.BigInteger mod = java.math.BigInteger.ONE.shiftLeft(64);
        long inv9 = java.math.BigInteger.valueOf(9).modInverse(mod).longValue();
        long inv5 = java.math.BigInteger.valueOf(5).modInverse(mod).longValue();
        long s1 = Long.rotateRight(-1L * inv9, 7) * inv5; // xoshiro256** then outputs all ones
        Rng extreme = Rng.fromState(new long[] {1, s1, 0, 0});
        int k = c.sampleIndices(extreme, 1)[0];
        assertTrue(k < 10, "sampled class " + k + ", whose probability is 0");
    }
}
