package elbo.models.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.Rng;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Lecture theorem 6, the IWAE monotonicity proof, for <em>every</em> realisation of the log-weights: for any
 * {@code a_1..a_K} ({@code K ≤ 16}, so all {@code 2^K − 1} subsets are enumerated exactly: at most
 * {@code C(16, 8) = 12870} per {@code M}, no sampling, so the inequality must hold draw by draw and not only in
 * expectation), with {@code A_M} the average over all {@code M}-subsets {@code S} of
 * {@code log (1/M) Σ_{k∈S} e^{a_k}},
 *
 * <pre>
 *   mean(a) = A_1 ≤ A_2 ≤ … ≤ A_K = log (1/K) Σ_k e^{a_k}
 * </pre>
 *
 * (the chain contains the issue's {@code A_K ≥ A_M} for every {@code M}). Generated log-weights: spreads of
 * up to ±800 nats (hundreds of nats, beyond {@code exp}'s range, so an unshifted implementation overflows),
 * {@code −∞} entries (a zero weight) and ties.
 *
 * <p>Tolerance: rounding only. Each log-mean-exp is within a few ulps of {@code max|a|}; each {@code A_M} is a
 * sum of at most 12870 such terms, relative error ≲ 12870 · 2^-53 ≈ 1.4e-12, so {@code tol = 1e-11 · (1 + max|a|)}
 * over the finite entries (≈ 10× the worst rounding). Seeds are fixed ({@code seed = "…"}) and jqwik prints
 * the seed and the shrunk counterexample on failure; replay with the same seed.
 */
class IwaeMonotonicityProperties {

    /** One bound of a subset's log-weights: the right one is the log-mean-exp. */
    static final ToDoubleFunction<double[]> LOG_MEAN_EXP = s -> LogMeanExp.logMeanExp(s, 0, s.length);

    @Provide
    Arbitrary<double[]> logWeights() {
        Arbitrary<Double> entry = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.doubles().between(-800, 800)),
                net.jqwik.api.Tuple.of(2, Arbitraries.doubles().between(-3, 3)),           // close weights
                net.jqwik.api.Tuple.of(2, Arbitraries.of(-400.0, 0.0, 1.5, 700.0)),       // ties
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Double.NEGATIVE_INFINITY)));   // w = 0
        return entry.array(double[].class).ofMinSize(1).ofMaxSize(16);
    }

    @Property(tries = 400, seed = "20261203")
    void logMeanExpOfAllDominatesEverySubsetAverage(@ForAll("logWeights") double[] a) {
        Optional<String> violation = monotonicityViolation(a, LOG_MEAN_EXP);
        assertTrue(violation.isEmpty(), () -> violation.get());
    }

    /** Ties only: every {@code A_M} equals the common value (to rounding); the inequality is tight. */
    @Property(tries = 100, seed = "7")
    void equalWeightsMakeEveryBoundEqual(@ForAll("logWeights") double[] a) {
        double c = a[0];
        double[] tied = new double[a.length];
        Arrays.fill(tied, c);
        double[] avg = LogMeanExp.subsetAverages(tied);
        for (int m = 1; m <= tied.length; m++) {
            assertEquals(c, avg[m], tolerance(tied), "A_" + m + " of " + tied.length + " equal weights " + c);
        }
    }

    /** Extremes the generator may not hit: all {@code −∞}, one finite among {@code −∞}, ±800 nats apart. */
    @Test
    void edgeCases() {
        double ninf = Double.NEGATIVE_INFINITY;
        assertEquals(ninf, LogMeanExp.logMeanExp(new double[] {ninf, ninf}));
        assertTrue(monotonicityViolation(new double[] {ninf, ninf, ninf}, LOG_MEAN_EXP).isEmpty());
        assertTrue(monotonicityViolation(new double[] {ninf, 5.0, ninf}, LOG_MEAN_EXP).isEmpty());
        assertTrue(monotonicityViolation(new double[] {800, -800, 800, 799.999}, LOG_MEAN_EXP).isEmpty());
        assertEquals(800 + Math.log(0.5), LogMeanExp.logMeanExp(new double[] {800, -800}), 1e-12);
    }

    // ---- mutation evidence: the same check on deliberately wrong bounds must fail ----

    /**
     * Mutant: the max shift is subtracted but never added back ({@code log (1/M) Σ e^{a − max}}), a classic
     * slip in a hand-written log-sum-exp. Every singleton then scores 0 while the full set scores
     * {@code ≤ 0}, so {@code A_1 > A_K} as soon as two weights differ.
     */
    @Test
    void mutant_logMeanExpForgetsMaxShift_breaksMonotonicity() {
        ToDoubleFunction<double[]> mutant = s -> {
            double max = Arrays.stream(s).max().orElseThrow();
            double[] shifted = Arrays.stream(s).map(v -> v - max).toArray();
            return max == Double.NEGATIVE_INFINITY ? max : LogMeanExp.logMeanExp(shifted, 0, shifted.length);
        };
        assertMutantCaught("forgets max shift", mutant);
    }

    /**
     * Mutant: the IWAE bound computed on the negated log-weights ({@code −log (1/M) Σ e^{−a}}, i.e. the
     * log-harmonic mean of the weights, what a sign slip between "loss" and "log-weight" gives). It is ≤ the
     * mean of the logs and decreases with {@code M}: the ladder runs the wrong way.
     */
    @Test
    void mutant_iwaeOnNegatedLogWeights_breaksMonotonicity() {
        ToDoubleFunction<double[]> mutant = s -> -LogMeanExp.logMeanExp(Arrays.stream(s).map(v -> -v).toArray(),
                0, s.length);
        assertMutantCaught("negated log-weights", mutant);
    }

    /**
     * Not a mutant this property can catch (documented): the mean of the log-weights (IWAE without
     * log-mean-exp) gives {@code A_M = mean(a)} for every {@code M}, so the chain holds with equality; that
     * bug is caught by the ladder/known-answer tests ({@code L_K → log p(x)}), not by this inequality.
     */
    @Test
    void meanOfLogs_satisfiesTheInequalityWithEquality() {
        ToDoubleFunction<double[]> meanOfLogs = s -> Arrays.stream(s).average().orElseThrow();
        Rng rng = new Rng(3);
        for (int t = 0; t < 50; t++) {
            assertTrue(monotonicityViolation(randomFinite(rng), meanOfLogs).isEmpty());
        }
    }

    /** Runs the property's check on 200 draws of the generator's kind with a fixed seed; it must fail on some. */
    private static void assertMutantCaught(String name, ToDoubleFunction<double[]> mutant) {
        Rng rng = new Rng(11);
        int caught = 0;
        String example = null;
        for (int t = 0; t < 200; t++) {
            double[] a = randomFinite(rng);
            Optional<String> v = monotonicityViolation(a, mutant);
            if (v.isPresent()) {
                caught++;
                example = example == null ? v.get() : example;
            }
            assertTrue(monotonicityViolation(a, LOG_MEAN_EXP).isEmpty(), "the correct bound must pass on the same draws");
        }
        System.out.println("[mutant " + name + "] caught on " + caught + "/200 draws; e.g. " + example);
        assertTrue(caught > 100, "mutant '" + name + "' caught on only " + caught + "/200 draws");
    }

    private static double[] randomFinite(Rng rng) {
        int k = 2 + rng.nextInt(11);
        double[] a = new double[k];
        double spread = new double[] {1, 10, 300}[rng.nextInt(3)];
        for (int i = 0; i < k; i++) {
            a[i] = spread * rng.nextGaussian();
        }
        return a;
    }

    // ---- the check ----

    static double tolerance(double[] a) {
        double scale = 0;
        for (double v : a) {
            if (Double.isFinite(v)) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        return 1e-11 * (1 + scale);
    }

    /** The chain {@code A_1 ≤ … ≤ A_K} and {@code A_K ≥ A_M} for all M under {@code bound}; empty if it holds. */
    static Optional<String> monotonicityViolation(double[] a, ToDoubleFunction<double[]> bound) {
        int k = a.length;
        double[] avg = LogMeanExp.subsetAverages(a, bound);
        double all = bound.applyAsDouble(a.clone());
        double tol = tolerance(a);
        for (int m = 1; m <= k; m++) {
            if (Double.isNaN(avg[m]) || !(all >= avg[m] - tol)) {
                return Optional.of("K=" + k + ": bound(all) = " + all + " < A_" + m + " = " + avg[m] + " (tol " + tol
                        + ") for a = " + Arrays.toString(a));
            }
            if (m > 1 && !(avg[m] >= avg[m - 1] - tol)) {
                return Optional.of("K=" + k + ": A_" + m + " = " + avg[m] + " < A_" + (m - 1) + " = " + avg[m - 1]
                        + " (tol " + tol + ") for a = " + Arrays.toString(a));
            }
        }
        return Optional.empty();
    }
}
