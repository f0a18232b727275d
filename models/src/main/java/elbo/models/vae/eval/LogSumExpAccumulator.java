package elbo.models.vae.eval;

/**
 * A running {@code log Σ_i e^{a_i}} over a stream of values, max-shifted so that it never overflows:
 * the state is {@code (m, s)} with {@code Σ_i e^{a_i} = e^m · s}. All {@code -∞} gives {@code -∞}.
 */
final class LogSumExpAccumulator {
    private double max = Double.NEGATIVE_INFINITY;
    private double scaledSum;
    private long count;

    /** Adds {@code a}. */
    void add(double a) {
        count++;
        if (a == Double.NEGATIVE_INFINITY) {
            return;
        }
        if (a > max) {
            scaledSum = scaledSum * Math.exp(max - a) + 1.0;
            max = a;
        } else {
            scaledSum += Math.exp(a - max);
        }
    }

    /** {@code log Σ e^{a_i}} so far ({@code -∞} if empty). */
    double logSumExp() {
        return scaledSum == 0.0 ? Double.NEGATIVE_INFINITY : max + Math.log(scaledSum);
    }

    /** {@code log (1/n) Σ e^{a_i}}. */
    double logMeanExp() {
        return logSumExp() - Math.log(count);
    }

    long count() {
        return count;
    }

    void reset() {
        max = Double.NEGATIVE_INFINITY;
        scaledSum = 0.0;
        count = 0;
    }
}
