package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AdamTest {

    /** loss = Σ c ⊙ x, so ∇ = c exactly. */
    private static void backwardLinear(Tensor x, Tensor c) {
        x.mul(c).sum().backward();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void firstStepIsMinusLearningRateTimesSignOfGradient(DType dtype) {
        Rng rng = new Rng(1);
        Tensor x = rng.normal(dtype, 4, 5);
        Tensor c = rng.normal(dtype, 4, 5);
        double[] before = x.toDoubleArray();
        double lr = 1e-3;
        Adam adam = new Adam(new TestParams("x", x), lr, 0.9, 0.999, 1e-12, 0.0);
        backwardLinear(x, c);
        adam.step();
        double tol = dtype == DType.FLOAT32 ? 1e-7 : 1e-12;
        for (int i = 0; i < x.numel(); i++) {
            double step = x.getFlat(i) - before[i];
            assertEquals(-lr * Math.signum(c.getFlat(i)), step, tol * Math.max(1.0, Math.abs(before[i])),
                    "element " + i);
        }
    }

    @Test
    void iwaeEpsilonDampsTheFirstStepOfSmallGradients() {
        // With ε = 1e-4 and |g| = 1e-4 the first step is −η·g/(|g| + ε) = −η/2.
        Tensor x = Tensor.of(new double[] {0.0}, 1);
        Adam adam = new Adam(new TestParams("x", x), 1e-3, 0.9, 0.999, 1e-4, 0.0);
        backwardLinear(x, Tensor.of(new double[] {1e-4}, 1));
        adam.step();
        assertEquals(-0.5e-3, x.item(), 1e-15);
    }

    @Test
    void secondStepFollowsTheBiasCorrectedMoments() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Tensor x = Tensor.of(new double[] {0.5}, 1);
        Adam adam = new Adam(new TestParams("x", x), lr, b1, b2, eps, 0.0);
        double[] grads = {2.0, -1.0};
        double m = 0, v = 0, theta = 0.5;
        for (int t = 1; t <= 2; t++) {
            adam.zeroGrad();
            backwardLinear(x, Tensor.of(new double[] {grads[t - 1]}, 1));
            adam.step();
            double g = grads[t - 1];
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            theta -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            assertEquals(theta, x.item(), 1e-15, "step " + t);
        }
    }

    @Test
    void adamWDecaysTheParameterDirectly() {
        // Zero gradient: m = v = 0, so the Adam part is 0 and θ ← θ·(1 − η·λ) exactly.
        Tensor x = Tensor.of(new double[] {2.0, -4.0}, 2);
        AdamW adamW = new AdamW(new TestParams("x", x), 0.1, 0.9, 0.999, 1e-8, 0.5);
        backwardLinear(x, Tensor.zeros(DType.FLOAT64, 2));
        adamW.step();
        assertArrayEquals(new double[] {2.0 * 0.95, -4.0 * 0.95}, x.f64(), 1e-15);
    }

    @Test
    void adamWeightDecayGoesThroughTheGradient() {
        // Zero gradient, coupled decay: g = λθ, so the first step is −η·sign(θ) (up to ε).
        Tensor x = Tensor.of(new double[] {2.0, -4.0}, 2);
        Adam adam = new Adam(new TestParams("x", x), 0.1, 0.9, 0.999, 1e-12, 0.5);
        backwardLinear(x, Tensor.zeros(DType.FLOAT64, 2));
        adam.step();
        assertArrayEquals(new double[] {1.9, -3.9}, x.f64(), 1e-10);
    }

    @Test
    void parametersWithoutGradientAreSkippedAndKeepTheirOwnStepCount() {
        Tensor used = Tensor.of(new double[] {1.0}, 1);
        Tensor unused = Tensor.of(new double[] {3.0}, 1);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("used", used);
        params.put("unused", unused);
        Adam adam = new Adam(new TestParams(params), 0.1);
        for (int k = 0; k < 3; k++) {
            adam.zeroGrad();
            backwardLinear(used, Tensor.of(new double[] {1.0}, 1));
            adam.step();
        }
        assertNull(unused.grad());
        assertEquals(3.0, unused.item());
        Map<String, Tensor> state = adam.stateDict();
        assertEquals(3.0, state.get("step").item());
        assertEquals(3.0, state.get("step.used").item());
        assertEquals(0.0, state.get("step.unused").item());
        assertEquals(0.0, state.get("exp_avg.unused").item());
    }

    @Test
    void invalidHyperParametersAreRejected() {
        TestParams m = new TestParams("x", Tensor.zeros(DType.FLOAT32, 2));
        assertThrows(IllegalArgumentException.class, () -> new Adam(m, 1e-3, 1.0, 0.999, 1e-8, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(m, 1e-3, 0.9, -0.1, 1e-8, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(m, 1e-3, 0.9, 0.999, -1.0, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(m, 1e-3, 0.9, 0.999, 1e-8, Double.NaN));
    }

    @Test
    void epsMustBePositive() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", Tensor.zeros(DType.FLOAT32, 2).requiresGrad(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Adam(params, 1e-3, 0.9, 0.999, 0.0, 0.0));
        assertEquals("Adam: eps must be finite and > 0, got 0.0", e.getMessage());
    }

}
