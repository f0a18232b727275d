package elbo.nn.optim;

/**
 * The learning-rate schedule of the IWAE paper (Burda, Grosse &amp; Salakhutdinov, 2016, §5),
 * generalised to any base rate and number of passes: pass {@code i = 0, ..., P−1} lasts {@code 3^i}
 * epochs at
 * <pre>
 *   lr_i = lr₀ · 10^(−i/7)
 * </pre>
 * Pass {@code i} therefore starts at epoch {@code (3^i − 1)/2} and the schedule lasts
 * {@code (3^P − 1)/2} epochs. The paper's setting ({@link LearningRateSchedule#iwae()}) is
 * {@code lr₀ = 1e-3}, {@code P = 8}: epoch 0 at 1e-3, epochs 1–3 at 1e-3·10^(−1/7), epochs 4–12 at
 * 1e-3·10^(−2/7), ..., epochs 1093–3279 at 1e-4; 3280 epochs in total.
 */
public final class IwaeSchedule implements LearningRateSchedule {
    static final IwaeSchedule PAPER = new IwaeSchedule(1e-3, 8);

    private final double baseLearningRate;
    private final int passes;

    /**
     * The schedule with base rate {@code lr₀} and {@code P} passes.
     *
     * @throws IllegalArgumentException if {@code lr₀} is negative or not finite, or {@code P} is not in
     *                                  [1, 39] (so that the epoch count fits a long)
     */
    public IwaeSchedule(double baseLearningRate, int passes) {
        if (!(baseLearningRate >= 0.0) || !Double.isFinite(baseLearningRate)) {
            throw new IllegalArgumentException("IwaeSchedule: base learning rate must be finite and >= 0, got "
                    + baseLearningRate);
        }
        if (passes < 1 || passes > 39) {
            throw new IllegalArgumentException("IwaeSchedule: passes must be in [1, 39], got " + passes);
        }
        this.baseLearningRate = baseLearningRate;
        this.passes = passes;
    }

    /** The number of passes {@code P}. */
    public int passes() {
        return passes;
    }

    /** The total number of epochs, {@code Σ_{i<P} 3^i = (3^P − 1)/2} (3280 for the paper's 8 passes). */
    public long totalEpochs() {
        return firstEpochOfPass(passes);
    }

    /** The first epoch of pass {@code i}: {@code (3^i − 1)/2}. */
    public static long firstEpochOfPass(int i) {
        long power = 1;
        for (int k = 0; k < i; k++) {
            power *= 3;
        }
        return (power - 1) / 2;
    }

    /**
     * The pass that {@code epoch} belongs to.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative or {@code ≥ totalEpochs()}
     */
    public int passOf(long epoch) {
        if (epoch < 0 || epoch >= totalEpochs()) {
            throw new IllegalArgumentException("IwaeSchedule: epoch " + epoch + " is outside the schedule [0, "
                    + totalEpochs() + ")");
        }
        int i = 0;
        while (epoch >= firstEpochOfPass(i + 1)) {
            i++;
        }
        return i;
    }

    /**
     * {@code lr₀ · 10^(−i/7)} for the pass {@code i} containing {@code epoch}.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative or {@code ≥ totalEpochs()}
     */
    @Override
    public double learningRate(long epoch) {
        return baseLearningRate * Math.pow(10.0, -passOf(epoch) / 7.0);
    }
}
