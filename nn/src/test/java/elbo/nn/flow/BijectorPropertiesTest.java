package elbo.nn.flow;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.function.BiFunction;

import static elbo.nn.flow.FlowTesting.F64;
import static elbo.nn.flow.FlowTesting.assertAllClose;
import static elbo.nn.flow.FlowTesting.assertClose;
import static elbo.nn.flow.FlowTesting.jacobian;
import static elbo.nn.flow.FlowTesting.logAbsDet;
import static elbo.nn.flow.FlowTesting.markActNormsInitialized;
import static elbo.nn.flow.FlowTesting.randomize;

/**
 * The bijector contract, for every invertible flow of the package with <em>random</em> parameters (not the
 * identity initialisation) and random inputs, in float64:
 * <ol>
 *   <li>{@code inverse(forward(x)) ≈ x} (and {@code forward(inverse(y)) ≈ y});</li>
 *   <li>the forward log-det equals {@code log|det J|} of the full {@code D×D} Jacobian built by autodiff
 *       (one backward per row) and factorised by LU with partial pivoting; likewise the inverse's;</li>
 *   <li>the inverse log-det at {@code y = f(x)} is minus the forward log-det at {@code x};</li>
 *   <li>a batch {@code [2, 3, D]} gives, example by example, what single {@code [D]} inputs give.</li>
 * </ol>
 */
class BijectorPropertiesTest {

    /** Every invertible flow kind, built with random structure from an Rng. */
    enum Kind {
        ACTNORM((d, r) -> new ActNorm(d, F64)),
        PERMUTATION((d, r) -> Permutation.random(d, r)),
        REVERSE((d, r) -> Permutation.reverse(d)),
        COUPLING((d, r) -> new AffineCoupling(AffineCoupling.alternatingMask(d, r.nextInt(2)), new int[] {6, 5},
                Activation.Kind.TANH, 2.0, F64, r)),
        REALNVP((d, r) -> Flows.realNvp(d, 3, 6, true, F64, r)),
        MAF_LAYER((d, r) -> new MaskedAutoregressiveFlow(Made.randomOrder(d, r.nextLong()), new int[] {7, 6}, F64, r)),
        IAF_LAYER((d, r) -> new InverseAutoregressiveFlow(Made.randomOrder(d, r.nextLong()), new int[] {7},
                Activation.Kind.TANH, 2.5, F64, r)),
        MAF_STACK((d, r) -> Flows.maf(d, 3, 6, F64, r)),
        IAF_STACK((d, r) -> Flows.iaf(d, 3, 6, F64, r)),
        COMPOSITION((d, r) -> new Composition(new ActNorm(d, F64), Permutation.random(d, r),
                new ElementwiseAffine(r.normal(F64, d), r.normal(F64, d).mul(0.5)),
                new AffineCoupling(AffineCoupling.alternatingMask(d, 1), new int[] {5}, F64, r),
                new MaskedAutoregressiveFlow(Made.reversedOrder(d), new int[] {5}, F64, r))),
        INVERTED_MAF((d, r) -> new Inverted(Flows.maf(d, 2, 5, F64, r))),
        INVERTED_COMPOSITION((d, r) -> new Inverted(new Composition(new InverseAutoregressiveFlow(
                Made.naturalOrder(d), new int[] {5}, F64, r), Permutation.reverse(d), new ActNorm(d, F64))));

        final BiFunction<Integer, Rng, Flow> build;

        Kind(BiFunction<Integer, Rng, Flow> build) {
            this.build = build;
        }

        /** A flow of this kind with every parameter drawn from N(0, 0.5²). */
        Flow random(int d, Rng rng) {
            Flow f = build.apply(d, rng);
            randomize(f, 0.5, rng);
            markActNormsInitialized(f);
            return f;
        }
    }

    @Property(tries = 150)
    void inverseUndoesForwardAndLogDetsMatchTheJacobian(@ForAll Kind kind, @ForAll @IntRange(min = 1, max = 5) int d,
                                                        @ForAll long seed) {
        Rng rng = new Rng(seed);
        Flow f = kind.random(d, rng);
        Tensor x = rng.normal(F64, d).mul(1.5);

        Bijector.Result fwd = f.forward(x);
        Tensor y = fwd.value();
        Bijector.Result inv = f.inverse(y);
        assertAllClose(kind + ": inverse(forward(x))", x, inv.value(), 1e-9);
        assertAllClose(kind + ": forward(inverse(y))", y, f.forward(inv.value()).value(), 1e-9);
        assertClose(kind + ": inverse log-det = -forward log-det", -fwd.logDetJ().item(), inv.logDetJ().item(), 1e-9);

        double bruteForward = logAbsDet(jacobian(t -> f.forward(t).value(), x));
        assertClose(kind + ": forward log-det vs log|det J| (D=" + d + ")", bruteForward, fwd.logDetJ().item(), 1e-8);
        double bruteInverse = logAbsDet(jacobian(t -> f.inverse(t).value(), y));
        assertClose(kind + ": inverse log-det vs log|det J⁻¹| (D=" + d + ")", bruteInverse, inv.logDetJ().item(), 1e-8);
    }

    @Property(tries = 40)
    void batchesAreExampleByExample(@ForAll Kind kind, @ForAll @IntRange(min = 1, max = 4) int d, @ForAll long seed) {
        Rng rng = new Rng(seed);
        Flow f = kind.random(d, rng);
        Tensor x = rng.normal(F64, 2, 3, d);
        Bijector.Result fwd = f.forward(x);
        Bijector.Result inv = f.inverse(x);
        assertAllClose(kind + ": batched forward log-det shape", Tensor.zeros(F64, 2, 3), fwd.logDetJ().mul(0.0), 0);
        for (int b = 0; b < 6; b++) {
            Tensor row = x.reshape(6, d).narrow(0, b, 1).reshape(d);
            Bijector.Result one = f.forward(row);
            assertAllClose(kind + ": forward row " + b, one.value(), fwd.value().reshape(6, d).narrow(0, b, 1).reshape(d), 1e-12);
            assertClose(kind + ": forward log-det row " + b, one.logDetJ().item(), fwd.logDetJ().getFlat(b), 1e-12);
            Bijector.Result oneInv = f.inverse(row);
            assertAllClose(kind + ": inverse row " + b, oneInv.value(), inv.value().reshape(6, d).narrow(0, b, 1).reshape(d), 1e-12);
            assertClose(kind + ": inverse log-det row " + b, oneInv.logDetJ().item(), inv.logDetJ().getFlat(b), 1e-12);
        }
    }

    /** Planar: forward only; its log-det against the Jacobian, and the numerical inverse undoes it. */
    @Property(tries = 60)
    void planarLogDetMatchesTheJacobianAndTheNumericalInverseUndoesIt(@ForAll @IntRange(min = 1, max = 5) int d,
                                                                      @ForAll @IntRange(min = 1, max = 4) int layers,
                                                                      @ForAll long seed) {
        Rng rng = new Rng(seed);
        PlanarStack f = randomize(Flows.planar(d, layers, F64, rng), 1.2, rng);
        Tensor x = rng.normal(F64, d).mul(1.5);
        Bijector.Result fwd = f.forward(x);
        double brute = logAbsDet(jacobian(t -> f.forward(t).value(), x));
        assertClose("planar forward log-det vs log|det J|", brute, fwd.logDetJ().item(), 1e-8);
        assertAllClose("planar numericalInverse(forward(x))", x, f.numericalInverse(fwd.value()), 1e-9);

        // the same through Inverted: its inverse is the planar forward
        Inverted g = new Inverted(f);
        assertClose("Inverted(planar).inverse log-det", fwd.logDetJ().item(), g.inverse(x).logDetJ().item(), 0);
        Tensor batch = rng.normal(F64, 4, d).mul(3.0);
        assertAllClose("planar numericalInverse on a batch", batch, f.numericalInverse(f.forward(batch).value()), 1e-9);
    }
}
