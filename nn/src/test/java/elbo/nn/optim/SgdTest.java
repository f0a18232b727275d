package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import elbo.core.DType;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * SGD against two-step trajectories worked out by hand on f(x) = ½·a·x² (so ∇ = a·x), with
 * x₀ = 1, a = 2, η = 0.1, μ = 0.9.
 */
class SgdTest {
    private static final double TOL = 1e-15;

    /** Runs two steps and returns [x₁, x₂]. */
    private static double[] twoSteps(double momentum, boolean nesterov, double weightDecay) {
        Tensor x = Tensor.of(new double[] {1.0}, 1);
        TestParams module = new TestParams("x", x);
        Sgd sgd = new Sgd(module, 0.1, momentum, nesterov, weightDecay);
        double[] out = new double[2];
        for (int k = 0; k < 2; k++) {
            sgd.zeroGrad();
            x.square().sum().mul(0.5 * 2.0).backward();
            sgd.step();
            out[k] = x.item();
        }
        return out;
    }

    @Test
    void plainSgd() {
        // g₀ = 2, x₁ = 1 − 0.2 = 0.8; g₁ = 1.6, x₂ = 0.8 − 0.16 = 0.64
        double[] x = twoSteps(0.0, false, 0.0);
        assertEquals(0.8, x[0], TOL);
        assertEquals(0.64, x[1], TOL);
    }

    @Test
    void classicalMomentum() {
        // b₁ = 2, x₁ = 0.8; g₁ = 1.6, b₂ = 0.9·2 + 1.6 = 3.4, x₂ = 0.8 − 0.34 = 0.46
        double[] x = twoSteps(0.9, false, 0.0);
        assertEquals(0.8, x[0], TOL);
        assertEquals(0.46, x[1], TOL);
    }

    @Test
    void nesterovMomentum() {
        // b₁ = 2, d₁ = 2 + 0.9·2 = 3.8, x₁ = 1 − 0.38 = 0.62;
        // g₁ = 1.24, b₂ = 1.8 + 1.24 = 3.04, d₂ = 1.24 + 0.9·3.04 = 3.976, x₂ = 0.62 − 0.3976 = 0.2224
        double[] x = twoSteps(0.9, true, 0.0);
        assertEquals(0.62, x[0], TOL);
        assertEquals(0.2224, x[1], TOL);
    }

    @Test
    void momentumWithWeightDecay() {
        // λ = 0.5: g₀ = 2 + 0.5 = 2.5, b₁ = 2.5, x₁ = 0.75;
        // g₁ = 1.5 + 0.375 = 1.875, b₂ = 2.25 + 1.875 = 4.125, x₂ = 0.75 − 0.4125 = 0.3375
        double[] x = twoSteps(0.9, false, 0.5);
        assertEquals(0.75, x[0], TOL);
        assertEquals(0.3375, x[1], TOL);
    }

    @Test
    void float32UpdatesRoundOnceFromDoubleArithmetic() {
        Tensor x = Tensor.of(new float[] {1.0f, -3.0f}, 2);
        Sgd sgd = new Sgd(new TestParams("x", x), 0.1);
        x.square().sum().backward(); // ∇ = 2x
        sgd.step();
        assertEquals((float) (1.0 - 0.1 * 2.0), x.f32()[0]);
        assertEquals((float) (-3.0 + 0.1 * 6.0), x.f32()[1]);
    }

    @Test
    void invalidHyperParametersAreRejected() {
        TestParams m = new TestParams("x", Tensor.zeros(DType.FLOAT64, 2));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, -1.0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1, 1.0, false, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1, 0.0, true, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1, 0.5, false, -1e-3));
    }
}
