package elbo.nn.flow;

import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

import static elbo.nn.flow.FlowTesting.F64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IAF conditioned on a context ({@link ConditionalBijector#given}), as the IAF posterior uses it. */
class ConditionalIafTest {

    private static Composition randomIaf(int contextSize) {
        return FlowTesting.randomize(Flows.iaf(3, 2, 8, contextSize, F64, new Rng(1)), 0.3, new Rng(2));
    }

    @Test
    void theBoundFlowInvertsAndItsLogDetMatchesTheJacobian() {
        Composition iaf = randomIaf(4);
        Tensor context = new Rng(3).normal(F64, 2, 4);                          // [B, C]
        Bijector f = iaf.given(context);
        Tensor u = new Rng(4).normal(F64, 5, 2, 3);                              // [K, B, D]
        Bijector.Result forward = f.forward(u);
        Bijector.Result back = f.inverse(forward.value());
        assertArrayEquals(u.toDoubleArray(), back.value().toDoubleArray(), 1e-10);
        assertArrayEquals(forward.logDetJ().neg().toDoubleArray(), back.logDetJ().toDoubleArray(), 1e-10);
        // log-det against the Jacobian of one example
        Tensor c0 = context.narrow(0, 0, 1).squeeze(0);
        Tensor u0 = u.narrow(0, 0, 1).narrow(1, 0, 1).reshape(3);
        double[][] jac = FlowTesting.jacobian(t -> iaf.given(c0).forward(t).value(), u0);
        FlowTesting.assertClose("log|det J|", FlowTesting.logAbsDet(jac), iaf.given(c0).forward(u0).logDetJ().item(),
                1e-9);
    }

    @Test
    void theContextChangesTheMapAndItsDetachedViewStopsParametersAndContext() {
        Composition iaf = randomIaf(4);
        Tensor u = new Rng(5).normal(F64, 2, 3);
        Tensor a = iaf.given(Tensor.zeros(F64, 2, 4)).forward(u).value();
        Tensor b = iaf.given(Tensor.ones(F64, 2, 4)).forward(u).value();
        double diff = 0;
        for (int i = 0; i < a.numel(); i++) {
            diff = Math.max(diff, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        assertTrue(diff > 1e-3, "the context must change the map, max difference " + diff);

        Tensor context = new Rng(6).normal(F64, 2, 4).requiresGrad(true);
        Tensor input = u.copy().requiresGrad(true);
        iaf.zeroGrad();
        iaf.given(context).detached().forward(input).value().sum().backward();
        assertNull(context.grad(), "the detached view must not reach the context");
        for (Tensor p : iaf.parameters()) {
            assertNull(p.grad(), "the detached view must not reach the parameters");
        }
        assertTrue(input.grad() != null, "gradients still flow through the input");
    }

    @Test
    void contextMismatchesAreTypedErrors() {
        assertThrows(IllegalStateException.class, () -> randomIaf(0).given(Tensor.zeros(F64, 2, 4)));
        assertThrows(ShapeException.class, () -> randomIaf(4).given(Tensor.zeros(F64, 2, 3)));
        InverseAutoregressiveFlow first = (InverseAutoregressiveFlow) randomIaf(4).parts().get(0);
        assertThrows(ShapeException.class, () -> first.forward(Tensor.zeros(F64, 2, 3)), "a context is required");
    }
}
