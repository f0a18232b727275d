package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.TransformedDistribution;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static elbo.nn.flow.FlowTesting.F64;
import static elbo.nn.flow.FlowTesting.assertAllClose;
import static elbo.nn.flow.FlowTesting.assertClose;
import static elbo.nn.flow.FlowTesting.markActNormsInitialized;
import static elbo.nn.flow.FlowTesting.randomize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Orientation, initialisation, data-dependent init, detaching, the flow distribution and argument errors. */
class FlowBehaviourTest {

    @Test
    void mafInverseAndIafForwardAreTheOnePassFormulas() {
        Rng rng = new Rng(11);
        MaskedAutoregressiveFlow maf = randomize(new MaskedAutoregressiveFlow(Made.randomOrder(4, 5), new int[] {6}, F64, rng), 0.5, rng);
        Tensor x = rng.normal(F64, 3, 4);
        Tensor[] out = maf.made().forward(x);
        Tensor alpha = Flow.softClamp(out[1], Flow.DEFAULT_LOG_SCALE_BOUND);
        assertAllClose("MAF inverse: u = (x - μ(x)) exp(-α(x))", x.sub(out[0]).mul(alpha.neg().exp()),
                maf.inverse(x).value(), 1e-14);

        InverseAutoregressiveFlow iaf = randomize(new InverseAutoregressiveFlow(Made.naturalOrder(4), new int[] {6}, F64, rng), 0.5, rng);
        Tensor u = rng.normal(F64, 3, 4);
        out = iaf.made().forward(u);
        alpha = Flow.softClamp(out[1], Flow.DEFAULT_LOG_SCALE_BOUND);
        assertAllClose("IAF forward: x = u exp(α(u)) + μ(u)", u.mul(alpha.exp()).add(out[0]), iaf.forward(u).value(), 1e-14);
        assertAllClose("IAF forward log-det: Σ α(u)", alpha.sum(-1, false), iaf.forward(u).logDetJ(), 1e-14);
    }

    @Test
    void newFlowsAreTheIdentity() {
        Rng rng = new Rng(12);
        Tensor x = rng.normal(F64, 5, 3);
        // MAF and IAF stacks have reversals between their layers: three layers, two reversals, the identity
        for (Flow f : new Flow[] {Flows.realNvp(3, 3, 8, F64, rng), Flows.maf(3, 3, 8, F64, rng),
                Flows.iaf(3, 3, 8, F64, rng), new Inverted(Flows.planar(3, 4, F64, rng))}) {
            Bijector.Result r = f.inverse(x);
            assertAllClose(f + " inverse at init", x, r.value(), 1e-12);
            assertAllClose(f + " log-det at init", Tensor.zeros(F64, 5), r.logDetJ(), 1e-12);
        }
        assertAllClose("planar forward at init", x, Flows.planar(3, 2, F64, rng).forward(x).value(), 1e-12);
    }

    @Test
    void actNormDataInitialisesOnceAndTheFlagIsCheckpointed() {
        Rng rng = new Rng(13);
        Tensor data = rng.normal(F64, 500, 2).mul(Tensor.vector(F64, 3.0, 0.2)).add(Tensor.vector(F64, -4.0, 7.0));
        ActNorm a = new ActNorm(2, F64);
        assertFalse(a.isInitialized());
        Tensor u = a.inverse(data).value();
        assertTrue(a.isInitialized());
        for (int j = 0; j < 2; j++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < 500; i++) {
                mean += u.get(i, j) / 500;
                sq += u.get(i, j) * u.get(i, j) / 500;
            }
            assertClose("mean of dimension " + j, 0.0, mean, 1e-12);
            assertClose("variance of dimension " + j, 1.0, sq - mean * mean, 1e-12);
        }
        // the second call does not re-initialise
        Tensor before = a.logScale().copy();
        a.inverse(data.mul(10.0));
        assertAllClose("log-scale after a second batch", before, a.logScale(), 0);

        // forward-direction initialisation standardises the output of forward
        ActNorm b = new ActNorm(2, F64);
        Tensor y = b.forward(data).value();
        assertClose("forward-initialised output mean", 0.0, y.mean(0, false).getFlat(1), 1e-12);

        // evaluation mode never initialises
        ActNorm c = new ActNorm(2, F64);
        c.eval();
        assertAllClose("eval-mode ActNorm is the identity", data, c.inverse(data).value(), 0);
        assertFalse(c.isInitialized());

        // the flag travels with the state dict
        ActNorm restored = new ActNorm(2, F64);
        restored.loadStateDict(a.stateDict());
        assertTrue(restored.isInitialized());
        assertAllClose("restored layer", a.inverse(data).value(), restored.inverse(data).value(), 0);
        assertTrue(a.stateDict().containsKey("initialized"));
        assertFalse(a.namedParameters().containsKey("initialized"));
    }

    @Test
    void detachedViewsStopParameterGradientsButNotInputGradients() {
        Rng rng = new Rng(14);
        Composition f = randomize(new Composition(Flows.realNvp(3, 2, 6, true, F64, rng), Flows.maf(3, 2, 6, F64, rng),
                new ElementwiseAffine(rng.normal(F64, 3), rng.normal(F64, 3))), 0.4, rng);
        markActNormsInitialized(f);
        Tensor x = rng.normal(F64, 4, 3);

        Tensor x1 = x.copy().requiresGrad(true);
        Bijector.Result r1 = f.inverse(x1);
        r1.value().sum().add(r1.logDetJ().sum()).backward();
        Map<String, Tensor> params = f.namedParameters();
        assertTrue(params.values().stream().allMatch(p -> p.grad() != null));
        f.zeroGrad();

        Tensor x2 = x.copy().requiresGrad(true);
        Bijector d = f.detached();
        Bijector.Result r2 = d.inverse(x2);
        assertAllClose("detached values", r1.value(), r2.value(), 0);
        assertAllClose("detached log-dets", r1.logDetJ(), r2.logDetJ(), 0);
        r2.value().sum().add(r2.logDetJ().sum()).backward();
        params.forEach((name, p) -> assertNull(p.grad(), name + " received a gradient through the detached view"));
        assertAllClose("input gradient through the detached view", x1.grad(), x2.grad(), 0);

        // a view of a single Flow, and the scope ends with the call
        MaskedAutoregressiveFlow m = randomize(new MaskedAutoregressiveFlow(Made.naturalOrder(3), new int[] {4}, F64, rng), 0.4, rng);
        m.detached().forward(x).value().sum();
        Tensor out = m.inverse(x).value().sum();
        out.backward();
        assertNotNull(m.made().layers()[0].weight().grad(), "parameters are live again after the view's call");
    }

    @Test
    void flowDistributionSamplesAndScoresConsistently() {
        Rng rng = new Rng(15);
        for (Flow f : new Flow[] {Flows.realNvp(3, 3, 8, true, F64, rng), Flows.maf(3, 2, 8, F64, rng),
                Flows.iaf(3, 2, 8, F64, rng)}) {
            randomize(f, 0.4, rng);
            markActNormsInitialized(f);
            TransformedDistribution p = Flows.distribution(f);
            assertEquals(3, p.eventSize());
            Distribution.Sample s = p.rsampleWithLogProb(rng, 6);
            assertArrayEquals(new int[] {6, 3}, s.value().shape().dims());
            assertAllClose(f + ": log p from the forward pass vs logProb", s.logProb(), p.logProb(s.value()), 1e-9);
            Tensor plain = p.sample(rng, 4);
            assertFalse(plain.requiresGrad());
            Tensor r = p.rsample(rng, 4);
            assertTrue(r.requiresGrad(), "rsample is differentiable in the flow's parameters");
        }
    }

    @Test
    void planarConstraintAndNumericalInverse() {
        Rng rng = new Rng(16);
        for (int trial = 0; trial < 50; trial++) {
            PlanarFlow p = randomize(new PlanarFlow(4, F64, rng), 3.0, rng);
            double wu = p.w().mul(p.uHat()).sum().item();
            assertTrue(wu >= -1 - 1e-12, "ûᵀw = " + wu + " must be at least -1");
        }
        PlanarFlow p = new PlanarFlow(2, F64, rng);
        assertThrows(UnsupportedOperationException.class, () -> p.inverse(Tensor.zeros(F64, 2)));
        assertThrows(UnsupportedOperationException.class, () -> Flows.planar(2, 2, F64, rng).inverse(Tensor.zeros(F64, 2)));
        assertThrows(UnsupportedOperationException.class, () -> new Inverted(p).forward(Tensor.zeros(F64, 2)));
        // a nearly non-invertible layer (ûᵀw close to -1, steep tanh) is still inverted to high accuracy
        PlanarFlow hard = new PlanarFlow(2, F64, rng);
        hard.w().copyFrom(Tensor.vector(F64, 4.0, -1.0));
        hard.u().copyFrom(Tensor.vector(F64, -3.0, 0.5));
        hard.b().copyFrom(Tensor.vector(F64, 0.3));
        Tensor z = rng.normal(F64, 200, 2).mul(2.0);
        assertAllClose("hard numerical inverse", z, hard.numericalInverse(hard.forward(z).value()), 1e-9);
        // float32 layers invert too (computed in float64)
        PlanarFlow f32 = new PlanarFlow(3, DType.FLOAT32, rng);
        Tensor z32 = rng.normal(DType.FLOAT32, 5, 3);
        assertAllClose("float32 numerical inverse", z32, f32.numericalInverse(f32.forward(z32).value()), 1e-5);
    }

    @Test
    void argumentErrors() {
        Rng rng = new Rng(17);
        Composition f = Flows.maf(3, 2, 4, F64, rng);
        assertThrows(ShapeException.class, () -> f.forward(Tensor.zeros(F64, 2, 4)));
        assertThrows(ShapeException.class, () -> f.inverse(Tensor.scalar(1.0, F64)));
        assertThrows(DTypeException.class, () -> f.inverse(Tensor.zeros(DType.FLOAT32, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> new Composition(Flows.maf(3, 1, 4, F64, rng), new ActNorm(2, F64)));
        assertThrows(IllegalArgumentException.class, () -> new Permutation(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Flows.realNvp(0, 2, 4, F64, rng));
        assertThrows(IllegalArgumentException.class, () -> new AffineCoupling(new boolean[] {true, false}, new int[] {4},
                elbo.nn.Activation.Kind.RELU, 0.0, F64, rng));
        assertThrows(IllegalArgumentException.class, () -> Flows.distribution(new Composition(Permutation.reverse(2))));
    }

    @Test
    void float32FlowsRunAndStateDictsRoundTrip() {
        Rng rng = new Rng(18);
        Composition f = randomize(Flows.realNvp(4, 2, 8, true, DType.FLOAT32, rng), 0.3, rng);
        markActNormsInitialized(f);
        Tensor x = rng.normal(DType.FLOAT32, 6, 4);
        Bijector.Result r = f.inverse(x);
        assertAllClose("float32 round trip", x, f.forward(r.value()).value(), 1e-4);
        Composition g = Flows.realNvp(4, 2, 8, true, DType.FLOAT32, new Rng(99));
        g.loadStateDict(f.stateDict());
        assertAllClose("restored flow", r.value(), g.inverse(x).value(), 0);
        assertTrue(f.stateDict().containsKey("0.mask"));
        assertTrue(f.stateDict().containsKey("1.initialized"));
        assertTrue(f.stateDict().containsKey("0.conditioner.0.weight"));
    }

    @Test
    void actNormWaitsForANonEmptyBatch() {
        ActNorm norm = new ActNorm(3, F64);
        norm.forward(Tensor.zeros(F64, 0, 3));
        assertFalse(norm.isInitialized(), "an empty batch carries no statistics");
        norm.forward(new Rng(2).normal(F64, 16, 3));
        assertTrue(norm.isInitialized());
        for (Tensor p : norm.parameters()) {
            assertTrue(p.allFinite());
        }
    }
}
