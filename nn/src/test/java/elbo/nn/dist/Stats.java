package elbo.nn.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.Tensor;

/** Plain-double helpers for the statistical tests: moments of samples and z·SE assertions. */
final class Stats {
    /** Tolerance in standard errors: P(|N(0,1)| > 5) ≈ 6e-7 per check, and every test is seeded anyway. */
    static final double Z = 5.0;

    private Stats() {
    }

    /** Asserts {@code |estimate - expected| <= Z · se}, naming the quantity. */
    static void assertWithinSE(String what, double expected, double estimate, double se) {
        assertTrue(Math.abs(estimate - expected) <= Z * se, () -> what + ": estimate " + estimate + " vs expected "
                + expected + " differs by " + Math.abs(estimate - expected) / se + " standard errors (se " + se + ")");
    }

    /** Column {@code j} of a [n, ..., D]-shaped sample flattened as rows of {@code stride} values. */
    static double[] column(Tensor samples, int stride, int j) {
        double[] all = samples.toDoubleArray();
        double[] c = new double[all.length / stride];
        for (int i = 0; i < c.length; i++) {
            c[i] = all[i * stride + j];
        }
        return c;
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Unbiased sample variance. */
    static double variance(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return s / (x.length - 1);
    }

    static double logNormal(double x, double mu, double var) {
        return -0.5 * Math.log(2 * Math.PI * var) - (x - mu) * (x - mu) / (2 * var);
    }

    static void assertClose(String what, double expected, double actual, double rel) {
        assertTrue(Math.abs(expected - actual) <= rel * Math.max(1.0, Math.abs(expected)),
                () -> what + ": expected " + expected + " but got " + actual);
    }

    static Tensor t(double[] data, int... shape) {
        return Tensor.of(data, shape);
    }
}
