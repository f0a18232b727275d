package elbo.models.theory;

import java.util.function.ToDoubleFunction;

/**
 * The log-mean-exp of the IWAE bound on plain arrays, and the average of a bound over all {@code M}-subsets
 * of {@code K} log-weights: the two sides of the inequality in the proof of the IWAE theorem,
 *
 * <pre>
 *   log (1/K) Σ_k w_k  ≥  (1/C(K,M)) Σ_{|S| = M} log (1/M) Σ_{k ∈ S} w_k     for every M ≤ K and every draw,
 * </pre>
 *
 * which, averaged over draws, is {@code L_K ≥ L_M}.
 */
public final class LogMeanExp {
    private LogMeanExp() {
    }

    /**
     * {@code log (1/len) Σ_{i < len} e^{a[from + i]}}, max-shifted: never overflows, exact for ties, and
     * {@code -∞} when every entry is {@code -∞}.
     *
     * @throws IllegalArgumentException if {@code len < 1}
     */
    public static double logMeanExp(double[] a, int from, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("logMeanExp: need at least one value, got " + len);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + len; i++) {
            max = Math.max(max, a[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = from; i < from + len; i++) {
            s += Math.exp(a[i] - max);
        }
        return max + Math.log(s / len);
    }

    /** {@link #logMeanExp(double[], int, int)} of the whole array. */
    public static double logMeanExp(double[] a) {
        return logMeanExp(a, 0, a.length);
    }

    /** The number of subsets enumerated by {@link #subsetAverages}: {@code 2^K - 1}. */
    public static long subsetCount(int k) {
        return (1L << k) - 1;
    }

    /**
     * For every {@code M = 1..K}, the average of {@code bound} over all {@code C(K, M)} subsets of size
     * {@code M} of {@code a} (enumerated exactly, {@code 2^K − 1} subsets; {@code K ≤ 20}). Index {@code M}
     * of the result holds the average for {@code M}; index 0 is unused ({@code NaN}). An average that
     * includes a {@code -∞} term is {@code -∞}.
     *
     * @param bound the bound of one subset, given the subset's values in index order
     * @throws IllegalArgumentException if {@code a} is empty or longer than 20
     */
    public static double[] subsetAverages(double[] a, ToDoubleFunction<double[]> bound) {
        int k = a.length;
        if (k < 1 || k > 20) {
            throw new IllegalArgumentException("subsetAverages: need 1 ≤ K ≤ 20, got " + k);
        }
        double[] sum = new double[k + 1];
        long[] count = new long[k + 1];
        double[][] buffers = new double[k + 1][];
        for (int m = 1; m <= k; m++) {
            buffers[m] = new double[m];
        }
        for (int mask = 1; mask < (1 << k); mask++) {
            int m = Integer.bitCount(mask);
            double[] subset = buffers[m];
            int j = 0;
            for (int i = 0; i < k; i++) {
                if ((mask & (1 << i)) != 0) {
                    subset[j++] = a[i];
                }
            }
            sum[m] += bound.applyAsDouble(subset);
            count[m]++;
        }
        double[] average = new double[k + 1];
        average[0] = Double.NaN;
        for (int m = 1; m <= k; m++) {
            average[m] = sum[m] / count[m];
        }
        return average;
    }

    /** {@link #subsetAverages} of the log-mean-exp: the exact conditional expectation of {@code L_M} given the draw. */
    public static double[] subsetAverages(double[] a) {
        return subsetAverages(a, s -> logMeanExp(s, 0, s.length));
    }
}
