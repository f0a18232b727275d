package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import elbo.core.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    /** Parameters whose gradients are [3, 4] (float64) and [12] (float32): global norm 13; plus one without. */
    private static Map<String, Tensor> paramsWithNorm13() {
        Tensor p = Tensor.of(new double[] {1.0, 1.0}, 2).requiresGrad(true);
        Tensor q = Tensor.of(new float[] {1.0f}, 1).requiresGrad(true);
        Tensor unused = Tensor.of(new double[] {5.0}, 1).requiresGrad(true);
        p.mul(Tensor.of(new double[] {3.0, 4.0}, 2)).sum().backward();
        q.mul(12.0).sum().backward();
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("p", p);
        params.put("q", q);
        params.put("unused", unused);
        return params;
    }

    @Test
    void largeGradientsAreScaledToTheMaxNorm() {
        Map<String, Tensor> params = paramsWithNorm13();
        Optimizer opt = new Sgd(new TestParams(params), 0.1);
        double norm = opt.clipGradNorm(6.5);
        assertEquals(13.0, norm, 1e-12);
        assertArrayEquals(new double[] {1.5, 2.0}, params.get("p").grad().f64(), 1e-12);
        assertArrayEquals(new float[] {6.0f}, params.get("q").grad().f32(), 1e-6f);
        assertEquals(6.5, GradientClipping.globalNorm(params.values()), 1e-6);
    }

    @Test
    void smallGradientsAreLeftAlone() {
        Map<String, Tensor> params = paramsWithNorm13();
        double norm = GradientClipping.clipByGlobalNorm(params.values(), 20.0);
        assertEquals(13.0, norm, 1e-12);
        assertArrayEquals(new double[] {3.0, 4.0}, params.get("p").grad().f64());
        assertArrayEquals(new float[] {12.0f}, params.get("q").grad().f32());
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsAreLeftAlone() {
        Tensor p = Tensor.of(new double[] {1.0, 1.0}, 2).requiresGrad(true);
        p.mul(Tensor.of(new double[] {Double.POSITIVE_INFINITY, 1.0}, 2)).sum().backward();
        double norm = GradientClipping.clipByGlobalNorm(List.of(p), 1.0);
        assertEquals(Double.POSITIVE_INFINITY, norm);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 1.0}, p.grad().f64());
    }

    @Test
    void noGradientsGiveNormZero() {
        Tensor p = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        assertEquals(0.0, GradientClipping.clipByGlobalNorm(List.of(p), 1.0));
    }

    @Test
    void maxNormMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(List.of(), 0.0));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(List.of(), Double.NaN));
    }

    @Test
    void aTensorListedTwiceIsCountedAndScaledOnce() {
        Tensor w = Tensor.of(new float[] {3, 4}, 2).requiresGrad(true);
        w.mul(Tensor.of(new float[] {3, 4}, 2)).sum().backward(); // grad = [3, 4], norm 5
        double norm = GradientClipping.clipByGlobalNorm(List.of(w, w), 1.0);
        assertEquals(5.0, norm, 1e-6);
        assertArrayEquals(new float[] {0.6f, 0.8f}, w.grad().toFloatArray(), 1e-6f);
    }
}
