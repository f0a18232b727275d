package elbo.models.vae.eval;

/**
 * A running {@code log Σ_i e^{a_i}} over a stream of values, max-shifted so that it never overflows:
 * the state is {@code (m, s, s₂)} with {@code Σ_i e^{a_i} = e^m · s} and {@code Σ_i e^{2a_i} = e^{2m} · s₂}.
 * All {@code -∞} gives {@code -∞}.
 */
final class LogSumExpAccumulator {
    private double max = Double.NEGATIVE_INFINITY;
    private double scaledSum;
    private double scaledSumSquares;
    private long count;

    /** Adds {@code a}. */
    void add(double a) {
        count++;
        if (a == Double.NEGATIVE_INFINITY) {
            return;
        }
        if (a > max) {
            double shrink = Math.exp(max - a);
            scaledSum = scaledSum * shrink + 1.0;
            scaledSumSquares = scaledSumSquares * shrink * shrink + 1.0;
            max = a;
        } else {
            double e = Math.exp(a - max);
            scaledSum += e;
            scaledSumSquares += e * e;
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

    /**
     * The delta-method standard error of {@link #logMeanExp()} as an estimate of {@code log E[e^a]}:
     * {@code sd(w) / (√n · mean(w))} with {@code w = e^a}, i.e. {@code √((n s₂ / s² − 1) / n)}.
     */
    double logMeanExpStandardError() {
        if (count < 2 || scaledSum == 0.0) {
            return 0.0;
        }
        double relativeVariance = count * scaledSumSquares / (scaledSum * scaledSum) - 1.0;
        return Math.sqrt(Math.max(0.0, relativeVariance) / count);
    }

    long count() {
        return count;
    }

    void reset() {
        max = Double.NEGATIVE_INFINITY;
        scaledSum = 0.0;
        scaledSumSquares = 0.0;
        count = 0;
    }
}
