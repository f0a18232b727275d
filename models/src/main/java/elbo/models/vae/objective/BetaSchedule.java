package elbo.models.vae.objective;

/**
 * The weight {@code β(t)} of the KL term of the β-ELBO as a function of training time {@code t} in epochs
 * (fractional: 2.5 is half-way through the third epoch). KL annealing (Bowman et al. 2016) starts at
 * {@code β = 0}, so the decoder first learns to use {@code z}, and rises to 1, the true ELBO.
 */
public sealed interface BetaSchedule {

    /** {@code β(t)}. */
    double at(double epoch);

    /** {@code β(t) = β}. */
    record Constant(double beta) implements BetaSchedule {
        /** @throws IllegalArgumentException if {@code β} is negative or not finite */
        public Constant {
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("beta must be finite and ≥ 0, got " + beta);
            }
        }

        @Override
        public double at(double epoch) {
            return beta;
        }
    }

    /** {@code β(t) = min(1, t / N)}: the linear warm-up over {@code N} epochs of the VampPrior paper. */
    record LinearWarmup(double epochs) implements BetaSchedule {
        /** @throws IllegalArgumentException if {@code N} is not positive */
        public LinearWarmup {
            if (!(epochs > 0)) {
                throw new IllegalArgumentException("warm-up epochs must be positive, got " + epochs);
            }
        }

        @Override
        public double at(double epoch) {
            return Math.min(1.0, Math.max(0.0, epoch / epochs));
        }
    }

    /** {@code β(t) = 1 / (1 + e^{-(t - c)/s})}: a logistic rise centred at {@code c} epochs, of width {@code s}. */
    record Sigmoid(double centre, double width) implements BetaSchedule {
        /** @throws IllegalArgumentException if the width is not positive */
        public Sigmoid {
            if (!(width > 0)) {
                throw new IllegalArgumentException("sigmoid width must be positive, got " + width);
            }
        }

        @Override
        public double at(double epoch) {
            return 1.0 / (1.0 + Math.exp(-(epoch - centre) / width));
        }
    }

    /**
     * Cyclical annealing (Fu et al. 2019): within each period of {@code P} epochs, {@code β} rises linearly
     * from 0 to 1 over the first fraction {@code R} of the period and stays at 1 for the rest:
     * {@code β(t) = min(1, ((t mod P) / P) / R)}.
     */
    record Cyclical(double period, double rising) implements BetaSchedule {
        /** @throws IllegalArgumentException if {@code P ≤ 0} or {@code R} is not in (0, 1] */
        public Cyclical {
            if (!(period > 0) || !(rising > 0 && rising <= 1)) {
                throw new IllegalArgumentException("cyclical schedule needs period > 0 and rising in (0, 1], got "
                        + period + " and " + rising);
            }
        }

        @Override
        public double at(double epoch) {
            double phase = (epoch % period) / period;
            return Math.min(1.0, Math.max(0.0, phase / rising));
        }
    }
}
