package elbo.models.vae;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.Estimator;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import elbo.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known answers on the linear-Gaussian model ({@link LinearGaussianModel}), where {@code log p(x)} and the
 * posterior are analytic: the lecture's "log p(x) = ELBO + KL(q ‖ p(z|x))" at KL = 0, Burda et al.'s
 * consistency of {@code L_K}, and the unbiasedness of DReG.
 */
class LinearGaussianKnownAnswersTest {
    private final LinearGaussianModel model = new LinearGaussianModel();

    @Test
    void withTheTruePosteriorEveryLogWeightIsTheEvidence() {
        Vae vae = model.vae(0.0, 0.0);
        Tensor x = model.data(4, 11);
        for (int k : new int[] {1, 5, 50}) {
            Loss loss = vae.loss(x, new Iwae(k, new Reparameterised()), new Rng(k), 0.0);
            for (int b = 0; b < 4; b++) {
                double evidence = model.logEvidence(LinearGaussianModel.row(x, b));
                for (int j = 0; j < k; j++) {
                    assertEquals(evidence, loss.logWeights().getFlat(j * 4 + b), 1e-12,
                            "log w of draw " + j + ", image " + b + ", K=" + k);
                }
                assertEquals(evidence, loss.bound().getFlat(b), 1e-12, "L_" + k + " of image " + b);
                double elbo = loss.logWeights().narrow(1, b, 1).mean().item();
                assertEquals(evidence, elbo, 1e-12, "the Monte Carlo ELBO of image " + b);
            }
        }
    }

    @Test
    void withTheTruePosteriorStlAndDregEncoderGradientsVanishForEveryDraw() {
        Vae vae = model.vae(0.0, 0.0);
        Tensor x = model.data(4, 12);
        for (Estimator estimator : List.of(new StickingTheLanding(), new DoublyReparameterised())) {
            for (long seed = 0; seed < 5; seed++) {
                double[] g = encoderGradient(vae, x, new Iwae(5, estimator), seed);
                for (int i = 0; i < g.length; i++) {
                    assertEquals(0.0, g[i], 1e-12, estimator + ", draw " + seed + ", encoder coordinate " + i);
                }
            }
        }
        // The reparameterised gradient keeps the score term, which is not zero draw by draw.
        double largest = 0;
        for (double v : encoderGradient(vae, x, new Iwae(5, new Reparameterised()), 0)) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 1e-3, "the reparameterised estimate should not vanish draw by draw, max " + largest);
    }

    @Test
    void aWiderPosteriorGivesTheEvidenceWithinThreeStandardErrorsAtK5000() {
        Vae vae = model.vae(0.3, 0.7);                    // shifted mean, wider than the posterior
        Tensor x = model.data(8, 13);
        ImportanceSampling.Result r = ImportanceSampling.estimate(vae, x, 5000, new int[] {1, 5000}, new Rng(5));
        for (int b = 0; b < 8; b++) {
            double evidence = model.logEvidence(LinearGaussianModel.row(x, b));
            double se = r.logLikelihoodSe()[b];
            assertTrue(se > 0 && se < 0.05, "standard error of image " + b + ": " + se);
            assertEquals(evidence, r.logLikelihood()[b], 3 * se, "log p(x) of image " + b + " (SE " + se + ")");
        }
        double elbo = r.ladder()[0];
        assertTrue(elbo < r.mean() - 0.05, "L_1 " + elbo + " should lie clearly below L_5000 " + r.mean());
    }

    @Test
    void dregIsUnbiasedItsMeanIsTheReparameterisedIwaeGradient() {
        Vae vae = model.vae(0.4, -0.5);                   // a poorer, narrower q: gradients far from zero
        Tensor x = model.data(1, 14);
        int draws = 3000;
        List<double[]> dreg = new ArrayList<>();
        List<double[]> reparam = new ArrayList<>();
        for (int s = 0; s < draws; s++) {
            dreg.add(encoderGradient(vae, x, new Iwae(5, new DoublyReparameterised()), 2L * s));
            reparam.add(encoderGradient(vae, x, new Iwae(5, new Reparameterised()), 2L * s + 1));
        }
        int coordinates = dreg.get(0).length;
        int compared = 0;
        for (int i = 0; i < coordinates; i++) {
            double[] md = meanAndSe(dreg, i);
            double[] mr = meanAndSe(reparam, i);
            double se = Math.hypot(md[1], mr[1]);
            if (se == 0) {
                continue;                                 // a coordinate no estimator moves (e.g. log-var weights at 0·x)
            }
            compared++;
            assertEquals(mr[0], md[0], 4 * se, "encoder coordinate " + i + ": DReG mean " + md[0] + " vs reparam "
                    + mr[0] + " (SE " + se + ")");
        }
        assertTrue(compared >= 4, "too few encoder coordinates compared: " + compared);
    }

    /** The gradient of the loss with respect to the encoder's parameters, flattened. */
    private static double[] encoderGradient(Vae vae, Tensor x, Iwae objective, long seed) {
        vae.zeroGrad();
        vae.loss(x, objective, new Rng(seed), 0.0).value().backward();
        return flatGrad(vae.posterior());
    }

    static double[] flatGrad(Module m) {
        List<Double> out = new ArrayList<>();
        for (Tensor p : m.parameters()) {
            for (int i = 0; i < p.numel(); i++) {
                out.add(p.grad() == null ? 0.0 : p.grad().getFlat(i));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] meanAndSe(List<double[]> samples, int i) {
        double s = 0;
        double ss = 0;
        for (double[] v : samples) {
            s += v[i];
            ss += v[i] * v[i];
        }
        int n = samples.size();
        double mean = s / n;
        double var = Math.max(0, (ss - n * mean * mean) / (n - 1));
        return new double[] {mean, Math.sqrt(var / n)};
    }
}
