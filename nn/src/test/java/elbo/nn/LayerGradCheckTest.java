package elbo.nn;

import elbo.core.CustomOp;
import elbo.core.DType;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static elbo.nn.Activation.Kind.ELU;
import static elbo.nn.Activation.Kind.RELU;
import static elbo.nn.Activation.Kind.SIGMOID;
import static elbo.nn.Activation.Kind.SOFTPLUS;
import static elbo.nn.Activation.Kind.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 gradient checks of every layer through the public {@link GradCheck}, with respect to the
 * input and every parameter (see {@link LayerAsFunction}). Sizes are small enough for the full-Jacobian
 * mode, which compares every entry; larger ones fall back to random projections.
 */
class LayerGradCheckTest {
    private static final DType F64 = DType.FLOAT64;
    /** Every entry compared up to 512 elements per tensor, else 24 random projections. */
    private static final GradCheck.Options OPTIONS = new GradCheck.Options(1e-6, 1e-6, 1e-4, 512, 24, 7L);

    /** Checks {@code layer} at input {@code x} and freshly drawn parameters; returns the comparison count. */
    private static int check(Layer layer, Tensor x, Rng rng) {
        LayerAsFunction f = new LayerAsFunction(layer);
        Tensor[] point = f.point(x, 0.7, rng);
        GradCheck.Result r = GradCheck.check(OPTIONS, f, point);
        assertTrue(r.passed(), r.failure());
        return r.comparisons();
    }

    @Test
    void linear2d() {
        Rng rng = new Rng(1);
        check(new Linear(3, 4, F64, rng), rng.normal(F64, 2, 3), rng);
    }

    @Test
    void linear3dImportanceSamples() {
        Rng rng = new Rng(2);
        // [K, B, in]: K importance samples of a batch of B
        check(new Linear(3, 2, F64, rng), rng.normal(F64, 4, 2, 3), rng);
    }

    @Test
    void linear4dAndWithoutBias() {
        Rng rng = new Rng(3);
        check(new Linear(3, 2, F64, rng), rng.normal(F64, 2, 2, 2, 3), rng);
        check(new Linear(3, 2, false, F64, rng), rng.normal(F64, 2, 3), rng);
    }

    @Test
    void gatedDense() {
        Rng rng = new Rng(4);
        check(new GatedDense(3, 4, F64, rng), rng.normal(F64, 2, 3), rng);
        check(new GatedDense(2, 3, F64, rng), rng.normal(F64, 3, 2, 2), rng);
    }

    @Test
    void sequentialWithEveryActivation() {
        Rng rng = new Rng(5);
        Sequential mlp = new Sequential(
                new Linear(3, 4, F64, rng), new Activation(TANH),
                new Linear(4, 4, F64, rng), new Activation(RELU),
                new Linear(4, 4, F64, rng), new Activation(ELU),
                new Linear(4, 4, F64, rng), new Activation(SOFTPLUS),
                new Linear(4, 2, F64, rng), new Activation(SIGMOID));
        int comparisons = check(mlp, rng.normal(F64, 3, 3), rng);
        // input 9 + parameters 16 + 3·20 + 10, each against 6 outputs: the full Jacobian
        assertEquals((9 + 16 + 3 * 20 + 10) * 6, comparisons, "every entry of the Jacobian compared");
    }

    @ParameterizedTest
    @EnumSource(value = Activation.Kind.class)
    void mlpBuilder(Activation.Kind kind) {
        Rng rng = new Rng(6 + kind.ordinal());
        check(Mlp.of(kind, F64, rng, 3, 5, 4, 2), rng.normal(F64, 2, 3), rng);
    }

    @Test
    void gatedMlp() {
        Rng rng = new Rng(20);
        check(Mlp.gated(F64, rng, 3, 4, 4, 2), rng.normal(F64, 2, 3), rng);
    }

    @ParameterizedTest(name = "B={0} C_in={1} C_out={2} {3}x{4} kernel {5}x{6} stride {7} padding {8}")
    @CsvSource({
            "2, 1, 2, 5, 5, 3, 3, 1, 1",
            "1, 2, 3, 6, 5, 3, 3, 2, 1",
            "2, 2, 2, 5, 6, 2, 2, 2, 0",
            "1, 1, 1, 4, 4, 4, 4, 1, 0",
            "1, 2, 2, 5, 5, 3, 3, 3, 2",
            "2, 2, 1, 5, 4, 3, 2, 1, 0",
            "1, 1, 2, 3, 3, 5, 5, 1, 2",
    })
    void conv2dLayer(int batch, int cin, int cout, int h, int w, int kh, int kw, int stride, int padding) {
        Rng rng = new Rng(31L * h + w + 7L * kh + stride);
        check(new Conv2d(cin, cout, kh, kw, stride, padding, true, F64, rng), rng.normal(F64, batch, cin, h, w), rng);
    }

    @Test
    void conv2dLayerWithoutBias() {
        Rng rng = new Rng(40);
        check(new Conv2d(2, 2, 3, 3, 1, 1, false, F64, rng), rng.normal(F64, 1, 2, 4, 4), rng);
    }

    @Test
    void conv2dOperationDirectly() {
        // The same check with the op built straight from GradCheck's leaves (no layer in between).
        Rng rng = new Rng(41);
        for (int[] c : new int[][] {{1, 1, 0}, {2, 1, 1}, {2, 2, 1}, {1, 3, 2}}) { // C_in, stride, padding
            int cin = c[0], stride = c[1], padding = c[2];
            Tensor x = rng.normal(F64, 2, cin, 5, 4);
            Tensor w = rng.normal(F64, 3, cin, 3, 2);
            Tensor b = rng.normal(F64, 3);
            GradCheck.assertCorrect(OPTIONS, t -> Conv2d.conv2d(t[0], t[1], t[2], stride, padding), x, w, b);
            GradCheck.assertCorrect(OPTIONS, t -> Conv2d.conv2d(t[0], t[1], null, stride, padding), x, w);
        }
    }

    @ParameterizedTest
    @EnumSource(MaskedConv2d.MaskType.class)
    void maskedConv2d(MaskedConv2d.MaskType type) {
        Rng rng = new Rng(50 + type.ordinal());
        check(new MaskedConv2d(1, 2, 3, type, F64, rng), rng.normal(F64, 2, 1, 4, 4), rng);
        check(new MaskedConv2d(2, 2, 5, type, F64, rng), rng.normal(F64, 1, 2, 5, 4), rng);
    }

    @Test
    void maskedConvStackWithNonlinearity() {
        Rng rng = new Rng(60);
        Sequential pixelCnn = new Sequential(
                new MaskedConv2d(1, 2, 3, MaskedConv2d.MaskType.A, F64, rng), new Activation(ELU),
                new MaskedConv2d(2, 2, 3, MaskedConv2d.MaskType.B, F64, rng), new Activation(TANH),
                new MaskedConv2d(2, 1, 3, MaskedConv2d.MaskType.B, F64, rng));
        check(pixelCnn, rng.normal(F64, 1, 1, 4, 5), rng);
    }

    /** y = w · x with a deliberately wrong gradient for w (2·dy·x): the harness must catch it. */
    private static final class WrongWeightGradient extends Layer {
        private final Tensor w = parameter("w", Tensor.ones(F64, 3));

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = Tensor.wrap(x.mul(w.detach()).toDoubleArray(), x.shape());
            return CustomOp.record("wrongScale", y, dy -> new Tensor[] {dy.mul(w.detach()), dy.mul(x.detach()).mul(2.0)}, x, w);
        }
    }

    @Test
    void harnessDetectsAWrongParameterGradient() {
        Rng rng = new Rng(70);
        LayerAsFunction f = new LayerAsFunction(new WrongWeightGradient());
        GradCheck.Result r = GradCheck.check(OPTIONS, f, f.point(rng.normal(F64, 3), 1.0, rng));
        assertFalse(r.passed(), "a wrong parameter gradient must fail the check");
        assertTrue(r.failure().contains("input 1"), r.failure());
    }
}
