package elbo.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Extreme values: the numerics promises of {@link Tensor}'s Javadoc (logSumExp of -inf, softplus and
 * logSigmoid at &plusmn;1e4, sigmoid, the gradients of sqrt/abs/relu at 0, where not leaking NaN, clamp
 * at its bounds), for float32 and float64. Expected values are closed forms.
 */
class NumericsTest {
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;
    private static final double POS_INF = Double.POSITIVE_INFINITY;

    /** Relative tolerance per dtype: float32 transcendental kernels promise 4e-6. */
    private static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    private static Tensor t(DType dtype, double[] values, int... shape) {
        return Tensor.of(values, shape).cast(dtype);
    }

    private static void assertValues(double[] expected, Tensor actual, double relTol) {
        assertEquals(expected.length, actual.numel(), "element count of " + actual);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual.getFlat(i);
            boolean ok = e == a || Math.abs(e - a) <= relTol * Math.abs(e) + 1e-300;
            if (!ok) {
                fail("element " + i + ": expected " + e + " but was " + a + " in " + actual);
            }
        }
    }

    private static void assertAllFinite(Tensor t) {
        assertTrue(t.allFinite(), "not all finite: " + t);
    }

    // ---- logSumExp ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpOfAllMinusInfinityIsMinusInfinityWithZeroGradient(DType dtype) {
        Tensor x = t(dtype, new double[] {NEG_INF, NEG_INF, NEG_INF}, 3).requiresGrad(true);
        Tensor y = x.logSumExp(0, false);
        assertEquals(NEG_INF, y.item());
        y.backward();
        assertValues(new double[] {0, 0, 0}, x.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpRowsMixingMinusInfinityAndFiniteValues(DType dtype) {
        // row 0: all -inf; row 1: one -inf; row 2: finite, log(1 + 3) = log 4, softmax [1/4, 3/4]
        double l3 = Math.log(3);
        Tensor x = t(dtype, new double[] {NEG_INF, NEG_INF, NEG_INF, 0.5, 0, l3}, 3, 2).requiresGrad(true);
        Tensor y = x.logSumExp(1, false);
        assertValues(new double[] {NEG_INF, 0.5, Math.log(4)}, y, tol(dtype));
        y.backward(Tensor.onesLike(y));
        assertValues(new double[] {0, 0, 0, 1, 0.25, 0.75}, x.grad(), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpOverALeadingAxisWithMinusInfinity(DType dtype) {
        // The same rows as columns: the reduction over axis 0 goes through the permuted path.
        double l3 = Math.log(3);
        Tensor x = t(dtype, new double[] {NEG_INF, 0.5, 0, NEG_INF, NEG_INF, l3}, 2, 3).requiresGrad(true);
        Tensor y = x.logSumExp(0, true);
        assertEquals(Shape.of(1, 3), y.shape());
        assertValues(new double[] {NEG_INF, 0.5, Math.log(4)}, y, tol(dtype));
        y.sum().backward();
        assertValues(new double[] {0, 1, 0.25, 0, 0, 0.75}, x.grad(), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpWithPlusInfinityIsPlusInfinityWithFiniteGradient(DType dtype) {
        // The limit of the softmax: all weight on the +inf entries, shared equally at ties.
        Tensor x = t(dtype, new double[] {POS_INF, 1, NEG_INF, POS_INF, 2, POS_INF}, 2, 3).requiresGrad(true);
        Tensor y = x.logSumExp(1, false);
        assertValues(new double[] {POS_INF, POS_INF}, y, 0);
        y.sum().backward();
        assertValues(new double[] {1, 0, 0, 0.5, 0, 0.5}, x.grad(), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpOfLargeValuesDoesNotOverflow(DType dtype) {
        Tensor x = t(dtype, new double[] {1000, 1000, -1000, -1000}, 2, 2).requiresGrad(true);
        Tensor y = x.logSumExp(1, false);
        assertValues(new double[] {1000 + Math.log(2), -1000 + Math.log(2)}, y, tol(dtype));
        y.sum().backward();
        assertValues(new double[] {0.5, 0.5, 0.5, 0.5}, x.grad(), tol(dtype));
    }

    // ---- softplus, logSigmoid, sigmoid --------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void softplusAtPlusMinus1e4(DType dtype) {
        Tensor x = t(dtype, new double[] {1e4, -1e4}, 2).requiresGrad(true);
        Tensor y = x.softplus();
        // softplus(1e4) = 1e4 + log1p(e^-1e4) = 1e4; softplus(-1e4) = log1p(e^-1e4) = e^-1e4, 0 in double
        assertValues(new double[] {1e4, 0}, y, tol(dtype));
        y.sum().backward();
        // d softplus = sigmoid(x): 1 and e^-1e4 (0 in double)
        assertValues(new double[] {1, 0}, x.grad(), tol(dtype));
        assertAllFinite(y);
        assertAllFinite(x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void bernoulliLogProbAtPlusMinus1e4(DType dtype) {
        // rows: the likely outcome of each logit (log-likelihood 0), the unlikely one (-1e4 each)
        Tensor logits = t(dtype, new double[] {1e4, -1e4, 1e4, -1e4}, 2, 2).requiresGrad(true);
        Tensor x = t(dtype, new double[] {1, 0, 0, 1}, 2, 2);
        Tensor y = logits.bernoulliLogProb(x);
        assertValues(new double[] {0, -2e4}, y, tol(dtype));
        y.sum().backward();
        // dℓ = x - σ(ℓ): 0 where x is the likely outcome, ∓1 where it is not
        assertValues(new double[] {0, 0, -1, 1}, logits.grad(), tol(dtype));
        assertAllFinite(logits.grad());
    }

    @Test
    void bernoulliLogProbNamesBadShapesAndDtypes() {
        Tensor logits = Tensor.zeros(DType.FLOAT32, 3, 4);
        ShapeException event = assertThrows(ShapeException.class, () -> logits.bernoulliLogProb(Tensor.zeros(DType.FLOAT32, 3, 5)));
        assertTrue(event.getMessage().contains("[3, 4]") && event.getMessage().contains("[3, 5]"), event.getMessage());
        assertThrows(ShapeException.class, () -> logits.bernoulliLogProb(Tensor.zeros(DType.FLOAT32, 2, 4)));
        assertThrows(ShapeException.class, () -> logits.bernoulliLogProb(Tensor.scalar(1.0, DType.FLOAT32)));
        assertThrows(DTypeException.class, () -> logits.bernoulliLogProb(Tensor.zeros(DType.FLOAT64, 3, 4)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSigmoidAtPlusMinus1e4(DType dtype) {
        Tensor x = t(dtype, new double[] {1e4, -1e4}, 2).requiresGrad(true);
        Tensor y = x.logSigmoid();
        // logSigmoid(x) = -softplus(-x): -e^-1e4 (0 in double) and -1e4
        assertValues(new double[] {0, -1e4}, y, tol(dtype));
        y.sum().backward();
        // d logSigmoid = sigmoid(-x): e^-1e4 (0) and 1
        assertValues(new double[] {0, 1}, x.grad(), tol(dtype));
        assertAllFinite(y);
        assertAllFinite(x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softplusAndLogSigmoidAreAccurateInTheTails(DType dtype) {
        // log1p(e^-40) = e^-40 to 1e-17 relative: a naive log(1 + e^x) would return 0 here.
        double e40 = Math.exp(-40);
        Tensor x = t(dtype, new double[] {-40, 40, 0, 2}, 4);
        assertValues(new double[] {e40, 40, Math.log(2), Math.log1p(Math.exp(2))}, x.softplus(), tol(dtype));
        assertValues(new double[] {-40, -e40, -Math.log(2), -Math.log1p(Math.exp(-2))}, x.logSigmoid(), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sigmoidValuesGradientsAndExtremes(DType dtype) {
        double e30 = Math.exp(-30);
        Tensor x = t(dtype, new double[] {0, 2, -2, -30, 30, 1e4, -1e4}, 7).requiresGrad(true);
        Tensor y = x.sigmoid();
        double s2 = 1 / (1 + Math.exp(-2));
        assertValues(new double[] {0.5, s2, 1 - s2, e30 / (1 + e30), 1 / (1 + e30), 1, 0}, y, tol(dtype));
        for (int i = 0; i < y.numel(); i++) {
            assertTrue(y.getFlat(i) >= 0 && y.getFlat(i) <= 1, "sigmoid out of [0, 1]: " + y);
        }
        y.sum().backward();
        // d sigmoid = s(x) s(-x), accurate in both tails (1 - s(30) would cancel); at +-1e4 it underflows
        // to exactly 0, never NaN
        double d30 = e30 / ((1 + e30) * (1 + e30));
        assertValues(new double[] {0.25, s2 * (1 - s2), s2 * (1 - s2), d30, d30, 0, 0}, x.grad(), tol(dtype));
        assertAllFinite(x.grad());
    }

    // ---- documented gradients at 0 -------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void sqrtGradientAtZeroIsInfinityTimesTheUpstreamAndZeroForAZeroUpstream(DType dtype) {
        Tensor x = t(dtype, new double[] {0, 0, 0, 4}, 4).requiresGrad(true);
        Tensor y = x.sqrt();
        assertValues(new double[] {0, 0, 0, 2}, y, 0);
        y.backward(t(dtype, new double[] {1, -2, 0, 1}, 4));
        assertValues(new double[] {POS_INF, NEG_INF, 0, 0.25}, x.grad(), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void absAndReluGradientAtZeroIsZero(DType dtype) {
        Tensor x = t(dtype, new double[] {0, -0.0, -3, 2}, 4).requiresGrad(true);
        x.abs().sum().backward();
        assertValues(new double[] {0, 0, -1, 1}, x.grad(), 0);
        x.zeroGrad();
        x.relu().sum().backward();
        assertValues(new double[] {0, 0, 0, 1}, x.grad(), 0);
    }

    @Test
    void tiesSplitTheGradientOfMaximumAndMinimumAndMaxGoesToTheFirst() {
        Tensor a = Tensor.vector(DType.FLOAT64, 1, 2, 3).requiresGrad(true);
        Tensor b = Tensor.vector(DType.FLOAT64, 1, 5, 0).requiresGrad(true);
        a.maximum(b).sum().backward();
        assertValues(new double[] {0.5, 0, 1}, a.grad(), 0);
        assertValues(new double[] {0.5, 1, 0}, b.grad(), 0);
        a.zeroGrad();
        b.zeroGrad();
        a.minimum(b).sum().backward();
        assertValues(new double[] {0.5, 1, 0}, a.grad(), 0);
        assertValues(new double[] {0.5, 0, 1}, b.grad(), 0);

        Tensor m = Tensor.vector(DType.FLOAT64, 2, 7, 7, 1).requiresGrad(true);
        m.max(0, false).backward();
        assertValues(new double[] {0, 1, 0, 0}, m.grad(), 0);
    }

    @Test
    void powWithExponentZeroHasZeroGradientEvenAtZero() {
        Tensor x = Tensor.vector(DType.FLOAT64, 0, 2).requiresGrad(true);
        Tensor y = x.pow(0);
        assertValues(new double[] {1, 1}, y, 0);
        y.sum().backward();
        assertValues(new double[] {0, 0}, x.grad(), 0);
    }

    // ---- where --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void whereDoesNotLeakNanOrInfFromTheUnselectedBranch(DType dtype) {
        Tensor mask = t(dtype, new double[] {1, 0, 1, 0}, 4);
        Tensor a = t(dtype, new double[] {1, Double.NaN, 3, POS_INF}, 4).requiresGrad(true);
        Tensor b = t(dtype, new double[] {Double.NaN, 20, NEG_INF, 40}, 4).requiresGrad(true);
        Tensor y = Tensor.where(mask, a, b);
        assertValues(new double[] {1, 20, 3, 40}, y, 0);
        y.backward(t(dtype, new double[] {1, 2, 3, 4}, 4));
        assertValues(new double[] {1, 0, 3, 0}, a.grad(), 0);
        assertValues(new double[] {0, 2, 0, 4}, b.grad(), 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void whereGuardingALogDoesNotLeakNanIntoTheGradient(DType dtype) {
        // The classic: where(x > 0, log x, 0). log(0) = -inf and log(-1) = NaN are not selected, and the
        // zero gradient they receive must stay zero through log's rule (0 / 0 would be NaN).
        Tensor x = t(dtype, new double[] {0, -1, 2, 0.5}, 4).requiresGrad(true);
        Tensor y = Tensor.where(x.gt(0), x.log(), Tensor.zerosLike(x));
        assertValues(new double[] {0, 0, Math.log(2), Math.log(0.5)}, y, tol(dtype));
        y.sum().backward();
        assertValues(new double[] {0, 0, 0.5, 2}, x.grad(), tol(dtype));
    }

    @Test
    void whereGuardingDivisionSqrtPowAndExpDoesNotLeakIntoGradients() {
        Tensor x = Tensor.vector(DType.FLOAT64, 0, 4, -1, 800).requiresGrad(true);
        Tensor ok = x.gt(0).mul(x.lt(100));
        Tensor zero = Tensor.zerosLike(x);
        Tensor y = Tensor.where(ok, Tensor.vector(DType.FLOAT64, 1, 1, 1, 1).div(x), zero)  // 1/0 = inf
                .add(Tensor.where(ok, x.sqrt(), zero))                                      // sqrt(-1) = NaN
                .add(Tensor.where(ok, x.pow(-0.5), zero))                                   // 0^-0.5 = inf
                .add(Tensor.where(ok, x.exp().mul(x), zero));                               // e^800 = inf
        assertValues(new double[] {0, 0.25 + 2 + 0.5 + 4 * Math.exp(4), 0, 0}, y, 1e-12);
        y.sum().backward();
        // at x = 4: -1/x^2 + 1/(2 sqrt x) - 0.5 x^-1.5 + e^x (1 + x)
        double g = -1.0 / 16 + 0.25 - 0.5 / 8 + Math.exp(4) * 5;
        assertValues(new double[] {0, g, 0, 0}, x.grad(), 1e-12);
    }

    // ---- clamp --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DType.class)
    void clampAtAndBeyondItsBounds(DType dtype) {
        // The gradient passes where lo <= x <= hi: the bounds themselves included.
        Tensor x = t(dtype, new double[] {-2, -1, 0, 1, 2, NEG_INF, POS_INF}, 7).requiresGrad(true);
        Tensor y = x.clamp(-1, 1);
        assertValues(new double[] {-1, -1, 0, 1, 1, -1, 1}, y, 0);
        y.sum().backward();
        assertValues(new double[] {0, 1, 1, 1, 0, 0, 0}, x.grad(), 0);
        // lo == hi is allowed; lo > hi is not
        assertValues(new double[] {0.5, 0.5}, t(dtype, new double[] {-3, 3}, 2).clamp(0.5, 0.5), 0);
        // NaN passes through, with no gradient
        Tensor nan = t(dtype, new double[] {Double.NaN, 0.5}, 2).requiresGrad(true);
        Tensor clampedNaN = nan.clamp(0, 1);
        assertTrue(Double.isNaN(clampedNaN.getFlat(0)));
        clampedNaN.sum().backward();
        assertValues(new double[] {0, 1}, nan.grad(), 0);
        // bounds that are no float32: the result and the gradient's mask are those of the exact bounds, rounded
        double lo = 0.1, hi = 0.7;
        double[] near = {Math.nextDown((float) lo), (float) lo, Math.nextUp((float) lo), Math.nextDown((float) hi),
                (float) hi, Math.nextUp((float) hi)};
        Tensor xs = t(dtype, near, near.length).requiresGrad(true);
        Tensor ys = xs.clamp(lo, hi);
        ys.sum().backward();
        for (int i = 0; i < near.length; i++) {
            double v = xs.getFlat(i);
            double expected = Math.min(Math.max(v, lo), hi);
            assertEquals(dtype == DType.FLOAT32 ? (float) expected : expected, ys.getFlat(i), 0, "clamp of " + v);
            assertEquals(v >= lo && v <= hi ? 1.0 : 0.0, xs.grad().getFlat(i), 0, "gradient at " + v);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clamp(1, -1));
        assertEquals("clamp: lo 1.0 > hi -1.0", e.getMessage());
    }

    @Test
    void squareKeepsAZeroUpstreamGradientZero() {
        // where() gives the unselected square(inf) a zero gradient: 0 · 2·inf must stay 0, not NaN
        Tensor x = Tensor.of(new double[] {Double.POSITIVE_INFINITY, 1.0}, 2).requiresGrad(true);
        Tensor.where(x.lt(1e300), x.square(), Tensor.zerosLike(x)).sum().backward();
        assertArrayEquals(new double[] {0.0, 2.0}, x.grad().toDoubleArray());
    }

    @Test
    void customOpRefusesToRerecordAndChecksItsRule() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = a.mul(2.0);
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> CustomOp.record("double", y, dy -> new Tensor[] {dy}, a));
        assertEquals("double: the output is already the result of 'mul'; record a fresh tensor", twice.getMessage());
        Tensor z = CustomOp.record("broken", Tensor.zeros(DType.FLOAT64, 2), dy -> new Tensor[0], a);
        IllegalStateException rule = assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertEquals("broken: backward rule returned 0 gradients for 1 inputs", rule.getMessage());
    }
}
