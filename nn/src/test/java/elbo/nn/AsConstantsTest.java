package elbo.nn;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.flow.Flow;
import elbo.nn.flow.Flows;
import elbo.nn.flow.ActNorm;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Module#asConstants()}: inside the scope no gradient reaches the module's parameters, the
 * gradient with respect to the input is unchanged, and closing the scope restores training.
 */
class AsConstantsTest {
    private static final DType F64 = DType.FLOAT64;

    private static void checkModule(String name, Module m, Function<Tensor, Tensor> forward, Tensor x) {
        Rng rng = new Rng(3);
        for (Tensor p : m.parameters()) {                 // no parameter at an all-zero start
            for (int i = 0; i < p.numel(); i++) {
                p.setFlat(i, p.getFlat(i) + 0.1 * rng.nextGaussian());
            }
        }
        Tensor input = x.copy().requiresGrad(true);
        m.zeroGrad();
        forward.apply(input).sum().backward();
        double[] inputGradient = input.grad().toDoubleArray();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), name + ": " + e.getKey() + " has a gradient outside the scope");
        }

        m.zeroGrad();
        Tensor held = x.copy().requiresGrad(true);
        try (Autograd.Scope constants = m.asConstants()) {
            forward.apply(held).sum().backward();
        }
        assertArrayEquals(inputGradient, held.grad().toDoubleArray(), 1e-12, name + ": input gradient changed");
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            assertNull(e.getValue().grad(), name + ": " + e.getKey() + " got a gradient inside asConstants()");
        }

        m.zeroGrad();                                     // the scope is closed: parameters train again
        forward.apply(x.copy().requiresGrad(true)).sum().backward();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), name + ": " + e.getKey() + " lost its gradient after the scope");
        }
    }

    @Test
    void linearGatedDenseAndMaskedConvHoldTheirParametersConstant() {
        Rng rng = new Rng(1);
        Tensor rows = rng.normal(F64, 4, 5);
        Linear linear = new Linear(5, 3, F64, rng);
        checkModule("Linear", linear, linear::forward, rows);
        GatedDense gated = new GatedDense(5, 3, F64, rng);
        checkModule("GatedDense", gated, gated::forward, rows);
        MaskedConv2d conv = new MaskedConv2d(1, 2, 3, MaskedConv2d.MaskType.B, F64, rng);
        checkModule("MaskedConv2d", conv, conv::forward, rng.normal(F64, 2, 1, 4, 4));
    }

    @Test
    void everyFlowHoldsItsParametersConstantInBothDirections() {
        Rng rng = new Rng(2);
        Tensor z = rng.normal(F64, 4, 3);
        Map<String, Flow> flows = new LinkedHashMap<>();
        flows.put("RealNVP", Flows.realNvp(3, 2, 8, true, F64, rng));
        flows.put("MAF", Flows.maf(3, 2, 8, F64, rng));
        flows.put("IAF", Flows.iaf(3, 2, 8, F64, rng));
        flows.put("planar", Flows.planar(3, 2, F64, rng));
        for (Map.Entry<String, Flow> e : flows.entrySet()) {
            Flow f = e.getValue();
            for (Module m : f.children().values()) {
                if (m instanceof ActNorm a) {
                    a.setInitialized(true);                // no data-dependent initialisation in this test
                }
            }
            checkModule(e.getKey() + " forward", f, t -> f.forward(t).value().add(f.forward(t).logDetJ().unsqueeze(-1)), z);
            if (!e.getKey().equals("planar")) {
                checkModule(e.getKey() + " inverse", f, t -> f.inverse(t).value(), z);
            }
        }
    }

    @Test
    void scopesNestAndEndInOrder() {
        Linear linear = new Linear(2, 2, F64, new Rng(4));
        Tensor x = Tensor.ones(F64, 1, 2);
        try (Autograd.Scope outer = linear.asConstants()) {
            try (Autograd.Scope inner = linear.asConstants()) {
                assertTrue(!linear.forward(x).requiresGrad());
            }
            assertTrue(!linear.forward(x).requiresGrad(), "the outer scope still holds");
        }
        assertTrue(linear.forward(x).requiresGrad());
    }

    @Test
    void aSharedChildIsListedOnceUnderItsFirstPath() {
        Linear shared = new Linear(2, 2, F64, new Rng(5));
        class Holder extends Module {
            Holder(Module a) {
                child("a", a);
            }
        }
        class Root extends Module {
            Root() {
                child("first", shared);
                child("holder", new Holder(shared));
            }
        }
        Root root = new Root();
        assertEquals(java.util.List.of("first.weight", "first.bias"), java.util.List.copyOf(root.namedParameters().keySet()));
        assertEquals(2, root.stateDict().size());
        assertEquals(2, root.parameters().size());
    }
}
