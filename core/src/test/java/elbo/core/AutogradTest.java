package elbo.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The semantics of the engine, as {@link Autograd}'s Javadoc states them. */
class AutogradTest {
    private static final DType F64 = DType.FLOAT64;

    private static Tensor vec(double... v) {
        return Tensor.vector(F64, v);
    }

    private static void assertValues(double[] expected, Tensor actual) {
        assertEquals(expected.length, actual.numel(), "element count of " + actual);
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual.getFlat(i)) <= 1e-12 * Math.max(1, Math.abs(expected[i])))) {
                fail("element " + i + ": expected " + expected[i] + " but was " + actual.getFlat(i) + " in " + actual);
            }
        }
    }

    /** The line of the caller, for checking the user-code site that anomaly mode reports. */
    private static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    // ---- deep graphs --------------------------------------------------------------------------

    /** Builds a chain of 200,000 ops and back-propagates through it. */
    private static void longChain() {
        int n = 200_000;
        Tensor x = Tensor.scalar(0.5, F64).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < n; i++) {
            y = i % 2 == 0 ? y.add(1.0) : y.mul(1.0);
        }
        assertEquals(0.5 + n / 2.0, y.item());
        y.backward();
        assertEquals(1.0, x.grad().item());
    }

    @Test
    void aChainOf200000OpsBackpropagatesWithoutStackOverflow() {
        longChain();
    }

    @Test
    void aChainOf200000OpsBackpropagatesOnA256KbThreadStack() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                longChain();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError("failed on a 256 KB stack: " + failure.get(), failure.get());
        }
    }

    @Test
    void aWideDiamondSumsEveryPath() {
        // y = sum_k x * c_k over 10,000 branches that meet again: dy/dx = sum_k c_k.
        Tensor x = vec(2).requiresGrad(true);
        Tensor y = Tensor.zerosLike(x);
        double expected = 0;
        for (int k = 1; k <= 10_000; k++) {
            y = y.add(x.mul(k));
            expected += k;
        }
        y.sum().backward();
        assertValues(new double[] {expected}, x.grad());
    }

    // ---- accumulation, backward twice, zero seed -----------------------------------------------

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = vec(1, 2, 3).requiresGrad(true);
        x.mul(x).sum().backward();                 // 2x
        assertValues(new double[] {2, 4, 6}, x.grad());
        x.mul(3).sum().backward();                 // + 3
        assertValues(new double[] {5, 7, 9}, x.grad());
        x.zeroGrad();
        assertNull(x.grad());
        x.exp().sum().backward();                  // e^x
        assertValues(new double[] {Math.exp(1), Math.exp(2), Math.exp(3)}, x.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = vec(3).requiresGrad(true);
        x.mul(x).add(x).sum().backward();          // d(x^2 + x) = 2x + 1
        assertValues(new double[] {7}, x.grad());
    }

    @Test
    void backwardTwiceAddsTheSameGradientAgain() {
        Tensor x = vec(1, -2).requiresGrad(true);
        Tensor h = x.tanh().retainGrad();
        Tensor y = h.square().sum();
        y.backward();
        Tensor first = x.grad().copy();
        Tensor firstH = h.grad().copy();
        y.backward();                              // the graph is kept: grads become 2x
        assertValues(first.mul(2).toDoubleArray(), x.grad());
        assertValues(firstH.mul(2).toDoubleArray(), h.grad());
        // and the values are the closed form d tanh(x)^2 = 2 tanh(x) (1 - tanh(x)^2)
        double t1 = Math.tanh(1), t2 = Math.tanh(-2);
        assertValues(new double[] {2 * t1 * (1 - t1 * t1), 2 * t2 * (1 - t2 * t2)}, first);
    }

    @Test
    void aZeroSeedGivesZeroGradientsNotNan() {
        // sqrt at 0 has an infinite slope and log at 0 is -inf, yet a zero seed must give exact zeros.
        Tensor x = vec(0, 1, 4).requiresGrad(true);
        Tensor y = x.sqrt().add(x.log()).mul(x.exp());
        y.backward(Tensor.zerosLike(y));
        assertValues(new double[] {0, 0, 0}, x.grad());
        assertTrue(x.grad().allFinite());
    }

    @Test
    void backwardOnANonScalarNeedsASeed() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(2);
        ShapeException e = assertThrows(ShapeException.class, y::backward);
        assertEquals("backward: output has shape [2]; a non-scalar output needs an explicit seed gradient of that "
                + "shape", e.getMessage());
        y.backward(vec(10, 100));                  // vector-Jacobian product
        assertValues(new double[] {20, 200}, x.grad());
    }

    @Test
    void backwardOnATensorThatRequiresNoGradientThrows() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> vec(1).sum().backward());
        assertTrue(e.getMessage().startsWith("backward: tensor of shape [] does not require a gradient"), e.getMessage());
    }

    @Test
    void backwardFromALeafSeedsItsOwnGradient() {
        Tensor x = vec(1, 2).requiresGrad(true);
        x.backward(vec(3, 4));
        assertValues(new double[] {3, 4}, x.grad());
    }

    // ---- recording switches ---------------------------------------------------------------------

    @Test
    void noGradRecordsNothingAndNests() {
        Tensor x = vec(1, 2).requiresGrad(true);
        assertTrue(Autograd.isGradEnabled());
        try (Autograd.Scope outer = Autograd.noGrad()) {
            Tensor a = x.mul(2);
            assertFalse(a.requiresGrad());
            assertNull(a.creator());
            try (Autograd.Scope inner = Autograd.noGrad()) {
                assertFalse(x.exp().requiresGrad());
            }
            assertFalse(Autograd.isGradEnabled(), "closing the inner scope must not re-enable recording");
            assertFalse(x.add(x).requiresGrad());
        }
        assertTrue(Autograd.isGradEnabled());
        Tensor b = x.mul(2);
        assertTrue(b.requiresGrad());
        assertEquals("mul", b.creator());
    }

    @Test
    void requiresGradOnANonLeafThrows() {
        Tensor y = vec(1).requiresGrad(true).exp();
        assertFalse(y.isLeaf());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
        assertTrue(e.getMessage().contains("result of 'exp'"), e.getMessage());
        assertTrue(y.detach().requiresGrad(true).isLeaf(), "detach() makes a leaf that can be marked");
    }

    // ---- anomaly mode -------------------------------------------------------------------------

    @Test
    void anomalyModeIsOffByDefault() {
        assertFalse(Autograd.isAnomalyDetectionEnabled());
        Tensor y = vec(0, 1).log();                // -inf, no exception
        assertEquals(Double.NEGATIVE_INFINITY, y.getFlat(0));
    }

    @Test
    void anomalyInForwardNamesTheOpTheShapesAndTheUserLine() {
        Tensor x = vec(0, 1).requiresGrad(true);
        Tensor z = Tensor.zeros(F64, 3, 2);
        try (Autograd.Scope anomaly = Autograd.detectAnomaly()) {
            assertTrue(Autograd.isAnomalyDetectionEnabled());
            Tensor fine = x.add(z);                 // finite: no exception
            assertEquals(Shape.of(3, 2), fine.shape());
            int[] at = new int[1];
            AnomalyException e = assertThrows(AnomalyException.class, () -> {
                at[0] = line(); x.div(z);
            });
            assertEquals("div: forward produced NaN or Inf; inputs [2], [3, 2]; created at "
                    + site("anomalyInForwardNamesTheOpTheShapesAndTheUserLine", at[0]), stripLambda(e.getMessage()));
        }
        assertFalse(Autograd.isAnomalyDetectionEnabled());
    }

    @Test
    void anomalyInBackwardNamesTheOpThatProducedIt() {
        Tensor x = vec(0, 4).requiresGrad(true);
        Tensor y;
        int at;
        try (Autograd.Scope anomaly = Autograd.detectAnomaly()) {
            at = line(); y = x.sqrt();             // sqrt(0) = 0 is finite; its slope at 0 is not
            Tensor loss = y.sum();
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertEquals("sqrt: backward produced NaN or Inf for input 0; inputs [2]; created at "
                    + site("anomalyInBackwardNamesTheOpThatProducedIt", at), e.getMessage());
        }
    }

    @Test
    void anomalyInBackwardCatchesNan() {
        Tensor x = vec(1, 2).requiresGrad(true);
        try (Autograd.Scope anomaly = Autograd.detectAnomaly()) {
            Tensor y = x.exp();
            // exp's rule multiplies the upstream gradient by e^x: NaN upstream, NaN gradient
            AnomalyException e = assertThrows(AnomalyException.class, () -> y.backward(vec(Double.NaN, 1)));
            assertTrue(e.getMessage().startsWith("exp: backward produced NaN or Inf for input 0; inputs [2]"),
                    e.getMessage());
        }
        // Outside anomaly mode the NaN simply propagates.
        Tensor y = x.exp();
        y.backward(vec(Double.NaN, 1));
        assertTrue(Double.isNaN(x.grad().getFlat(0)));
    }

    private static String site(String method, int line) {
        return "elbo.core.AutogradTest." + method + "(AutogradTest.java:" + line + ")";
    }

    /** {@code lambda$name$0} frames print as the lambda's synthetic method: map it to the enclosing one. */
    private static String stripLambda(String message) {
        return message.replaceAll("AutogradTest\\.lambda\\$(\\w+)\\$\\d+\\(", "AutogradTest.$1(");
    }

    @Test
    void backwardRefusesInputsModifiedInPlaceAfterTheForwardPass() {
        Tensor w = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor x = Tensor.of(new double[] {3, 4}, 2);
        Tensor loss = w.mul(x).sum();
        loss.backward();
        w.f64()[0] = 5;          // an optimizer-style update through the raw array ...
        w.markModified();        // ... announced as optimizers do
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertEquals("mul: input 0 [2] was modified in place after the op used it (write count 0 -> 1), "
                + "so its gradient would be wrong; run backward before updating parameters", e.getMessage());
        // views share the count: writing through a reshape of x is caught as well
        Tensor loss2 = w.mul(x).sum();
        x.reshape(1, 2).copyFrom(Tensor.of(new double[] {0, 0}, 1, 2));
        assertThrows(IllegalStateException.class, loss2::backward);
        // a fresh forward pass after the update is fine
        w.zeroGrad();
        w.mul(x).sum().backward();
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    }
}
