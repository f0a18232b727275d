package elbo.models.vae;

import elbo.core.CustomOp;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.VaeConfig.PosteriorKind;
import elbo.models.vae.VaeConfig.PriorKind;
import elbo.models.vae.decoder.PixelCnnDecoder;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.prior.FlowPrior;
import elbo.models.vae.prior.MixturePrior;
import elbo.models.vae.prior.VampPrior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static elbo.models.vae.VaeTesting.assertLogVarsInsideClamp;
import static elbo.models.vae.VaeTesting.binaryData;
import static elbo.models.vae.VaeTesting.build;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 gradient checks ({@link GradCheck}, central differences, every entry compared) of every VAE
 * objective with the reparameterisation estimator, with respect to every parameter of the VAE (encoder,
 * IAF steps, decoder, mixture logits / means / log-variances, VampPrior pseudo-inputs, flow-prior layers):
 * the ELBO with analytic KL (Gaussian posterior, standard prior) and Monte Carlo KL (every other pair), the
 * β-ELBO, free bits (one group; and per dimension with some dimensions above λ and some below) and the
 * IWAE, for every posterior × prior, and with the PixelCNN decoder. The loss is made a deterministic
 * function of the parameters by drawing the posterior's noise from a fresh {@code new Rng(seed)} on every
 * evaluation. Parameters are random ({@link VaeTesting#randomize}), so no gradient is zero by construction,
 * and every check first asserts that each parameter tensor receives a non-zero gradient (all but the prior's
 * own parameters when free bits hold the KL term constant, and those exactly zero). The priors are all of
 * {@link PriorKind}: standard, mixture of Gaussians, VampPrior, RealNVP, MAF and IAF.
 */
class VaeGradCheckTest {
    /** Central differences with eps 1e-6; every entry compared (full-Jacobian mode up to 4096 elements). */
    private static final GradCheck.Options OPTIONS = new GradCheck.Options(1e-6, 1e-6, 1e-5, 4096, 8, 7L);
    private static final int B = 3;
    private static final int D = 2;
    private static final long NOISE_SEED = 99L;

    /** The objectives checked on every posterior × prior. */
    enum ObjectiveKind { ELBO, BETA_ELBO, FREE_BITS, IWAE }

    static Stream<Arguments> everyObjectivePosteriorAndPrior() {
        return Arrays.stream(ObjectiveKind.values()).flatMap(o -> Arrays.stream(PosteriorKind.values())
                .flatMap(q -> Arrays.stream(PriorKind.values()).map(p -> Arguments.of(o, q, p))));
    }

    @ParameterizedTest(name = "{0}, {1} posterior, {2} prior")
    @MethodSource("everyObjectivePosteriorAndPrior")
    void reparameterisedGradientOfEveryObjective(ObjectiveKind kind, PosteriorKind posterior, PriorKind prior) {
        long seed = 1000L + 100L * kind.ordinal() + 10L * posterior.ordinal() + prior.ordinal();
        Vae vae = build(VaeTesting.tiny(posterior, prior, D), seed);
        assertPartsAre(vae, posterior, prior);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(seed + 1));
        Objective objective = switch (kind) {
            case ELBO -> Elbo.standard();
            case BETA_ELBO -> new Elbo(2, new BetaSchedule.Constant(0.3), FreeBits.NONE, new Reparameterised());
            case FREE_BITS -> new Elbo(1, new BetaSchedule.Constant(1.0), oneGroupFreeBits(vae, x), new Reparameterised());
            case IWAE -> new Iwae(3, new Reparameterised());
        };
        if (objective instanceof Elbo) {
            // The analytic KL is used exactly for the Gaussian posterior with the standard prior; the Monte
            // Carlo KL everywhere else: both branches are covered by this cross product.
            Loss loss = vae.loss(x, objective, new Rng(NOISE_SEED), 0.0);
            boolean analytic = posterior == PosteriorKind.GAUSSIAN && prior == PriorKind.STANDARD;
            assertEquals(analytic, loss.klPerDimension() != null, "analytic KL (a KL per dimension) expected exactly "
                    + "for the Gaussian posterior and the standard prior");
        }
        // Free bits with λ above the KL make the KL term a constant: then, and only then, the prior's own
        // parameters (not the encoder a VampPrior shares) receive no gradient at all.
        boolean klInactive = objective instanceof Elbo e && e.freeBits().lambda() > 0
                && e.freeBits().lambda() > vae.loss(x, Elbo.standard(), new Rng(NOISE_SEED), 0.0).meanKl();
        checkEveryParameter(kind + ", " + posterior + " posterior, " + prior + " prior", vae, x, objective, 0.0,
                klInactive ? priorOwnParameters(vae) : List.of());
    }

    /** The names of the prior's parameters that are not the encoder's. */
    private static List<String> priorOwnParameters(Vae vae) {
        List<Tensor> encoder = vae.posterior().parameters();
        List<Tensor> prior = vae.prior().parameters();
        List<String> names = new java.util.ArrayList<>();
        vae.namedParameters().forEach((name, p) -> {
            if (prior.stream().anyMatch(t -> t == p) && encoder.stream().noneMatch(t -> t == p)) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * Free bits of one group whose λ is 0.25 nats away from the batch's KL: below it when the KL is large
     * enough (the KL branch of the max is the live one), else above it (the KL passes no gradient).
     */
    private static FreeBits oneGroupFreeBits(Vae vae, Tensor x) {
        double kl = vae.loss(x, Elbo.standard(), new Rng(NOISE_SEED), 0.0).meanKl();
        double lambda = kl > 0.35 ? kl - 0.25 : Math.max(kl, 0.0) + 0.25;
        assertTrue(Math.abs(lambda - kl) >= 0.25 - 1e-12, "λ must be away from the kink of max(λ, KL)");
        return new FreeBits(lambda, 0);
    }

    @Test
    void freeBitsPerDimensionWithSomeDimensionsAboveAndSomeBelowLambda() {
        int d = 3;
        Vae vae = build(VaeTesting.tiny(PosteriorKind.GAUSSIAN, PriorKind.STANDARD, d), 31L);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(32L));
        Tensor klPerDim = vae.loss(x, Elbo.standard(), new Rng(NOISE_SEED), 0.0).klPerDimension();     // [D]
        double[] sorted = klPerDim.toDoubleArray();
        Arrays.sort(sorted);
        double lambda = 0.5 * (sorted[0] + sorted[1]);                     // one dimension below, two above
        double margin = Double.POSITIVE_INFINITY;
        int below = 0;
        for (int i = 0; i < d; i++) {
            margin = Math.min(margin, Math.abs(klPerDim.getFlat(i) - lambda));
            below += klPerDim.getFlat(i) < lambda ? 1 : 0;
        }
        assertEquals(1, below, "one dimension below λ, the others above: " + klPerDim + " vs λ " + lambda);
        assertTrue(margin > 1e-3, "test setup: λ = " + lambda + " is within " + margin + " of a dimension's KL "
                + klPerDim + "; finite differences would straddle the kink of max(λ, KL_d)");
        Elbo objective = new Elbo(1, new BetaSchedule.Constant(1.0), FreeBits.perDimension(lambda),
                new Reparameterised());
        checkEveryParameter("free bits per dimension, λ = " + lambda, vae, x, objective);
    }

    @Test
    void betaElboWithAWarmupScheduleAtAFractionalEpoch() {
        Vae vae = build(VaeTesting.tiny(PosteriorKind.IAF, PriorKind.MOG, D), 41L);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(42L));
        Elbo objective = new Elbo(1, new BetaSchedule.LinearWarmup(4.0), FreeBits.NONE, new Reparameterised());
        assertEquals(0.625, vae.loss(x, objective, new Rng(NOISE_SEED), 2.5).beta(), 1e-15, "β at epoch 2.5 of 4");
        checkEveryParameter("β-ELBO (linear warm-up) at epoch 2.5", vae, x, objective, 2.5, List.of());
    }

    static Stream<Arguments> pixelCnnCases() {
        return Stream.of(
                Arguments.of("ELBO", PosteriorKind.GAUSSIAN, PriorKind.STANDARD),
                Arguments.of("IWAE", PosteriorKind.GAUSSIAN, PriorKind.STANDARD),
                Arguments.of("ELBO", PosteriorKind.IAF, PriorKind.MOG),
                Arguments.of("IWAE", PosteriorKind.IAF, PriorKind.VAMP));
    }

    @ParameterizedTest(name = "PixelCNN decoder, {0}, {1} posterior, {2} prior")
    @MethodSource("pixelCnnCases")
    void pixelCnnDecoder(String objectiveName, PosteriorKind posterior, PriorKind prior) {
        long seed = 500L + objectiveName.length() + 10L * posterior.ordinal() + prior.ordinal();
        Vae vae = build(VaeTesting.tinyPixelCnn(posterior, prior, D), seed);
        PixelCnnDecoder decoder = assertInstanceOf(PixelCnnDecoder.class, vae.decoder());
        assertEquals(2, decoder.maskedLayers());
        Tensor x = binaryData(B, vae.dataSize(), new Rng(seed + 1));
        Objective objective = objectiveName.equals("ELBO") ? Elbo.standard() : new Iwae(3, new Reparameterised());
        checkEveryParameter("PixelCNN decoder, " + objectiveName + ", " + posterior + " posterior, " + prior + " prior",
                vae, x, objective);
    }

    /** The harness itself: a deliberately wrong gradient of one parameter must fail, naming that parameter. */
    @Test
    void harnessCatchesAWrongGradientOfOneParameter() {
        Vae vae = build(VaeTesting.tiny(PosteriorKind.GAUSSIAN, PriorKind.MOG, D), 51L);
        Tensor x = binaryData(B, vae.dataSize(), new Rng(52L));
        MixturePrior mog = (MixturePrior) vae.prior();
        Supplier<Tensor> wrong = () -> {
            Tensor loss = vae.loss(x, Elbo.standard(), new Rng(NOISE_SEED), 0.0).value();
            Tensor m = mog.means();
            // adds sum(means) but claims its gradient is 2 (instead of 1) for every mean
            Tensor extra = CustomOp.record("wrongSum", Tensor.scalar(m.sum().item(), m.dtype()),
                    dy -> new Tensor[] {Tensor.onesLike(m).mul(2.0 * dy.item())}, m);
            return loss.add(extra);
        };
        VaeTesting.ParametersAsFunction f = new VaeTesting.ParametersAsFunction(vae, wrong);
        GradCheck.Result r = GradCheck.check(OPTIONS, f, f.point());
        assertFalse(r.passed(), "a wrong gradient of prior.means must fail the check");
        assertTrue(withNames(r.failure(), f.names()).contains("prior.means"), withNames(r.failure(), f.names()));
    }

    private static void checkEveryParameter(String what, Vae vae, Tensor x, Objective objective) {
        checkEveryParameter(what, vae, x, objective, 0.0, List.of());
    }

    /**
     * Checks the gradient of {@code objective}'s loss on {@code x} with respect to every parameter of
     * {@code vae}, after asserting that the encoder's log-variances are away from their clamp and that
     * every parameter tensor but those named in {@code expectedZero} receives a non-zero gradient (so the
     * check is not vacuous), and those exactly zero.
     */
    private static void checkEveryParameter(String what, Vae vae, Tensor x, Objective objective, double epoch,
            List<String> expectedZero) {
        assertLogVarsInsideClamp(vae, x);
        Supplier<Tensor> loss = () -> vae.loss(x, objective, new Rng(NOISE_SEED), epoch).value();
        Map<String, Tensor> grads = VaeTesting.gradients(vae, loss);
        assertEquals(expectedZero, VaeTesting.allZero(grads), what + ": the parameters that receive no gradient at all");
        assertTrue(vae.namedParameters().size() >= 6, what + ": too few parameters: " + vae.namedParameters().keySet());

        VaeTesting.ParametersAsFunction f = new VaeTesting.ParametersAsFunction(vae, loss);
        GradCheck.Result r = GradCheck.check(OPTIONS, f, f.point());
        assertTrue(r.passed(), () -> what + ": " + withNames(r.failure(), f.names()));
        assertEquals(vae.parameterCount(), r.comparisons(), what + ": every entry of every parameter compared");
    }

    /** The check's message with each "input j" followed by the parameter's name. */
    private static String withNames(String failure, List<String> names) {
        Matcher m = Pattern.compile("input (\\d+)").matcher(failure);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, "input $1 (" + names.get(Integer.parseInt(m.group(1))) + ")");
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The configuration built what it names (so the cross product really covers every family). */
    private static void assertPartsAre(Vae vae, PosteriorKind posterior, PriorKind prior) {
        assertEquals(posterior == PosteriorKind.IAF, vae.posterior() instanceof elbo.models.vae.posterior.IafPosterior,
                "posterior kind");
        switch (prior) {
            case STANDARD -> assertInstanceOf(elbo.models.vae.prior.StandardPrior.class, vae.prior());
            case MOG -> {
                MixturePrior mog = assertInstanceOf(MixturePrior.class, vae.prior());
                assertTrue(vae.namedParameters().containsValue(mog.logits()), "mixture logits are parameters");
                assertTrue(vae.namedParameters().containsValue(mog.means()), "mixture means are parameters");
                assertTrue(vae.namedParameters().containsValue(mog.logVars()), "mixture log-variances are parameters");
            }
            case VAMP -> {
                VampPrior vamp = assertInstanceOf(VampPrior.class, vae.prior());
                assertTrue(vae.namedParameters().containsValue(vamp.rawPseudoInputs()), "pseudo-inputs are parameters");
            }
            case REALNVP, MAF, IAF -> assertNotNull(assertInstanceOf(FlowPrior.class, vae.prior()).flow());
        }
    }
}
