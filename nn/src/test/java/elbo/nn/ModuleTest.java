package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The module tree: parameter paths, counts, modes and validated state-dict loading. */
class ModuleTest {
    private static final DType F64 = DType.FLOAT64;

    /** {@code encoder.layers.*} (Linear, tanh, GatedDense) and a {@code pixel} masked convolution. */
    static final class Model extends Module {
        final Encoder encoder;
        final MaskedConv2d pixel;

        Model(Rng rng) {
            encoder = child("encoder", new Encoder(rng));
            pixel = child("pixel", new MaskedConv2d(1, 2, 3, MaskedConv2d.MaskType.A, F64, rng));
        }
    }

    static final class Encoder extends Module {
        final Sequential layers;

        Encoder(Rng rng) {
            layers = child("layers", new Sequential(new Linear(4, 3, F64, rng),
                    new Activation(Activation.Kind.TANH), new GatedDense(3, 2, F64, rng)));
        }
    }

    @Test
    void sequentialPathsAndCount() {
        Rng rng = new Rng(1);
        Sequential s = new Sequential(new Linear(4, 3, F64, rng), new Activation(Activation.Kind.RELU),
                new GatedDense(3, 2, F64, rng));
        assertEquals(List.of("0.weight", "0.bias", "2.value.weight", "2.value.bias", "2.gate.weight", "2.gate.bias"),
                List.copyOf(s.namedParameters().keySet()));
        assertEquals(4 * 3 + 3 + 2 * (3 * 2 + 2), s.parameterCount());
        assertTrue(s.namedParameters().values().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void nestedPathsParametersThenBuffers() {
        Model m = new Model(new Rng(2));
        List<String> params = List.of(
                "encoder.layers.0.weight", "encoder.layers.0.bias",
                "encoder.layers.2.value.weight", "encoder.layers.2.value.bias",
                "encoder.layers.2.gate.weight", "encoder.layers.2.gate.bias",
                "pixel.weight", "pixel.bias");
        assertEquals(params, List.copyOf(m.namedParameters().keySet()));
        List<String> state = new ArrayList<>(params);
        state.add("pixel.mask"); // a buffer: saved, not trained
        assertEquals(state, List.copyOf(m.stateDict().keySet()));
        assertEquals(4 * 3 + 3 + 2 * (3 * 2 + 2) + (2 * 1 * 3 * 3 + 2), m.parameterCount());
        assertSame(m.pixel.weight(), m.namedParameters().get("pixel.weight"));
        assertEquals(List.copyOf(m.namedParameters().values()), m.parameters());
        assertTrue(m.summary().contains("encoder.layers.2.gate.bias"));
    }

    @Test
    void trainAndEvalPropagate() {
        Model m = new Model(new Rng(3));
        assertTrue(allTraining(m, true));
        m.eval();
        assertTrue(allTraining(m, false));
        m.train(true);
        assertTrue(allTraining(m, true));
        m.encoder.layers.eval(); // a subtree only
        assertTrue(m.isTraining() && m.pixel.isTraining());
        assertTrue(allTraining(m.encoder.layers, false));
    }

    private static boolean allTraining(Module m, boolean expected) {
        if (m.isTraining() != expected) {
            return false;
        }
        return m.children().values().stream().allMatch(c -> allTraining(c, expected));
    }

    @Test
    void loadStateDictCopiesEverything() {
        Model a = new Model(new Rng(4)), b = new Model(new Rng(5));
        assertNotEquals(a.pixel.weight().get(0, 0, 0, 0), b.pixel.weight().get(0, 0, 0, 0));
        a.loadStateDict(b.stateDict());
        b.stateDict().forEach((name, t) -> assertArrayEquals(t.toDoubleArray(),
                a.stateDict().get(name).toDoubleArray(), name));
        // copies, not aliases
        assertFalse(a.pixel.weight() == b.pixel.weight());
    }

    private static Map<String, double[]> snapshot(Module m) {
        Map<String, double[]> s = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> s.put(k, v.toDoubleArray()));
        return s;
    }

    private static void assertUnchanged(Map<String, double[]> before, Module m) {
        m.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toDoubleArray(), "entry " + k + " changed"));
    }

    /** A full, valid state from another model, as a mutable map (so one entry can be spoiled). */
    private static Map<String, Tensor> donor() {
        return new LinkedHashMap<>(new Model(new Rng(99)).stateDict());
    }

    @Test
    void missingEntryIsNamedAndNothingChanges() {
        Model m = new Model(new Rng(6));
        Map<String, double[]> before = snapshot(m);
        Map<String, Tensor> state = donor();
        state.remove("pixel.bias"); // late in the order: a naive loader would already have copied the encoder
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(state));
        assertTrue(e.getMessage().contains("missing entry 'pixel.bias'") && e.getMessage().contains("[2]"),
                e.getMessage());
        assertUnchanged(before, m);
    }

    @Test
    void unexpectedEntryIsNamedAndNothingChanges() {
        Model m = new Model(new Rng(7));
        Map<String, double[]> before = snapshot(m);
        Map<String, Tensor> state = donor();
        state.put("decoder.weight", Tensor.zeros(F64, 2, 2));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(state));
        assertTrue(e.getMessage().contains("unexpected entry 'decoder.weight'"), e.getMessage());
        assertUnchanged(before, m);
    }

    @Test
    void shapeMismatchNamesEntryAndBothShapesAndNothingChanges() {
        Model m = new Model(new Rng(8));
        Map<String, double[]> before = snapshot(m);
        Map<String, Tensor> state = donor();
        state.put("pixel.weight", Tensor.zeros(F64, 2, 1, 5, 5));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(state));
        String msg = e.getMessage();
        assertTrue(msg.contains("'pixel.weight'") && msg.contains("[2, 1, 5, 5]") && msg.contains("[2, 1, 3, 3]"), msg);
        assertUnchanged(before, m);

        state.put("pixel.weight", Tensor.zeros(DType.FLOAT32, 2, 1, 3, 3)); // right shape, wrong dtype
        StateDictException d = assertThrows(StateDictException.class, () -> m.loadStateDict(state));
        assertTrue(d.getMessage().contains("FLOAT32") && d.getMessage().contains("FLOAT64"), d.getMessage());
        assertUnchanged(before, m);
    }

    @Test
    void duplicateAndDottedNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                parameter("w", Tensor.zeros(F64, 1));
                parameter("w", Tensor.zeros(F64, 1));
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                buffer("a.b", Tensor.zeros(F64, 1));
            }
        });
    }

    @Test
    void zeroGradClearsEveryParameter() {
        Model m = new Model(new Rng(10));
        m.encoder.layers.forward(new Rng(11).normal(F64, 2, 4)).sum().backward();
        assertTrue(m.encoder.layers.parameters().stream().allMatch(p -> p.grad() != null));
        m.zeroGrad();
        assertTrue(m.parameters().stream().allMatch(p -> p.grad() == null));
    }

    @Test
    void modulesBuiltInsideAWorkspaceScopeAreRejected() {
        try (elbo.core.Workspace ws = elbo.core.Workspace.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new Linear(3, 2, DType.FLOAT32, new Rng(1)));
            assertEquals("Linear: 'weight' was created inside a Workspace scope and would die when it closes; "
                    + "build modules outside the scope", e.getMessage());
        }
    }

    @Test
    void optimizerStateBuiltInsideAWorkspaceScopeOutlivesIt() {
        Linear layer = new Linear(3, 2, DType.FLOAT32, new Rng(1));
        elbo.nn.optim.Adam adam;
        try (elbo.core.Workspace ws = elbo.core.Workspace.open()) {
            adam = new elbo.nn.optim.Adam(layer, 1e-2);
        }
        for (int step = 0; step < 2; step++) {
            try (elbo.core.Workspace ws = elbo.core.Workspace.open()) {
                adam.zeroGrad();
                layer.forward(Tensor.ones(DType.FLOAT32, 4, 3)).square().sum().backward();
                adam.step();
            }
        }
        for (Tensor t : adam.stateDict().values()) {
            assertFalse(t.isWorkspaceScratch());
            assertTrue(t.allFinite());
        }
    }

    @Test
    void eluHasSlopeOneAtZero() {
        Tensor x = Tensor.of(new double[] {0.0, -1.0, 2.0}, 3).requiresGrad(true);
        Activation.apply(Activation.Kind.ELU, x).sum().backward();
        assertArrayEquals(new double[] {1.0, Math.exp(-1.0), 1.0}, x.grad().toDoubleArray(), 1e-15);
    }
}
