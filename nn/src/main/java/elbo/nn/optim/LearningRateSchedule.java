package elbo.nn.optim;

/**
 * A learning rate as a function of a step index {@code t = 0, 1, 2, ...}; the caller decides whether
 * {@code t} counts epochs or optimizer steps, and applies the value with
 * {@link Optimizer#setLearningRate}:
 * <pre>{@code
 * IwaeSchedule schedule = LearningRateSchedule.iwae();
 * for (int epoch = 0; epoch < schedule.totalEpochs(); epoch++) {
 *     opt.setLearningRate(schedule.learningRate(epoch));
 *     ...
 * }
 * }</pre>
 * Schedules are pure functions of {@code t} (no hidden state), so a resumed run only needs its epoch
 * or step count to get the same rates.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /**
     * The learning rate at index {@code t}.
     *
     * @throws IllegalArgumentException if {@code t} is negative (or, for finite schedules such as
     *                                  {@link IwaeSchedule}, past the end)
     */
    double learningRate(long t);

    /**
     * {@code lr(t) = lr₀}.
     *
     * @throws IllegalArgumentException if {@code lr0} is negative or not finite
     */
    static LearningRateSchedule constant(double lr0) {
        requireRate(lr0, "constant");
        return t -> {
            requireIndex(t);
            return lr0;
        };
    }

    /**
     * Step decay: {@code lr(t) = lr₀ · γ^⌊t / period⌋}, e.g. halve every 100 epochs with
     * {@code stepDecay(1e-3, 0.5, 100)}.
     *
     * @throws IllegalArgumentException if {@code lr0} is negative or not finite, {@code gamma} is not in
     *                                  (0, 1], or {@code period} is not positive
     */
    static LearningRateSchedule stepDecay(double lr0, double gamma, long period) {
        requireRate(lr0, "stepDecay");
        requireFactor(gamma, "stepDecay");
        if (period <= 0) {
            throw new IllegalArgumentException("stepDecay: period must be positive, got " + period);
        }
        return t -> {
            requireIndex(t);
            return lr0 * Math.pow(gamma, t / period);
        };
    }

    /**
     * Exponential decay: {@code lr(t) = lr₀ · γ^t}.
     *
     * @throws IllegalArgumentException if {@code lr0} is negative or not finite, or {@code gamma} is not
     *                                  in (0, 1]
     */
    static LearningRateSchedule exponential(double lr0, double gamma) {
        requireRate(lr0, "exponential");
        requireFactor(gamma, "exponential");
        return t -> {
            requireIndex(t);
            return lr0 * Math.pow(gamma, t);
        };
    }

    /**
     * Linear warm-up in front of another schedule: for {@code t < W} the rate ramps linearly from
     * {@code s · then(0)} to {@code then(0)},
     * <pre>
     *   lr(t) = then(0) · (s + (1 − s) · t / W)     for t &lt; W
     *   lr(t) = then(t − W)                          for t ≥ W
     * </pre>
     * so {@code then} starts its own clock when the warm-up ends and the rate is continuous at
     * {@code t = W}.
     *
     * @param warmupLength {@code W ≥ 1}
     * @param startFactor  {@code s} in [0, 1]: the fraction of {@code then(0)} used at {@code t = 0}
     * @param then         the schedule that follows
     * @throws IllegalArgumentException if {@code W < 1} or {@code s} is not in [0, 1]
     */
    static LearningRateSchedule linearWarmup(long warmupLength, double startFactor, LearningRateSchedule then) {
        if (warmupLength < 1) {
            throw new IllegalArgumentException("linearWarmup: warm-up length must be >= 1, got " + warmupLength);
        }
        if (!(startFactor >= 0.0 && startFactor <= 1.0)) {
            throw new IllegalArgumentException("linearWarmup: start factor must be in [0, 1], got " + startFactor);
        }
        java.util.Objects.requireNonNull(then, "linearWarmup: schedule to follow");
        return t -> {
            requireIndex(t);
            if (t < warmupLength) {
                return then.learningRate(0) * (startFactor + (1.0 - startFactor) * t / warmupLength);
            }
            return then.learningRate(t - warmupLength);
        };
    }

    /**
     * The schedule of the IWAE paper (Burda, Grosse &amp; Salakhutdinov, 2016, §5): 8 passes
     * {@code i = 0..7}, pass {@code i} lasting {@code 3^i} epochs at {@code lr = 1e-3 · 10^(-i/7)};
     * 3280 epochs in total. {@code t} counts epochs.
     */
    static IwaeSchedule iwae() {
        return IwaeSchedule.PAPER;
    }

    private static void requireRate(double lr0, String who) {
        if (!(lr0 >= 0.0) || !Double.isFinite(lr0)) {
            throw new IllegalArgumentException(who + ": learning rate must be finite and >= 0, got " + lr0);
        }
    }

    private static void requireFactor(double gamma, String who) {
        if (!(gamma > 0.0 && gamma <= 1.0)) {
            throw new IllegalArgumentException(who + ": decay factor must be in (0, 1], got " + gamma);
        }
    }

    private static void requireIndex(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("learning-rate schedule: index must be >= 0, got " + t);
        }
    }
}
