package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    /** Equal up to a few ulps: |expected − actual| ≤ 1e-14·|expected|. */
    private static void assertRate(double expected, double actual) {
        assertEquals(expected, actual, 1e-14 * Math.abs(expected));
    }

    private static void assertRate(double expected, double actual, String message) {
        assertEquals(expected, actual, 1e-14 * Math.abs(expected), message);
    }

    @Test
    void iwaeScheduleHas3ToTheIEpochsAtDecreasingRates() {
        IwaeSchedule s = LearningRateSchedule.iwae();
        assertEquals(3280, s.totalEpochs());
        assertEquals(8, s.passes());
        // Pass i starts at epoch (3^i − 1)/2: 0, 1, 4, 13, 40, 121, 364, 1093; the last one ends at 3279.
        long[] firstEpochs = {0, 1, 4, 13, 40, 121, 364, 1093};
        for (int i = 0; i < 8; i++) {
            double lr = 1e-3 * Math.pow(10.0, -i / 7.0);
            assertEquals(firstEpochs[i], IwaeSchedule.firstEpochOfPass(i));
            assertRate(lr, s.learningRate(firstEpochs[i]), "first epoch of pass " + i);
            long last = (i < 7 ? firstEpochs[i + 1] : 3280) - 1;
            assertRate(lr, s.learningRate(last), "last epoch of pass " + i);
            assertEquals(i, s.passOf(last));
        }
        assertRate(1e-3, s.learningRate(0));
        assertRate(1e-3 * Math.pow(10, -1 / 7.0), s.learningRate(1));
        assertRate(1e-3 * Math.pow(10, -1 / 7.0), s.learningRate(3));
        assertRate(1e-3 * Math.pow(10, -2 / 7.0), s.learningRate(4));
        assertRate(1e-3 * Math.pow(10, -2 / 7.0), s.learningRate(12));
        assertRate(1e-3 * Math.pow(10, -3 / 7.0), s.learningRate(13));
        assertRate(1e-4, s.learningRate(3279));
        long epochsAtEachRate = 0;
        for (int i = 0; i < 8; i++) {
            epochsAtEachRate += Math.round(Math.pow(3, i));
        }
        assertEquals(3280, epochsAtEachRate);
        assertThrows(IllegalArgumentException.class, () -> s.learningRate(3280));
        assertThrows(IllegalArgumentException.class, () -> s.learningRate(-1));
    }

    @Test
    void smallIwaeScheduleForShortRuns() {
        IwaeSchedule s = new IwaeSchedule(0.01, 3);
        assertEquals(13, s.totalEpochs());
        assertRate(0.01 * Math.pow(10, -2 / 7.0), s.learningRate(12));
        assertThrows(IllegalArgumentException.class, () -> new IwaeSchedule(0.01, 0));
    }

    @Test
    void stepDecay() {
        LearningRateSchedule s = LearningRateSchedule.stepDecay(0.1, 0.5, 10);
        assertRate(0.1, s.learningRate(0));
        assertRate(0.1, s.learningRate(9));
        assertRate(0.05, s.learningRate(10));
        assertRate(0.025, s.learningRate(29));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(0.1, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(0.1, 1.5, 10));
    }

    @Test
    void exponential() {
        LearningRateSchedule s = LearningRateSchedule.exponential(0.1, 0.9);
        assertRate(0.1, s.learningRate(0));
        assertRate(0.09, s.learningRate(1));
        assertRate(0.1 * Math.pow(0.9, 7), s.learningRate(7));
        assertThrows(IllegalArgumentException.class, () -> s.learningRate(-1));
    }

    @Test
    void linearWarmupRampsThenHandsOverToTheNextSchedule() {
        LearningRateSchedule s = LearningRateSchedule.linearWarmup(4, 0.0, LearningRateSchedule.exponential(0.1, 0.5));
        assertRate(0.0, s.learningRate(0));
        assertRate(0.025, s.learningRate(1));
        assertRate(0.05, s.learningRate(2));
        assertRate(0.075, s.learningRate(3));
        assertRate(0.1, s.learningRate(4));
        assertRate(0.05, s.learningRate(5));
        assertRate(0.025, s.learningRate(6));

        LearningRateSchedule fromHalf = LearningRateSchedule.linearWarmup(2, 0.5, LearningRateSchedule.constant(1e-3));
        assertRate(0.5e-3, fromHalf.learningRate(0));
        assertRate(0.75e-3, fromHalf.learningRate(1));
        assertRate(1e-3, fromHalf.learningRate(2));

        LearningRateSchedule warmIwae = LearningRateSchedule.linearWarmup(5, 0.2, LearningRateSchedule.iwae());
        assertRate(1e-3, warmIwae.learningRate(5));
        assertRate(1e-3 * Math.pow(10, -1 / 7.0), warmIwae.learningRate(6));
        assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.linearWarmup(0, 0.0, LearningRateSchedule.constant(1.0)));
        assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.linearWarmup(3, 1.5, LearningRateSchedule.constant(1.0)));
    }

    @Test
    void aScheduleDrivesTheOptimizer() {
        Optimizer opt = new Sgd(new TestParams("x", elbo.core.Tensor.zeros(elbo.core.DType.FLOAT32, 1)), 1.0);
        LearningRateSchedule s = LearningRateSchedule.iwae();
        opt.setLearningRate(s.learningRate(13));
        assertRate(1e-3 * Math.pow(10, -3 / 7.0), opt.learningRate());
    }
}
