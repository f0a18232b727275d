package elbo.models.theory;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property 3 of issue 21, the ELBO identity {@code log p(x) = L(q) + KL(q(z|x) ‖ p(z|x))}, on random
 * linear-Gaussian models ({@link LinearGaussian}, general W) with a random diagonal q (any width: the identity
 * holds for every q). log p(x) is analytic (Cholesky), the KL between the diagonal q and the full-covariance
 * posterior is closed form, L(q) is estimated two ways through the library: the {@link Elbo} objective's
 * bound (analytic KL to the prior, Monte Carlo reconstruction) over N = 200 replicates × 50 draws, and the
 * plain mean of log w from {@link Particles#draw} over 20 000 draws. Tolerance: 4 standard errors of the
 * Monte Carlo mean (+ 1e-9 for rounding). And with q = the posterior (orthogonal-column W so the posterior
 * is diagonal), every single log w equals log p(x) to rounding: |log w − log p(x)| ≤ 1e-9 (1 + |log p(x)|).
 */
class ElboIdentityProperties {
    static final double Z = 4.0;

    record Case(long seed, LinearGaussian model, double[] x, double[] qMean, double[] qVar, double[][] a) {
        Vae vae() {
            double[] logVar = new double[qVar.length];
            for (int d = 0; d < logVar.length; d++) {
                logVar[d] = Math.log(qVar[d]);
            }
            return model.vae(a, LinearGaussian.offsetFor(a, x, qMean), logVar);
        }

        @Override
        public String toString() {
            return "Case[seed=" + seed + ", σ²=" + model.sigma2() + "]";
        }
    }

    /** W ~ N(0,1) (general), σ² ~ U[0.3,1], x ~ p(x), q variance v_d = f_d λ_max(S), f_d ~ U[0.3, 2], q mean m(x) + N(0, v_d). */
    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.longs().between(1, 1_000_000).map(seed -> {
            Rng rng = new Rng(seed);
            LinearGaussian model = LinearGaussian.random(rng, 3, 2, 1.0, 0.3, 1.0);
            double[] x = model.sample(rng);
            double[] ev = model.posteriorCovarianceEigenvalues();
            double[] m = model.posteriorMean(x);
            double[] v = new double[2];
            double[] mu = new double[2];
            double[][] a = new double[2][3];
            for (int d = 0; d < 2; d++) {
                v[d] = ev[1] * (0.3 + 1.7 * rng.nextDouble());
                mu[d] = m[d] + Math.sqrt(v[d]) * rng.nextGaussian();
                for (int i = 0; i < 3; i++) {
                    a[d][i] = 0.3 * rng.nextGaussian();
                }
            }
            return new Case(seed, model, x, mu, v, a);
        });
    }

    /** x replicated n times. */
    static Tensor replicated(double[] x, int n) {
        double[] data = new double[n * x.length];
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, 0, data, r * x.length, x.length);
        }
        return Tensor.of(data, n, x.length);
    }

    /** Mean and standard error. */
    static double[] meanAndSe(double[] v) {
        double m = 0;
        for (double a : v) {
            m += a / v.length;
        }
        double ss = 0;
        for (double a : v) {
            ss += (a - m) * (a - m);
        }
        return new double[] {m, Math.sqrt(ss / (v.length - 1) / v.length)};
    }

    /** The identity check: |L̂ + KL − log p(x)| ≤ Z se + 1e-9. */
    static boolean identityHolds(double elbo, double se, double kl, double logPx) {
        return Math.abs(elbo + kl - logPx) <= Z * se + 1e-9;
    }

    /** L(q) via the library's Elbo objective: [mean, se] over 200 replicates of a 50-draw ELBO. */
    static double[] elboByObjective(Case c, Rng rng) {
        Elbo elbo = new Elbo(50, new BetaSchedule.Constant(1.0), FreeBits.NONE, new Reparameterised());
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return meanAndSe(c.vae().loss(replicated(c.x(), 200), elbo, rng, 0).bound().toDoubleArray());
        }
    }

    /** L(q) as the mean of 20 000 log w. */
    static double[] elboByLogWeights(Case c, Rng rng) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return meanAndSe(Particles.draw(c.vae(), replicated(c.x(), 1), 20_000, new Reparameterised(), rng)
                    .logW().toDoubleArray());
        }
    }

    @Property(tries = 20, seed = "42")
    void logEvidenceIsElboPlusKlToThePosterior(@ForAll("cases") Case c) {
        double logPx = c.model().logEvidence(c.x());
        double kl = c.model().klToPosterior(c.x(), c.qMean(), c.qVar());
        assertTrue(kl > 0, c + ": KL(q ‖ p(z|x)) = " + kl);
        double[] byObjective = elboByObjective(c, new Rng(c.seed() + 1));
        double[] byLogW = elboByLogWeights(c, new Rng(c.seed() + 2));
        assertTrue(identityHolds(byObjective[0], byObjective[1], kl, logPx), c + ": Elbo objective " + byObjective[0]
                + " ± " + byObjective[1] + " + KL " + kl + " ≠ log p(x) " + logPx);
        assertTrue(identityHolds(byLogW[0], byLogW[1], kl, logPx), c + ": mean log w " + byLogW[0] + " ± " + byLogW[1]
                + " + KL " + kl + " ≠ log p(x) " + logPx);
    }

    /** A model with orthogonal columns (W = Q diag(c), Q from Gram–Schmidt), so S is diagonal. */
    static LinearGaussian orthogonalModel(Rng rng) {
        int xDim = 3;
        int dDim = 2;
        double[][] q = new double[xDim][dDim];
        double[][] unit = new double[xDim][dDim];
        for (int d = 0; d < dDim; d++) {
            double[] col = new double[xDim];
            for (int i = 0; i < xDim; i++) {
                col[i] = rng.nextGaussian();
            }
            for (int e = 0; e < d; e++) {
                double p = 0;
                for (int i = 0; i < xDim; i++) {
                    p += col[i] * unit[i][e];
                }
                for (int i = 0; i < xDim; i++) {
                    col[i] -= p * unit[i][e];
                }
            }
            double norm = 0;
            for (double v : col) {
                norm += v * v;
            }
            double scale = (0.5 + 1.5 * rng.nextDouble()) / Math.sqrt(norm);
            for (int i = 0; i < xDim; i++) {
                unit[i][d] = col[i] / Math.sqrt(norm);
                q[i][d] = col[i] * scale;
            }
        }
        double[] b = new double[xDim];
        for (int i = 0; i < xDim; i++) {
            b[i] = rng.nextGaussian();
        }
        return new LinearGaussian(q, b, 0.3 + 0.7 * rng.nextDouble());
    }

    /** The worst |log w − log p(x)| / (1 + |log p(x)|) over 1000 draws of the exact-posterior encoder. */
    static double exactPosteriorResidual(LinearGaussian model, double[] x, ToDoubleFunction<double[]> logEvidence,
            Rng rng) {
        double[][] s = model.posteriorCovariance();
        assertEquals(0.0, s[0][1], 1e-12, "orthogonal columns: S is diagonal");
        double[][] a = model.posteriorEncoderWeight();
        double[] m = model.posteriorMean(x);
        Vae vae = model.vae(a, LinearGaussian.offsetFor(a, x, m), new double[] {Math.log(s[0][0]), Math.log(s[1][1])});
        double logPx = logEvidence.applyAsDouble(x);
        double worst = 0;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (double lw : Particles.draw(vae, replicated(x, 1), 1000, new Reparameterised(), rng).logW()
                    .toDoubleArray()) {
                worst = Math.max(worst, Math.abs(lw - logPx) / (1 + Math.abs(logPx)));
            }
        }
        return worst;
    }

    @Property(tries = 20, seed = "42")
    void everyLogWeightIsTheEvidenceWhenQIsThePosterior(@ForAll("seeds") long seed) {
        Rng rng = new Rng(seed);
        LinearGaussian model = orthogonalModel(rng);
        double[] x = model.sample(rng);
        double[] m = model.posteriorMean(x);
        double[][] s = model.posteriorCovariance();
        assertEquals(0.0, model.klToPosterior(x, m, new double[] {s[0][0], s[1][1]}), 1e-12, "KL(p(z|x) ‖ p(z|x))");
        double residual = exactPosteriorResidual(model, x, model::logEvidence, rng);
        assertTrue(residual <= 1e-9, "seed " + seed + ": max |log w − log p(x)|/(1+|log p(x)|) = " + residual);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs().between(1, 1_000_000);
    }

    // ---- mutation evidence ----

    /** log p(x) without its normalising constant −(X/2) log 2π: the same two checks must fail. */
    @Test
    void mutationEvidenceWithoutNormalisingConstantFailsTheIdentity() {
        Rng rng = new Rng(5);
        LinearGaussian model = LinearGaussian.random(rng, 3, 2, 1.0, 0.3, 1.0);
        double[] x = model.sample(rng);
        ToDoubleFunction<double[]> wrong = xx -> model.logEvidence(xx) + 1.5 * Math.log(2 * Math.PI);
        double[] ev = model.posteriorCovarianceEigenvalues();
        double[] m = model.posteriorMean(x);
        Case c = new Case(5, model, x, new double[] {m[0] + 0.3, m[1] - 0.2}, new double[] {ev[1] * 1.3, ev[1] * 0.8},
                new double[2][3]);
        double kl = model.klToPosterior(x, c.qMean(), c.qVar());
        double[] elbo = elboByObjective(c, new Rng(6));
        assertTrue(identityHolds(elbo[0], elbo[1], kl, model.logEvidence(x)), "the correct log p(x) passes");
        assertFalse(identityHolds(elbo[0], elbo[1], kl, wrong.applyAsDouble(x)), "the mutant log p(x) must fail");

        Rng r2 = new Rng(7);
        LinearGaussian ortho = orthogonalModel(r2);
        double[] x2 = ortho.sample(r2);
        assertTrue(exactPosteriorResidual(ortho, x2, ortho::logEvidence, new Rng(8)) <= 1e-9, "correct passes");
        double mutant = exactPosteriorResidual(ortho, x2, xx -> ortho.logEvidence(xx) + 1.5 * Math.log(2 * Math.PI),
                new Rng(8));
        System.out.println("mutant log p(x) without −(X/2)log 2π: identity residual " + mutant);
        assertFalse(mutant <= 1e-9, "the exact-posterior check must fail for the mutant log p(x)");
    }

    /** A KL that drops the log det S term (e.g. treating the posterior as unit-covariance) breaks the identity. */
    @Test
    void mutationKlWithoutLogDetFailsTheIdentity() {
        Rng rng = new Rng(9);
        LinearGaussian model = LinearGaussian.random(rng, 3, 2, 1.0, 0.3, 1.0);
        double[] x = model.sample(rng);
        double[] ev = model.posteriorCovarianceEigenvalues();
        double[] m = model.posteriorMean(x);
        Case c = new Case(9, model, x, m, new double[] {ev[1], ev[1]}, new double[2][3]);
        double kl = model.klToPosterior(x, c.qMean(), c.qVar());
        double logDetS = Math.log(ev[0]) + Math.log(ev[1]);
        double[] elbo = elboByObjective(c, new Rng(10));
        assertTrue(identityHolds(elbo[0], elbo[1], kl, model.logEvidence(x)), "the correct KL passes");
        assertFalse(identityHolds(elbo[0], elbo[1], kl - 0.5 * logDetS, model.logEvidence(x)),
                "the KL without ½ log det S must fail (log det S = " + logDetS + ")");
    }
}
