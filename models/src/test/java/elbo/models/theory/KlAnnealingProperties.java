package elbo.models.theory;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Reparameterised;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property 8's annealing part (lecture slide 3, Bowman et al. 2016): the β of the schedule is the β applied,
 * {@code loss = −mean E_q log p(x|z) + β(t)·mean KL} exactly (to rounding, 1e-12 relative), for every
 * schedule and time; at the start of a warm-up β = 0 and the loss is the reconstruction alone. The known bug
 * this guards against: a KL weight stored (and reported) but never applied. Mutant: a loss that reports β but
 * adds the KL with weight 1 fails the same check.
 */
class KlAnnealingProperties {

    static BetaSchedule schedule(int kind, double n) {
        return switch (kind) {
            case 0 -> new BetaSchedule.Constant(n / 10);
            case 1 -> new BetaSchedule.LinearWarmup(n);
            case 2 -> new BetaSchedule.Sigmoid(n / 2, n / 10);
            default -> new BetaSchedule.Cyclical(n, 0.5);
        };
    }

    /** |value − (−rec + β·KL)| relative to the terms' size, for {@code value} computed from the loss. */
    static double residual(Loss loss, ToDoubleFunction<Loss> value, double beta) {
        double rec = loss.reconstruction().mean().item();
        double kl = loss.kl().mean().item();
        double expected = -rec + beta * kl;
        return Math.abs(value.applyAsDouble(loss) - expected) / (1 + Math.abs(rec) + Math.abs(kl));
    }

    @Property(tries = 60, seed = "88")
    void theScheduledBetaIsTheAppliedBeta(@ForAll @IntRange(min = 0, max = 3) int kind,
                                          @ForAll @DoubleRange(min = 1, max = 200) double epochs,
                                          @ForAll @DoubleRange(min = 0, max = 400) double t,
                                          @ForAll @IntRange(min = 1, max = 1000) int seed) {
        Rng rng = new Rng(seed);
        Vae vae = FreeBitsAndKlProperties.smallVae(rng);
        Tensor x = rng.normal(DType.FLOAT64, 8, 2);
        BetaSchedule schedule = schedule(kind, epochs);
        Loss loss = vae.loss(x, new Elbo(1, schedule, FreeBits.NONE, new Reparameterised()), rng, t);
        assertEquals(schedule.at(t), loss.beta(), 0.0, "reported β");
        assertTrue(residual(loss, l -> l.value().item(), loss.beta()) <= 1e-12,
                "loss ≠ −rec + β·KL at β = " + loss.beta());
    }

    @Test
    void warmUpStartsWithTheReconstructionAlone() {
        Rng rng = new Rng(3);
        Vae vae = FreeBitsAndKlProperties.smallVae(rng);
        Tensor x = rng.normal(DType.FLOAT64, 8, 2);
        Loss loss = vae.loss(x, new Elbo(1, new BetaSchedule.LinearWarmup(100), FreeBits.NONE, new Reparameterised()),
                rng, 0.0);
        assertEquals(0.0, loss.beta(), 0.0);
        assertEquals(-loss.reconstruction().mean().item(), loss.value().item(), 1e-12);
    }

    /** Mutation: a loss that reports β but applies the KL with weight 1 fails the check wherever β ≠ 1. */
    @Test
    void mutant_betaStoredButNotApplied_isCaught() {
        Rng rng = new Rng(5);
        Vae vae = FreeBitsAndKlProperties.smallVae(rng);
        Tensor x = rng.normal(DType.FLOAT64, 8, 2);
        Loss loss = vae.loss(x, new Elbo(1, new BetaSchedule.Constant(0.25), FreeBits.NONE, new Reparameterised()),
                rng, 1.0);
        ToDoubleFunction<Loss> unweighted = l -> -l.reconstruction().mean().item() + l.kl().mean().item();
        assertTrue(residual(loss, unweighted, loss.beta()) > 1e-3, "the mutant should be caught");
        assertTrue(residual(loss, l -> l.value().item(), loss.beta()) <= 1e-12, "the library passes");
    }
}
