package elbo.core.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The vector Adam kernel against the reference over many steps, where float rounding could drift. */
class AdamKernelTest {

    @Test
    void tinyDecoupledDecayDoesNotDriftFromTheReference() {
        assumeTrue(KernelProvider.vectorApiAvailable(), "jdk.incubator.vector is not resolved");
        Kernels ref = new ScalarKernels();
        Kernels vec = KernelProvider.choose("vector");
        int n = 4096, steps = 2000;
        double lr = 1e-4, lambda = 1e-4; // lr·λ = 1e-8: below float's spacing just under 1
        Random rnd = new Random(3);
        float[] start = new float[n];
        for (int i = 0; i < n; i++) {
            start[i] = (float) (1 + rnd.nextGaussian() * 0.1);
        }
        float[][] r = {start.clone(), new float[n], new float[n]};
        float[][] v = {start.clone(), new float[n], new float[n]};
        float[] grad = new float[n];
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < n; i++) {
                grad[i] = (float) (rnd.nextGaussian() * 1e-3);
            }
            double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.999, t), shrink = 1 - lr * lambda;
            ref.adamUpdate(r[0], grad, r[1], r[2], n, 0.9, 0.999, lr, 1e-8, bc1, bc2, 0.0, shrink);
            vec.adamUpdate(v[0], grad, v[1], v[2], n, 0.9, 0.999, lr, 1e-8, bc1, bc2, 0.0, shrink);
        }
        // systematic relative drift of θ between the two: losing the decay would show as about
        // steps · lr·λ = 2e-5; rounding noise averages out over n elements
        double drift = 0;
        for (int i = 0; i < n; i++) {
            drift += (v[0][i] - r[0][i]) / r[0][i];
        }
        drift /= n;
        assertTrue(Math.abs(drift) < 2e-6, "mean relative drift of the vector kernel: " + drift);
    }
}
