package elbo.models.theory;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.Estimator;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sticking the landing (Roeder et al. 2017), the reason STL and DReG exist: when {@code q(z|x)} is the true
 * posterior, {@code log w = log p(x)} for every {@code z}, so the path derivative of the bound vanishes for
 * every draw, and STL's encoder gradient (log q under stopped parameters) is zero — not only in expectation.
 * The plain reparameterised gradient keeps the score term {@code −∇_φ log q_φ(z)}, whose expectation is zero
 * but whose draws are not. With a one-dimensional latent space a diagonal Gaussian encoder can be the
 * posterior of a linear-Gaussian model exactly ({@link LinearGaussian#posteriorEncoderWeight}). Tolerance:
 * 1e-9 (float64 rounding of gradients of order 1).
 */
class StickingTheLandingProperties {

    /** The linear-Gaussian model with D = 1 and its exact posterior as the encoder. */
    private static Vae exactPosteriorVae(long seed) {
        LinearGaussian model = LinearGaussian.random(new Rng(seed), 3, 1, 1.0, 0.3, 1.0);
        double[][] a = model.posteriorEncoderWeight();
        double[] c = LinearGaussian.offsetFor(a, model.b(), new double[] {0.0});   // m(x) = A(x − b)
        double[] logVar = {Math.log(model.posteriorCovariance()[0][0])};
        return model.vae(a, c, logVar);
    }

    /** The largest |∂loss/∂φ| over the encoder's parameters after one backward pass of {@code objective}. */
    private static double encoderGradient(Vae vae, Objective objective, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = rng.normal(elbo.core.DType.FLOAT64, 4, 3);
        vae.zeroGrad();
        vae.loss(x, objective, rng, 0).value().backward();
        double max = 0;
        for (Tensor p : vae.posterior().parameters()) {
            if (p.grad() != null) {
                for (double g : p.grad().toDoubleArray()) {
                    max = Math.max(max, Math.abs(g));
                }
            }
        }
        return max;
    }

    private static Objective elbo(Estimator e, int k) {
        return new Elbo(k, new BetaSchedule.Constant(1.0), FreeBits.NONE, e);
    }

    @Property(tries = 30, seed = "71")
    void stlEncoderGradientIsZeroForEveryDrawAtThePosterior(@ForAll @LongRange(min = 1, max = 1_000_000) long model,
                                                           @ForAll @IntRange(min = 1, max = 8) int k) {
        Vae vae = exactPosteriorVae(model);
        double elboGrad = encoderGradient(vae, elbo(new StickingTheLanding(), k), model + 1);
        double iwaeGrad = encoderGradient(vae, new Iwae(k, new StickingTheLanding()), model + 2);
        assertTrue(elboGrad <= 1e-9, "STL ELBO encoder gradient " + elboGrad);
        assertTrue(iwaeGrad <= 1e-9, "STL IWAE encoder gradient " + iwaeGrad);
    }

    /** Mutation: the score term kept (the plain reparameterised gradient) is not zero draw by draw. */
    @Test
    void mutant_stlWithTheScoreTermKept_isNotZero() {
        double worst = Double.POSITIVE_INFINITY;
        for (long seed = 1; seed <= 20; seed++) {
            Vae vae = exactPosteriorVae(seed);
            worst = Math.min(worst, encoderGradient(vae, elbo(new Reparameterised(), 1), seed + 1));
        }
        assertTrue(worst > 1e-3, "the score term should make the gradient nonzero; smallest max |g| " + worst);
    }
}
