package elbo.models.train;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.data.Split;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binarisation: Bernoulli(intensity) draws with the right mean, threshold at one half, binary sets unchanged. */
class BinarizerTest {

    /** {@code count} images of {@code 3 × 3} (odd: the one-pixel tail of the two-per-draw loop) of grey levels. */
    private static Split split(int count, int levels, int... greys) {
        byte[] pixels = new byte[count * 9];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) greys[i % 9 % greys.length];
        }
        return new Split(pixels, null, count, 3, 3, levels);
    }

    @Test
    void dynamicDrawsAreBernoulliOfTheIntensity() {
        int[] greys = {0, 1, 51, 128, 200, 254, 255, 17, 100};
        int n = 20_000;
        Split s = split(n, 255, greys);
        Binarizer b = new Binarizer(TrainConfig.Binarization.DYNAMIC, false);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        float[] x = b.batch(s, order, 0, n, new Rng(3)).toFloatArray();
        for (int p = 0; p < 9; p++) {
            double q = greys[p] / 255.0;
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i * 9 + p];
            }
            mean /= n;
            double se = Math.sqrt(q * (1 - q) / n);
            assertEquals(q, mean, 5 * se + 1e-12, "pixel " + p + " of grey " + greys[p]);
        }
    }

    @Test
    void thresholdKeepsHalfIntensityAndAboveAndBinarySetsPassThrough() {
        Split digits = split(1, 16, 0, 7, 8, 9, 16, 15, 1, 8, 3);
        Tensor t = new Binarizer(TrainConfig.Binarization.THRESHOLD, false).fixed(digits);
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1, 0, 1, 0}, t.toFloatArray());
        Split binary = split(1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0);
        Tensor same = new Binarizer(TrainConfig.Binarization.DYNAMIC, true).fixed(binary);
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 1, 1, 0}, same.toFloatArray());
        assertTrue(!new Binarizer(TrainConfig.Binarization.DYNAMIC, true).isStochastic());
    }

    @Test
    void evaluationImagesAreBinarisedOnceTheSameWayForEveryRun() {
        Split s = split(50, 255, 30, 90, 150, 210);
        Binarizer b = new Binarizer(TrainConfig.Binarization.DYNAMIC, false);
        assertArrayEquals(b.fixed(s).toFloatArray(), b.fixed(s).toFloatArray());
    }
}
