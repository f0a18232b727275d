package elbo.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Tensor#registerHook}: the hook sees the total gradient of a tensor and replaces it below. */
class GradientHookTest {

    @Test
    void aHookScalesTheTotalGradientBeforeItFlowsFurther() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(2.0);
        Tensor weights = Tensor.of(new double[] {10, 100, 1000}, 3);
        y.registerHook(g -> g.mul(weights));
        // y is used twice: dL/dy = 1 + 2y; the hook multiplies the sum once; dL/dx = 2 · hooked.
        y.add(y.square()).sum().backward();
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double yi = 2.0 * (i + 1);
            expected[i] = 2.0 * weights.getFlat(i) * (1 + 2 * yi);
        }
        assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void misuseIsATypedError() {
        Tensor constant = Tensor.of(new double[] {1}, 1);
        assertThrows(IllegalStateException.class, () -> constant.registerHook(g -> g));
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(3.0);
        y.registerHook(g -> g);
        assertThrows(IllegalStateException.class, () -> y.registerHook(g -> g), "one hook per tensor");
        Tensor z = x.mul(2.0);
        z.registerHook(g -> g.sum());
        assertThrows(IllegalStateException.class, () -> z.sum().backward(), "a hook must keep the gradient's shape");
    }
}
