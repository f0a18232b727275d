package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.StateDictException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptimizerStateDictTest {

    private static Map<String, Tensor> twoParams(DType dtype, long seed) {
        Rng rng = new Rng(seed);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("encoder.0.weight", rng.normal(dtype, 3, 2).requiresGrad(true));
        params.put("encoder.0.bias", rng.normal(dtype, 3).requiresGrad(true));
        return params;
    }

    /** loss = Σ_p Σ (p³ + p), so gradients (3p² + 1) differ per element and per step. */
    private static void backward(Map<String, Tensor> params) {
        for (Tensor p : params.values()) {
            p.square().mul(p).sum().add(p.sum()).backward();
        }
    }

    private static void train(Optimizer opt, Map<String, Tensor> params, int steps) {
        for (int k = 0; k < steps; k++) {
            opt.zeroGrad();
            backward(params);
            opt.step();
        }
    }

    private static Map<String, Tensor> snapshot(Map<String, Tensor> state) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        state.forEach((k, v) -> copy.put(k, v.copy()));
        return copy;
    }

    private static void assertBitwiseEqual(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(bits(v), bits(actual.get(k)), k));
    }

    private static long[] bits(Tensor t) {
        long[] out = new long[t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.dtype() == DType.FLOAT32 ? Float.floatToRawIntBits(t.f32()[i])
                    : Double.doubleToRawLongBits(t.f64()[i]);
        }
        return out;
    }

    @Test
    void adamStateDictNamesFollowPyTorch() {
        Map<String, Tensor> params = twoParams(DType.FLOAT32, 1);
        Adam adam = new Adam(params, 1e-3, 0.9, 0.999, 1e-4, 0.0);
        train(adam, params, 2);
        Map<String, Tensor> state = adam.stateDict();
        assertEquals(List.of("step", "lr", "beta1", "beta2", "eps", "weight_decay",
                "step.encoder.0.weight", "exp_avg.encoder.0.weight", "exp_avg_sq.encoder.0.weight",
                "step.encoder.0.bias", "exp_avg.encoder.0.bias", "exp_avg_sq.encoder.0.bias"),
                new ArrayList<>(state.keySet()));
        assertEquals(2.0, state.get("step").item());
        assertEquals(1e-4, state.get("eps").item());
        assertEquals(DType.FLOAT64, state.get("lr").dtype());
        assertEquals(0, state.get("lr").rank());
        assertEquals(DType.FLOAT32, state.get("exp_avg.encoder.0.weight").dtype());
        assertEquals(params.get("encoder.0.weight").shape(), state.get("exp_avg_sq.encoder.0.weight").shape());
    }

    @Test
    void sgdStateDictHasMomentumBuffersOnlyWithMomentum() {
        Map<String, Tensor> params = twoParams(DType.FLOAT64, 1);
        assertEquals(List.of("step", "lr", "momentum", "nesterov", "weight_decay"),
                new ArrayList<>(new Sgd(params, 0.1, 0.0, false, 0.0).stateDict().keySet()));
        Map<String, Tensor> withMomentum = new Sgd(twoParams(DType.FLOAT64, 1), 0.1, 0.9, true, 0.0).stateDict();
        assertTrue(withMomentum.containsKey("momentum_buffer.encoder.0.weight"));
        assertEquals(1.0, withMomentum.get("nesterov").item());
    }

    /** Loading a state into a fresh optimizer continues exactly: bitwise-equal parameters and state. */
    private static void assertExactContinuation(DType dtype, Function<Map<String, Tensor>, Optimizer> make,
                                                Function<Map<String, Tensor>, Optimizer> makeOtherwise) {
        Map<String, Tensor> straight = twoParams(dtype, 5);
        Optimizer a = make.apply(straight);
        train(a, straight, 6);

        Map<String, Tensor> first = twoParams(dtype, 5);
        Optimizer b = make.apply(first);
        train(b, first, 3);
        Map<String, Tensor> savedParams = snapshot(first);
        Map<String, Tensor> savedState = snapshot(b.stateDict());

        Map<String, Tensor> resumed = twoParams(dtype, 77);
        resumed.forEach((k, v) -> v.copyFrom(savedParams.get(k)));
        Optimizer c = makeOtherwise.apply(resumed);
        c.loadStateDict(savedState);
        assertEquals(3, c.stepCount());
        train(c, resumed, 3);

        assertBitwiseEqual(straight, resumed);
        assertBitwiseEqual(a.stateDict(), c.stateDict());
    }

    @Test
    void adamResumesExactlyAndRestoresItsHyperParameters() {
        for (DType dtype : DType.values()) {
            assertExactContinuation(dtype, p -> new Adam(p, 0.01, 0.8, 0.99, 1e-4, 0.01),
                    p -> new Adam(p, 0.5, 0.9, 0.999, 1e-8, 0.0));
        }
    }

    @Test
    void adamWResumesExactly() {
        for (DType dtype : DType.values()) {
            assertExactContinuation(dtype, p -> new AdamW(p, 0.01, 0.9, 0.999, 1e-8, 0.1), p -> new AdamW(p, 0.3, 0.9, 0.9, 1e-8, 0.0));
        }
    }

    @Test
    void sgdResumesExactly() {
        for (DType dtype : DType.values()) {
            assertExactContinuation(dtype, p -> new Sgd(p, 0.01, 0.9, true, 0.01), p -> new Sgd(p, 0.5, 0.5, false, 0.0));
        }
    }

    @Test
    void invalidStatesAreRejectedAndChangeNothing() {
        Map<String, Tensor> params = twoParams(DType.FLOAT32, 3);
        Adam adam = new Adam(params, 0.01, 0.9, 0.999, 1e-8, 0.0);
        train(adam, params, 2);
        Map<String, Tensor> good = snapshot(adam.stateDict());
        Map<String, Tensor> before = snapshot(adam.stateDict());

        List<Map<String, Tensor>> bad = new ArrayList<>();
        List<String> expectedWords = new ArrayList<>();

        Map<String, Tensor> missing = new HashMap<>(good);
        missing.remove("exp_avg.encoder.0.bias");
        bad.add(missing);
        expectedWords.add("missing entry 'exp_avg.encoder.0.bias'");

        Map<String, Tensor> unexpected = new HashMap<>(good);
        unexpected.put("exp_avg.decoder.weight", Tensor.zeros(DType.FLOAT32, 1));
        bad.add(unexpected);
        expectedWords.add("unexpected entry 'exp_avg.decoder.weight'");

        Map<String, Tensor> wrongShape = new HashMap<>(good);
        wrongShape.put("exp_avg_sq.encoder.0.weight", Tensor.zeros(DType.FLOAT32, 2, 3));
        bad.add(wrongShape);
        expectedWords.add("'exp_avg_sq.encoder.0.weight' is FLOAT32 [2, 3]");

        Map<String, Tensor> wrongDtype = new HashMap<>(good);
        wrongDtype.put("exp_avg.encoder.0.bias", Tensor.zeros(DType.FLOAT64, 3));
        bad.add(wrongDtype);
        expectedWords.add("'exp_avg.encoder.0.bias' is FLOAT64 [3]");

        Map<String, Tensor> badBeta = new HashMap<>(good);
        badBeta.put("beta1", Tensor.scalar(1.0, DType.FLOAT64));
        bad.add(badBeta);
        expectedWords.add("'beta1' = 1.0 is outside");

        Map<String, Tensor> fractionalStep = new HashMap<>(good);
        fractionalStep.put("step.encoder.0.bias", Tensor.scalar(1.5, DType.FLOAT64));
        bad.add(fractionalStep);
        expectedWords.add("'step.encoder.0.bias' = 1.5 is not a whole non-negative count");

        Map<String, Tensor> negativeLr = new HashMap<>(good);
        negativeLr.put("lr", Tensor.scalar(-1.0, DType.FLOAT64));
        bad.add(negativeLr);
        expectedWords.add("'lr' must be finite and >= 0");

        for (int i = 0; i < bad.size(); i++) {
            Map<String, Tensor> state = bad.get(i);
            StateDictException e = assertThrows(StateDictException.class, () -> adam.loadStateDict(state));
            assertTrue(e.getMessage().contains(expectedWords.get(i)), e.getMessage());
            assertBitwiseEqual(before, adam.stateDict());
            assertEquals(2, adam.stepCount());
        }
    }

    @Test
    void sgdWithoutMomentumStateDoesNotLoadIntoSgdWithMomentum() {
        Map<String, Tensor> params = twoParams(DType.FLOAT64, 3);
        Map<String, Tensor> plain = new Sgd(params, 0.1, 0.0, false, 0.0).stateDict();
        Sgd withMomentum = new Sgd(twoParams(DType.FLOAT64, 3), 0.1, 0.9, false, 0.0);
        StateDictException e = assertThrows(StateDictException.class, () -> withMomentum.loadStateDict(plain));
        assertTrue(e.getMessage().contains("missing entry 'momentum_buffer.encoder.0.weight'"), e.getMessage());
    }

    /**
     * The JVM's count of bytes allocated by this thread (com.sun.management.ThreadMXBean), reached by
     * reflection because the test is compiled inside module elbo.nn, which does not read java.management;
     * null where unavailable.
     */
    private static java.util.function.LongSupplier allocatedBytesCounter() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method counter = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            return () -> {
                try {
                    return (Long) counter.invoke(bean);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Test
    void stepsDoNotAllocatePerParameter() {
        java.util.function.LongSupplier allocated = allocatedBytesCounter();
        org.junit.jupiter.api.Assumptions.assumeTrue(allocated != null,
                "per-thread allocation counters are not available on this JVM");
        Rng rng = new Rng(9);
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            params.put("layer" + i, rng.normal(i % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64, 8, 8).requiresGrad(true));
        }
        backward(params);
        List<Optimizer> optimizers = List.of(new Adam(new TestParams(params), 1e-6), new AdamW(new TestParams(params), 1e-6),
                new Sgd(new TestParams(params), 1e-6, 0.9, true, 1e-4));
        for (Optimizer opt : optimizers) {
            for (int k = 0; k < 5_000; k++) {
                opt.step(); // warm up: let the JIT compile step()
            }
            int steps = 1000;
            long before = allocated.getAsLong();
            for (int k = 0; k < steps; k++) {
                opt.step();
            }
            long perStep = (allocated.getAsLong() - before) / steps;
            // 50 parameters: any per-parameter allocation would cost well over 50 × 16 bytes per step.
            assertTrue(perStep < 64, opt.getClass().getSimpleName() + " allocated " + perStep + " bytes per step");
        }
    }
}
