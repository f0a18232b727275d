package elbo.models.vae;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.decoder.BernoulliDecoder;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.prior.MixturePrior;
import elbo.models.vae.prior.StandardPrior;
import elbo.models.vae.prior.VampPrior;
import elbo.nn.dist.Kl;
import elbo.nn.dist.Normal;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Priors and objectives against their definitions: KL forms, degenerate mixtures, free bits and β. */
class PriorsAndObjectivesTest {
    private static final DType F64 = DType.FLOAT64;
    private static final int X = 6;
    private static final int D = 4;

    private static GaussianPosterior encoder(long seed) {
        return GaussianPosterior.mlp(Networks.Net.TANH, X, 5, 1, D, F64, new Rng(seed));
    }

    private static Vae vae(long seed) {
        Rng rng = new Rng(seed);
        return new Vae(encoder(seed), BernoulliDecoder.mlp(Networks.Net.TANH, D, 5, 1, X, F64, rng),
                new StandardPrior(D, F64));
    }

    private static Tensor images(int n, long seed) {
        return new Rng(seed).bernoulli(Tensor.full(F64, 0.4, n, X));
    }

    @Test
    void analyticAndMonteCarloKlAgreeWithinTheirStandardError() {
        Vae vae = vae(1);
        Tensor x = images(3, 2);
        int k = 20000;
        Particles p = Particles.draw(vae, x, k, new Reparameterised(), new Rng(3));
        Tensor analytic = Kl.analytic(p.q(), p.prior()).orElseThrow();
        Tensor terms = p.logQz().sub(p.logPz());                            // [K, B]
        for (int b = 0; b < 3; b++) {
            double s = 0;
            double ss = 0;
            for (int j = 0; j < k; j++) {
                double t = terms.getFlat(j * 3 + b);
                s += t;
                ss += t * t;
            }
            double mean = s / k;
            double se = Math.sqrt((ss / k - mean * mean) / k);
            assertEquals(analytic.getFlat(b), mean, 4 * se, "KL of image " + b + " (SE " + se + ")");
        }
    }

    @Test
    void aVampPriorWithOnePseudoInputIsThePosteriorAtIt() {
        GaussianPosterior q = encoder(4);
        Tensor u = new Rng(5).uniform(F64, 1, X);
        VampPrior prior = new VampPrior(q, u);
        Tensor z = new Rng(6).normal(F64, 7, 3, D);
        Tensor expected = q.q(u).logProb(z);
        Tensor actual = prior.p().logProb(z);
        for (int i = 0; i < expected.numel(); i++) {
            assertEquals(expected.getFlat(i), actual.getFlat(i), 1e-12, "log p(z) at " + i);
        }
    }

    @Test
    void vampPriorPseudoInputsAreClampedToTheDataRangeAndTheEncoderIsListedOnce() {
        GaussianPosterior q = encoder(4);
        VampPrior prior = new VampPrior(q, Tensor.of(new double[] {-1, 0.5, 2, 0.2, 0.9, 1.5}, 1, X));
        assertEquals("[0.0, 0.5, 1.0, 0.2, 0.9, 1.0]",
                java.util.Arrays.toString(prior.pseudoInputs().toDoubleArray()));
        Vae vae = new Vae(q, BernoulliDecoder.mlp(Networks.Net.TANH, D, 5, 1, X, F64, new Rng(1)), prior);
        long encoderEntries = vae.namedParameters().keySet().stream().filter(n -> n.contains("mean.weight")).count();
        assertEquals(1, encoderEntries, "the shared encoder must be listed once: " + vae.namedParameters().keySet());
        assertTrue(vae.namedParameters().containsKey("prior.pseudoInputs"));
    }

    @Test
    void aMixturePriorWithOneComponentIsItsGaussian() {
        MixturePrior prior = new MixturePrior(1, D, F64, new Rng(7));
        Normal gaussian = Normal.fromMeanLogVar(prior.means().squeeze(0), prior.logVars().squeeze(0));
        Tensor z = new Rng(8).normal(F64, 5, D);
        Tensor expected = gaussian.logProb(z);
        Tensor actual = prior.p().logProb(z);
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.getFlat(i), actual.getFlat(i), 1e-12);
        }
    }

    @Test
    void freeBitsPassNoKlGradientBelowLambdaAndTheFullGradientAbove() {
        Vae vae = vae(9);
        Tensor x = images(8, 10);
        Tensor klPerDim = Kl.perDimension(vae.posterior().q(x), vae.prior().p()).orElseThrow().mean(0, false);
        double[] kl = klPerDim.toDoubleArray();
        double[] sorted = kl.clone();
        java.util.Arrays.sort(sorted);
        double lambda = 0.5 * (sorted[1] + sorted[2]);                    // two dimensions below, two above
        Elbo plain = new Elbo(1, new BetaSchedule.Constant(1), FreeBits.NONE, new Reparameterised());
        Elbo free = new Elbo(1, new BetaSchedule.Constant(1), FreeBits.perDimension(lambda), new Reparameterised());
        double[] gPlain = meanHeadBiasGradient(vae, x, plain);
        double[] gFree = meanHeadBiasGradient(vae, x, free);
        double[] gRecon = meanHeadBiasGradient(vae, x, new Elbo(1, new BetaSchedule.Constant(0), FreeBits.NONE,
                new Reparameterised()));
        for (int d = 0; d < D; d++) {
            if (kl[d] < lambda) {
                assertEquals(gRecon[d], gFree[d], 1e-12, "dimension " + d + " (KL " + kl[d] + " < λ " + lambda
                        + ") must get no gradient from its KL");
                assertNotEquals(gPlain[d], gFree[d], 1e-9, "dimension " + d + ": the plain KL does push it");
            } else {
                assertEquals(gPlain[d], gFree[d], 1e-12, "dimension " + d + " (KL " + kl[d] + " ≥ λ) gets the full gradient");
            }
        }
        // One group of all dimensions: KL above λ gives the plain gradient, below λ only the reconstruction's.
        double total = java.util.Arrays.stream(kl).sum();
        assertArrayClose(gPlain, meanHeadBiasGradient(vae, x, new Elbo(1, new BetaSchedule.Constant(1),
                new FreeBits(0.5 * total, 0), new Reparameterised())));
        assertArrayClose(gRecon, meanHeadBiasGradient(vae, x, new Elbo(1, new BetaSchedule.Constant(1),
                new FreeBits(2 * total, 0), new Reparameterised())));
        assertThrows(elbo.core.ShapeException.class, () -> vae.loss(x, new Elbo(1, new BetaSchedule.Constant(1),
                new FreeBits(0.1, 3), new Reparameterised()), new Rng(0), 0));
    }

    @Test
    void betaIsAppliedToTheKlAndBetaZeroLeavesTheKlWithoutGradient() {
        Vae vae = vae(11);
        Tensor x = images(5, 12);
        double[] g0 = meanHeadBiasGradient(vae, x, withBeta(0));
        double[] g1 = meanHeadBiasGradient(vae, x, withBeta(1));
        double[] g3 = meanHeadBiasGradient(vae, x, withBeta(3));
        // The reconstruction's gradient alone, from the same draw.
        vae.zeroGrad();
        Particles p = Particles.draw(vae, x, 1, new Reparameterised(), new Rng(0));
        p.logPxGivenZ().mean().neg().backward();
        double[] recon = ((GaussianPosterior) vae.posterior()).meanHead().bias().grad().toDoubleArray();
        assertArrayClose(recon, g0);
        for (int d = 0; d < D; d++) {
            double klGradient = g1[d] - g0[d];
            assertTrue(Math.abs(klGradient) > 1e-6, "the KL must push dimension " + d);
            assertEquals(g0[d] + 3 * klGradient, g3[d], 1e-12, "β = 3 triples the KL's gradient in dimension " + d);
        }
        assertEquals(0.25, new BetaSchedule.LinearWarmup(4).at(1.0), 0);
        assertEquals(1.0, new BetaSchedule.LinearWarmup(4).at(9.0), 0);
        assertEquals(0.5, new BetaSchedule.Sigmoid(3, 1).at(3.0), 1e-15);
        assertEquals(0.5, new BetaSchedule.Cyclical(4, 0.5).at(5.0), 1e-15);
        assertEquals(1.0, new BetaSchedule.Cyclical(4, 0.5).at(7.0), 1e-15);
        assertEquals(0.0, new BetaSchedule.Cyclical(4, 0.5).at(8.0), 1e-15);
    }

    private static Elbo withBeta(double beta) {
        return new Elbo(1, new BetaSchedule.Constant(beta), FreeBits.NONE, new Reparameterised());
    }

    private static double[] meanHeadBiasGradient(Vae vae, Tensor x, Elbo objective) {
        vae.zeroGrad();
        vae.loss(x, objective, new Rng(0), 0.0).value().backward();
        return ((GaussianPosterior) vae.posterior()).meanHead().bias().grad().toDoubleArray();
    }

    private static void assertArrayClose(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12, "coordinate " + i);
        }
    }
}
