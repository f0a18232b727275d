package elbo.nn.flow;

import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.TransformedDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Function;

import static elbo.nn.flow.FlowTesting.F64;
import static elbo.nn.flow.FlowTesting.markActNormsInitialized;
import static elbo.nn.flow.FlowTesting.randomize;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 {@link GradCheck}s of {@code log p(x)} of each flow distribution (base {@code N(0, I)}) with respect
 * to the input {@code x} and to every parameter, at random parameters; for the flows whose density direction
 * is the sequential one (IAF) this differentiates through the {@code D} unrolled passes, and for MAF and
 * IAF the reparameterised sample's log-density ({@code rsampleWithLogProb}) is checked too, with respect
 * to the base noise and the parameters. Every entry of every Jacobian is compared (full-Jacobian mode).
 */
class FlowGradCheckTest {
    private static final GradCheck.Options OPTIONS = new GradCheck.Options(1e-6, 1e-6, 1e-4, 512, 24, 7L);
    private static final int D = 3;

    static Flow flow(String kind, Rng rng) {
        Flow f = switch (kind) {
            case "actnorm" -> new ActNorm(D, F64);
            case "coupling" -> new AffineCoupling(AffineCoupling.alternatingMask(D, 1), new int[] {5}, F64, rng);
            case "realnvp" -> Flows.realNvp(D, 2, 5, true, F64, rng);
            case "maf" -> Flows.maf(D, 2, 5, F64, rng);
            case "iaf" -> Flows.iaf(D, 2, 5, F64, rng);
            case "planar" -> new Inverted(Flows.planar(D, 3, F64, rng));
            case "composition" -> new Composition(Flows.maf(D, 1, 4, F64, rng), Permutation.random(D, rng),
                    new Inverted(Flows.iaf(D, 1, 4, F64, rng)), new ActNorm(D, F64));
            default -> throw new IllegalArgumentException(kind);
        };
        randomize(f, 0.5, rng);
        markActNormsInitialized(f);
        return f;
    }

    private static void check(Flow f, Function<Tensor, Tensor> g, Tensor x) {
        FlowTesting.AsFunction fn = new FlowTesting.AsFunction(f, g);
        GradCheck.Result r = GradCheck.check(OPTIONS, fn, fn.point(x));
        assertTrue(r.passed(), r.failure());
        assertTrue(r.comparisons() > 3 * D, "compared only " + r.comparisons() + " entries");
    }

    @ParameterizedTest
    @ValueSource(strings = {"actnorm", "coupling", "realnvp", "maf", "iaf", "planar", "composition"})
    void logProbGradientsWithRespectToInputAndParameters(String kind) {
        Rng rng = new Rng(kind.hashCode());
        Flow f = flow(kind, rng);
        TransformedDistribution p = Flows.distribution(f);
        check(f, p::logProb, rng.normal(F64, 2, D));
    }

    @ParameterizedTest
    @ValueSource(strings = {"realnvp", "maf", "iaf"})
    void forwardLogDetGradientsThroughTheSamplingDirection(String kind) {
        Rng rng = new Rng(kind.hashCode() + 1);
        Flow f = flow(kind, rng);
        // log p(f(u)) along the forward pass: log N(u) - log|det ∂f/∂u|, and the sample value itself
        check(f, u -> new elbo.nn.dist.StandardNormal(D, F64).logProb(u).sub(f.forward(u).logDetJ()), rng.normal(F64, 2, D));
        check(f, u -> f.forward(u).value(), rng.normal(F64, 2, D));
    }
}
