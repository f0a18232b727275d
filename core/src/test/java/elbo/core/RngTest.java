package elbo.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproducibility and distribution of {@link Rng}. The statistical checks are seeded (so never flaky)
 * and use z = 5 standard errors: a correct generator fails with probability below 1e-6 per check, while
 * a biased one (wrong scale, modulo bias, a stuck bit) is off by far more.
 */
class RngTest {
    private static final double Z = 5;
    private static final int N = 200_000;

    private static long[] draw(Rng r, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextLong();
        }
        return out;
    }

    private static void assertWithin(double expected, double actual, double standardError, String what) {
        assertTrue(Math.abs(actual - expected) <= Z * standardError,
                what + ": " + actual + " is not within " + Z + " SE (" + standardError + ") of " + expected);
    }

    // ---- reproducibility ----------------------------------------------------------------------

    @Test
    void sameSeedSameStreamDifferentSeedDifferentStream() {
        assertArrayEquals(draw(new Rng(42), 1000), draw(new Rng(42), 1000));
        assertFalse(Arrays.equals(draw(new Rng(42), 1000), draw(new Rng(43), 1000)));
        assertArrayEquals(new Rng(7).normal(DType.FLOAT64, 5, 5).toDoubleArray(),
                new Rng(7).normal(DType.FLOAT64, 5, 5).toDoubleArray());
    }

    @Test
    void stateAndFromStateContinueTheStreamExactly() {
        Rng a = new Rng(2024);
        draw(a, 17);
        a.nextGaussian();
        long[] state = a.state();
        Rng b = Rng.fromState(state);
        assertArrayEquals(draw(a, 500), draw(b, 500));
        assertArrayEquals(a.uniform(DType.FLOAT32, 10).toFloatArray(), b.uniform(DType.FLOAT32, 10).toFloatArray());
        assertEquals(a.nextGaussian(), b.nextGaussian());
        // state() is a copy: changing it does not touch the generator
        long[] s = a.state();
        s[0] ^= 1;
        assertArrayEquals(draw(Rng.fromState(a.state()), 10), draw(a, 10));
    }

    @Test
    void fromStateRejectsBadStates() {
        assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[4]));
        assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[] {1, 2, 3}));
    }

    @Test
    void splitGivesADifferentButReproducibleStream() {
        Rng parent = new Rng(5);
        Rng child = parent.split();
        long[] childStream = draw(child, 1000);
        assertFalse(Arrays.equals(childStream, draw(parent, 1000)));
        assertFalse(Arrays.equals(childStream, draw(new Rng(5), 1000)));
        assertArrayEquals(childStream, draw(new Rng(5).split(), 1000));
        // Two successive splits are different streams too.
        Rng p = new Rng(5);
        assertFalse(Arrays.equals(draw(p.split(), 100), draw(p.split(), 100)));
    }

    // ---- moments --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void uniformMomentsAndRange(DType dtype) {
        Tensor u = new Rng(11).uniform(dtype, Shape.of(N), -2, 3);
        double mean = u.mean().item();
        double var = u.sub(mean).square().mean().item();
        double width = 5;
        // mean (lo+hi)/2, variance w^2/12; Var(s^2) ~ (mu4 - sigma^4)/n with mu4 = w^4/80
        assertWithin(0.5, mean, width / Math.sqrt(12.0 * N), "uniform mean");
        double sigma2 = width * width / 12, mu4 = Math.pow(width, 4) / 80;
        assertWithin(sigma2, var, Math.sqrt((mu4 - sigma2 * sigma2) / N), "uniform variance");
        for (int i = 0; i < N; i++) {
            double v = u.getFlat(i);
            assertTrue(v >= -2 && v < 3, "outside [-2, 3): " + v);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void normalMoments(DType dtype) {
        Tensor x = new Rng(12).normal(dtype, N);
        double mean = x.mean().item();
        double var = x.sub(mean).square().mean().item();
        double skew = x.sub(mean).pow(3).mean().item();
        double kurt = x.sub(mean).pow(4).mean().item();
        assertWithin(0, mean, 1 / Math.sqrt(N), "normal mean");
        assertWithin(1, var, Math.sqrt(2.0 / N), "normal variance");         // Var(s^2) = 2/n
        assertWithin(0, skew, Math.sqrt(15.0 / N), "normal third moment");    // E x^6 = 15
        assertWithin(3, kurt, Math.sqrt(96.0 / N), "normal fourth moment");   // E x^8 - 9 = 96
        // P(|x| < 1) = erf(1/sqrt 2) = 0.6826894921370859
        double p = x.abs().lt(1.0).mean().item();
        assertWithin(0.6826894921370859, p, Math.sqrt(0.6827 * 0.3173 / N), "P(|x| < 1)");
        assertTrue(x.allFinite());
    }

    /** The polar method makes draws in pairs: the two halves of a pair must be independent, not just uncorrelated. */
    @Test
    void normalPairsAreIndependent() {
        int pairs = N / 2;
        Tensor x = new Rng(14).normal(DType.FLOAT64, pairs, 2);
        Tensor first = x.narrow(1, 0, 1), second = x.narrow(1, 1, 1);
        assertWithin(0, first.mul(second).mean().item(), 1 / Math.sqrt(pairs), "E[x y]");       // Var(xy) = 1
        assertWithin(1, first.square().mul(second.square()).mean().item(),
                Math.sqrt(8.0 / pairs), "E[x^2 y^2]");                                          // Var(x^2 y^2) = 9 - 1
        double inside = 0.6826894921370859; // P(|x| < 1)
        double both = first.abs().lt(1.0).mul(second.abs().lt(1.0)).mean().item();
        assertWithin(inside * inside, both, Math.sqrt(0.466 * 0.534 / pairs), "P(|x| < 1, |y| < 1)");
    }

    @Test
    void normalOfOddLengthFillsTheLastElement() {
        Tensor x = new Rng(15).normal(DType.FLOAT32, 7);
        for (int i = 0; i < 7; i++) {
            assertTrue(x.getFlat(i) != 0.0, "element " + i + " left unset");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void bernoulliMoments(DType dtype) {
        Tensor probs = Tensor.full(dtype, 0.3, N);
        Tensor b = new Rng(13).bernoulli(probs);
        assertWithin(0.3, b.mean().item(), Math.sqrt(0.3 * 0.7 / N), "bernoulli mean");
        for (int i = 0; i < N; i++) {
            assertTrue(b.getFlat(i) == 0 || b.getFlat(i) == 1);
        }
        // p = 0 and p = 1 are exact
        Tensor edge = new Rng(14).bernoulli(Tensor.vector(dtype, 0, 1, 0, 1));
        assertArrayEquals(new double[] {0, 1, 0, 1}, edge.toDoubleArray());
    }

    // ---- integers and permutations ----------------------------------------------------------------

    @Test
    void nextIntIsInRangeAndUniform() {
        Rng r = new Rng(15);
        assertEquals(0, r.nextInt(1));
        int[] counts = new int[10];
        for (int i = 0; i < N; i++) {
            int v = r.nextInt(10);
            assertTrue(v >= 0 && v < 10, "nextInt(10) = " + v);
            counts[v]++;
        }
        for (int c : counts) {
            assertWithin(N / 10.0, c, Math.sqrt(N * 0.1 * 0.9), "count of one value of nextInt(10)");
        }
    }

    @Test
    void nextIntHasNoModuloBiasForALargeBound() {
        // bound = 3 * 2^29: 2^31 mod bound = 2^29, so reducing 31 random bits modulo the bound would give the
        // values below 2^29 twice the probability (1/2 instead of 1/3).
        int bound = 3 << 29;
        Rng r = new Rng(16);
        int below = 0;
        for (int i = 0; i < N; i++) {
            int v = r.nextInt(bound);
            assertTrue(v >= 0 && v < bound);
            if (v < (1 << 29)) {
                below++;
            }
        }
        assertWithin(1.0 / 3, (double) below / N, Math.sqrt(2.0 / 9 / N), "P(nextInt(3 * 2^29) < 2^29)");
        // The largest bound: in range, and the upper half is reached (all 1000 below half: p = 2^-1000).
        assertTrue(maxOf(new Rng(17), Integer.MAX_VALUE, 1000) > Integer.MAX_VALUE / 2);
    }

    /** The largest of {@code n} draws of {@code nextInt(bound)}, checking the range. */
    private static int maxOf(Rng r, int bound, int n) {
        int max = -1;
        for (int i = 0; i < n; i++) {
            int v = r.nextInt(bound);
            assertTrue(v >= 0 && v < bound, "nextInt(" + bound + ") = " + v);
            max = Math.max(max, v);
        }
        return max;
    }

    @Test
    void permutationIsAPermutationAndUniform() {
        Rng r = new Rng(18);
        for (int n : new int[] {0, 1, 2, 10, 1000}) {
            int[] p = r.permutation(n);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "permutation(" + n + ") is not a permutation");
            }
        }
        // All 6 orders of 3 elements equally often.
        int draws = 60_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(Arrays.toString(r.permutation(3)), 1, Integer::sum);
        }
        assertEquals(6, counts.size());
        for (int c : counts.values()) {
            assertWithin(draws / 6.0, c, Math.sqrt(draws * (1 / 6.0) * (5 / 6.0)), "count of one order of 3");
        }
    }

    // ---- open and half-open intervals ------------------------------------------------------------

    /** A state whose next {@link Rng#nextLong()} is {@code target} (the output depends only on word 1). */
    private static long[] stateProducing(long target) {
        BigInteger mod = BigInteger.ONE.shiftLeft(64);
        long inv9 = BigInteger.valueOf(9).modInverse(mod).longValue();
        long inv5 = BigInteger.valueOf(5).modInverse(mod).longValue();
        // result = rotl(s1 * 5, 7) * 9
        long s1 = Long.rotateRight(target * inv9, 7) * inv5;
        return new long[] {1, s1, 0, 0};
    }

    @Test
    void uniformNeverReturnsTheUpperBoundEvenAfterRounding() {
        long[] state = stateProducing(-1L); // all ones: nextDouble() = 1 - 2^-53, the largest value
        assertEquals(-1L, Rng.fromState(state).nextLong(), "test setup: crafted state");
        assertEquals(1 - 0x1.0p-53, Rng.fromState(state).nextDouble());
        // 1 - 2^-53 rounds to 1.0f in float32
        float f = Rng.fromState(state).uniform(DType.FLOAT32, 1).toFloatArray()[0];
        assertTrue(f < 1.0f, "float32 uniform [0, 1) returned " + f);
        // 1 + (1 - 2^-53) rounds to 2.0 in float64
        double d = Rng.fromState(state).uniform(DType.FLOAT64, Shape.of(1), 1, 2).item();
        assertTrue(d < 2.0, "float64 uniform [1, 2) returned " + d);
        double g = Rng.fromState(state).uniform(DType.FLOAT32, Shape.of(1), -3, 7).item();
        assertTrue(g < 7.0, "float32 uniform [-3, 7) returned " + g);
    }

    @Test
    void openDoubleIsNeverZeroOrOne() {
        assertTrue(Rng.fromState(stateProducing(0L)).nextOpenDouble() > 0);
        assertTrue(Rng.fromState(stateProducing(-1L)).nextOpenDouble() < 1);
        assertTrue(Double.isFinite(Rng.fromState(stateProducing(0L)).nextGaussian()));
    }
}
