package elbo.models.vae;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.VaeConfig.PosteriorKind;
import elbo.models.vae.VaeConfig.PriorKind;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import elbo.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static elbo.models.vae.VaeTesting.F64;
import static elbo.models.vae.VaeTesting.assertGradientsClose;
import static elbo.models.vae.VaeTesting.binaryData;
import static elbo.models.vae.VaeTesting.build;
import static elbo.models.vae.VaeTesting.gradients;
import static elbo.models.vae.VaeTesting.maxAbsDifference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The STL and DReG estimates of the IWAE gradient are not the gradient of one function, so instead of a
 * gradient check they are compared, in float64 and for fixed noise, with their formulas assembled term by
 * term. With the draws {@code z_kb = g_φ(ε_kb)} of a fixed seed,
 *
 * <pre>
 *   log w_kb = log p_θ(x_b | z_kb) + log p_λ(z_kb) − log q_⊥(z_kb | x_b),     w̃_kb = w_kb / Σ_j w_jb
 *   d_kb = ∇ log w_kb with z_kb held constant            (the direct term: decoder, prior, and the encoder
 *                                                           where a VampPrior shares it)
 *   p_kb = (∂ log w_kb / ∂z_kb)ᵀ ∂z_kb/∂(all parameters)   (the path term: encoder and IAF steps)
 *   STL  = −(1/B) Σ_b Σ_k w̃_kb (d_kb + p_kb)
 *   DReG = −(1/B) Σ_b Σ_k (w̃_kb d_kb + w̃_kb² p_kb)
 * </pre>
 *
 * {@code q_⊥} is the posterior with its parameters stopped, computed independently of the library's
 * stop-gradient machinery ({@code Distribution.detached()}, {@code Module.asConstants()}): by a second copy
 * of the VAE whose parameters have the same values but are other tensors, so no gradient of the model
 * reaches them. Each {@code d_kb} and {@code p_kb} comes from its own backward pass (the path term: one
 * backward to {@code ∂ log w_kb/∂z}, then one through {@code z = g_φ(ε)} alone), and they are summed here
 * in Java. Without a VampPrior {@code d_kb} is zero for the encoder and {@code p_kb} zero for the decoder
 * and prior, i.e. the encoder gets {@code Σ w̃² ∂log w/∂z ∂z/∂φ} and the decoder and prior
 * {@code Σ w̃ ∇ log w}.
 */
class EstimatorFormulaTest {
    private static final int B = 3;
    private static final int D = 2;
    private static final double TOL = 1e-10;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(PosteriorKind.GAUSSIAN, PriorKind.STANDARD),
                Arguments.of(PosteriorKind.GAUSSIAN, PriorKind.MOG),
                Arguments.of(PosteriorKind.GAUSSIAN, PriorKind.VAMP),
                Arguments.of(PosteriorKind.IAF, PriorKind.REALNVP),
                Arguments.of(PosteriorKind.IAF, PriorKind.VAMP));
    }

    @ParameterizedTest(name = "{0} posterior, {1} prior, K = 4")
    @MethodSource("models")
    void stlAndDregEqualTheirFormulasTermByTerm(PosteriorKind posterior, PriorKind prior) {
        int k = 4;
        long seed = 300L + 10L * posterior.ordinal() + prior.ordinal();
        VaeConfig config = VaeTesting.tiny(posterior, prior, D);
        Vae vae = build(config, seed);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(seed + 1));
        VaeTesting.assertLogVarsInsideClamp(vae, x);
        long noise = seed + 2;

        Terms t = Terms.compute(vae, frozenCopy(vae, config, seed), x, k, noise);
        Map<String, Tensor> stl = library(vae, x, new Iwae(k, new StickingTheLanding()), noise, t);
        Map<String, Tensor> dreg = library(vae, x, new Iwae(k, new DoublyReparameterised()), noise, t);
        Map<String, Tensor> reparam = library(vae, x, new Iwae(k, new Reparameterised()), noise, t);

        Map<String, Tensor> stlFormula = t.assemble(false);
        Map<String, Tensor> dregFormula = t.assemble(true);
        assertGradientsClose("STL-IWAE, K = " + k, stlFormula, stl, TOL);
        assertGradientsClose("DReG-IWAE, K = " + k, dregFormula, dreg, TOL);

        // The test can tell the estimators apart: with K = 4 the weights are far from uniform, so w̃ and w̃²
        // give different encoder gradients, and STL really drops a (non-zero) score term of the plain gradient.
        double spread = t.largestWeight() - t.smallestWeight();
        assertTrue(spread > 0.1, "test setup: normalised weights nearly uniform (spread " + spread + ")");
        List<String> encoder = encoderNames(vae);
        assertTrue(maxAbsDifference(restrict(stlFormula, encoder), restrict(dregFormula, encoder)) > 1e-4,
                "STL and DReG formulas should differ on the encoder at K = " + k);
        assertTrue(maxAbsDifference(restrict(reparam, encoder), restrict(stl, encoder)) > 1e-4,
                "the reparameterised and STL gradients should differ on the encoder (the score term)");
        List<String> generative = generativeOnlyNames(vae);
        assertGradientsClose("decoder and prior: STL = plain IWAE gradient", restrict(reparam, generative),
                restrict(stl, generative), TOL);
        assertGradientsClose("decoder and prior: DReG = plain IWAE gradient", restrict(reparam, generative),
                restrict(dreg, generative), TOL);
    }

    @ParameterizedTest(name = "{0} posterior, {1} prior, K = 1")
    @MethodSource("models")
    void withOneSampleDregIsStl(PosteriorKind posterior, PriorKind prior) {
        long seed = 400L + 10L * posterior.ordinal() + prior.ordinal();
        VaeConfig config = VaeTesting.tiny(posterior, prior, D);
        Vae vae = build(config, seed);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(seed + 1));
        long noise = seed + 2;
        Terms t = Terms.compute(vae, frozenCopy(vae, config, seed), x, 1, noise);
        Map<String, Tensor> stl = library(vae, x, new Iwae(1, new StickingTheLanding()), noise, t);
        Map<String, Tensor> dreg = library(vae, x, new Iwae(1, new DoublyReparameterised()), noise, t);
        assertGradientsClose("K = 1: DReG = STL", stl, dreg, 1e-12);
        assertGradientsClose("K = 1: STL = its formula", t.assemble(false), stl, TOL);
    }

    /** A wrong estimator (DReG weighting the path term by w̃ instead of w̃²) must not pass the comparison. */
    @Test
    void theComparisonRejectsAWrongWeighting() {
        int k = 3;
        VaeConfig config = VaeTesting.tiny(PosteriorKind.GAUSSIAN, PriorKind.STANDARD, D);
        Vae vae = build(config, 77L);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(78L));
        Terms t = Terms.compute(vae, frozenCopy(vae, config, 77L), x, k, 79L);
        Map<String, Tensor> dreg = library(vae, x, new Iwae(k, new DoublyReparameterised()), 79L, t);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertGradientsClose("DReG with w̃ (wrong)", t.assemble(false), dreg, TOL));
        assertTrue(e.getMessage().contains("posterior."), e.getMessage());
    }

    /** The library's gradient of the loss, after checking it drew the same particles as the formula. */
    private static Map<String, Tensor> library(Vae vae, Tensor x, Iwae objective, long noise, Terms t) {
        Loss loss = vae.loss(x, objective, new Rng(noise), 0.0);
        for (int k = 0; k < t.k; k++) {
            for (int b = 0; b < B; b++) {
                double lib = loss.logWeights().get(k, b);
                assertEquals(t.logW[k][b], lib, 1e-12 * (1 + Math.abs(lib)), objective.estimator()
                        + ": log w[" + k + "][" + b + "] differs from the formula's: not the same draws or densities");
            }
        }
        double bound = -Terms.logMeanExpMean(t.logW);
        assertEquals(bound, loss.value().item(), 1e-12 * (1 + Math.abs(bound)), objective.estimator()
                + ": the loss value must be −(1/B) Σ_b L_K(x_b) whatever the estimator");
        return gradients(vae, () -> vae.loss(x, objective, new Rng(noise), 0.0).value());
    }

    /** Another VAE of the same architecture with the same parameter values (other tensors). */
    private static Vae frozenCopy(Vae vae, VaeConfig config, long seed) {
        Vae copy = build(config, seed + 12345);
        copy.loadStateDict(vae.stateDict());
        return copy;
    }

    private static List<String> encoderNames(Vae vae) {
        List<Tensor> enc = vae.posterior().parameters();
        return vae.namedParameters().entrySet().stream().filter(e -> enc.stream().anyMatch(p -> p == e.getValue()))
                .map(Map.Entry::getKey).toList();
    }

    private static List<String> generativeOnlyNames(Vae vae) {
        List<String> enc = encoderNames(vae);
        return vae.namedParameters().keySet().stream().filter(n -> !enc.contains(n)).toList();
    }

    private static Map<String, Tensor> restrict(Map<String, Tensor> m, List<String> names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, m.get(n));
        }
        return out;
    }

    /** {@code log w_kb}, and the direct and path gradients of each {@code log w_kb}, each from its own backward. */
    private static final class Terms {
        final int k;
        final double[][] logW;                          // [K][B]
        final List<List<Map<String, Tensor>>> direct;   // [K][B] -> gradient by parameter
        final List<List<Map<String, Tensor>>> path;

        private Terms(int k, double[][] logW, List<List<Map<String, Tensor>>> direct,
                List<List<Map<String, Tensor>>> path) {
            this.k = k;
            this.logW = logW;
            this.direct = direct;
            this.path = path;
        }

        /** {@code z = g_φ(ε)}, {@code [K, B, D]}, from the noise of {@code new Rng(noise)}: the objectives' draw. */
        static Tensor draw(Vae vae, Tensor x, int k, long noise) {
            return vae.posterior().q(x).rsample(new Rng(noise), k);
        }

        /** {@code log w = log p(x|z) + log p(z) − log q_⊥(z|x)}, {@code [K, B]}, {@code q_⊥} from the frozen copy. */
        static Tensor logW(Vae vae, Vae frozen, Tensor x, Tensor z) {
            return vae.decoder().p(z).logProb(x).add(vae.prior().p().logProb(z)).sub(frozen.posterior().q(x).logProb(z));
        }

        static Terms compute(Vae vae, Vae frozen, Tensor x, int k, long noise) {
            double[][] lw = new double[k][B];
            Tensor values = logW(vae, frozen, x, draw(vae, x, k, noise).detach());
            for (int i = 0; i < k; i++) {
                for (int b = 0; b < B; b++) {
                    lw[i][b] = values.get(i, b);
                }
            }
            List<List<Map<String, Tensor>>> direct = new java.util.ArrayList<>();
            List<List<Map<String, Tensor>>> path = new java.util.ArrayList<>();
            for (int i = 0; i < k; i++) {
                List<Map<String, Tensor>> directRow = new java.util.ArrayList<>();
                List<Map<String, Tensor>> pathRow = new java.util.ArrayList<>();
                for (int b = 0; b < B; b++) {
                    Tensor seed = Tensor.zeros(F64, k, B);
                    seed.setFlat(i * B + b, 1.0);
                    // direct: ∇ log w_ib with z a constant
                    vae.zeroGrad();
                    logW(vae, frozen, x, draw(vae, x, k, noise).detach()).backward(seed);
                    directRow.add(collect(vae));
                    // path: ∂ log w_ib / ∂z, then back through z = g_φ(ε) alone
                    Tensor zLeaf = draw(vae, x, k, noise).detach().copy().requiresGrad(true);
                    logW(vae, frozen, x, zLeaf).backward(seed);
                    Tensor dz = zLeaf.grad().copy();
                    vae.zeroGrad();
                    draw(vae, x, k, noise).backward(dz);
                    pathRow.add(collect(vae));
                    vae.zeroGrad();
                }
                direct.add(directRow);
                path.add(pathRow);
            }
            return new Terms(k, lw, direct, path);
        }

        private static Map<String, Tensor> collect(Module m) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            m.namedParameters().forEach((name, p) -> out.put(name, p.grad() == null ? Tensor.zerosLike(p) : p.grad().copy()));
            return out;
        }

        /** {@code w̃_ib = exp(log w_ib − log Σ_j w_jb)}, in double. */
        double weight(int i, int b) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logW[j][b]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.exp(logW[j][b] - max);
            }
            return Math.exp(logW[i][b] - max) / s;
        }

        double largestWeight() {
            double m = 0;
            for (int i = 0; i < k; i++) {
                for (int b = 0; b < B; b++) {
                    m = Math.max(m, weight(i, b));
                }
            }
            return m;
        }

        double smallestWeight() {
            double m = 1;
            for (int i = 0; i < k; i++) {
                for (int b = 0; b < B; b++) {
                    m = Math.min(m, weight(i, b));
                }
            }
            return m;
        }

        /** {@code (1/B) Σ_b log (1/K) Σ_k w_kb}. */
        static double logMeanExpMean(double[][] logW) {
            int k = logW.length;
            int b = logW[0].length;
            double total = 0;
            for (int j = 0; j < b; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (double[] row : logW) {
                    max = Math.max(max, row[j]);
                }
                double s = 0;
                for (double[] row : logW) {
                    s += Math.exp(row[j] - max);
                }
                total += max + Math.log(s / k);
            }
            return total / b;
        }

        /**
         * STL: {@code −(1/B) Σ w̃ (d + p)}; DReG ({@code squaredOnPath}): {@code −(1/B) Σ (w̃ d + w̃² p)}, for
         * every parameter.
         */
        Map<String, Tensor> assemble(boolean squaredOnPath) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : direct.get(0).get(0).keySet()) {
                int n = direct.get(0).get(0).get(name).numel();
                double[] acc = new double[n];
                for (int i = 0; i < k; i++) {
                    for (int b = 0; b < B; b++) {
                        double w = weight(i, b);
                        double wPath = squaredOnPath ? w * w : w;
                        Tensor d = direct.get(i).get(b).get(name);
                        Tensor p = path.get(i).get(b).get(name);
                        for (int e = 0; e < n; e++) {
                            acc[e] -= (w * d.getFlat(e) + wPath * p.getFlat(e)) / B;
                        }
                    }
                }
                out.put(name, Tensor.wrap(acc, direct.get(0).get(0).get(name).shape()));
            }
            return out;
        }
    }
}
