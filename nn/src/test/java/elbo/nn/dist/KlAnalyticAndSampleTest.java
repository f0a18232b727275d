package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Kl#analytic} / {@link Kl#perDimension} as optionals, and {@link Distribution#rsampleWithLogProb}. */
class KlAnalyticAndSampleTest {
    private static final DType F64 = DType.FLOAT64;

    @Test
    void analyticIsPresentForKnownPairsAndSumsThePerDimensionTerms() {
        Rng rng = new Rng(1);
        Normal q = Normal.fromMeanLogVar(rng.normal(F64, 3, 4), rng.normal(F64, 3, 4).mul(0.3));
        StandardNormal p = new StandardNormal(4, F64);
        Tensor perDim = Kl.perDimension(q, p).orElseThrow();
        assertArrayEquals(new int[] {3, 4}, perDim.shape().dims());
        assertArrayEquals(Kl.divergence(q, p).toDoubleArray(), perDim.sum(-1, false).toDoubleArray(), 1e-14);
        assertArrayEquals(Kl.divergence(q, p).toDoubleArray(), Kl.analytic(q, p).orElseThrow().toDoubleArray(), 0);
        Normal r = Normal.fromMeanLogVar(rng.normal(F64, 4), rng.normal(F64, 4));
        assertArrayEquals(Kl.normalNormal(q, r).toDoubleArray(), Kl.analytic(q, r).orElseThrow().toDoubleArray(), 0);
    }

    @Test
    void analyticIsEmptyWhereThereIsNoClosedForm() {
        Rng rng = new Rng(2);
        MixtureOfGaussians mog = new MixtureOfGaussians(Tensor.zeros(F64, 2), rng.normal(F64, 2, 3),
                Tensor.zeros(F64, 2, 3));
        Normal q = Normal.fromMeanLogVar(rng.normal(F64, 3), Tensor.zeros(F64, 3));
        assertTrue(Kl.analytic(q, mog).isEmpty());
        assertTrue(Kl.perDimension(q, mog).isEmpty());
        assertThrows(NoAnalyticKlException.class, () -> Kl.divergence(q, mog));
    }

    @Test
    void rsampleWithLogProbScoresItsOwnSample() {
        Rng rng = new Rng(3);
        Normal q = Normal.fromMeanLogVar(rng.normal(F64, 2, 3), rng.normal(F64, 2, 3).mul(0.2));
        Distribution.Sample s = q.rsampleWithLogProb(new Rng(4), 5);
        assertArrayEquals(new int[] {5, 2, 3}, s.value().shape().dims());
        assertArrayEquals(q.logProb(s.value()).toDoubleArray(), s.logProb().toDoubleArray(), 0);
        assertArrayEquals(q.rsample(new Rng(4), 5).toDoubleArray(), s.value().toDoubleArray(), 0,
                "the same draws as rsample");
        assertThrows(NotReparameterizableException.class,
                () -> new Bernoulli(Tensor.zeros(F64, 3)).rsampleWithLogProb(rng, 2));
        assertEquals(5, s.logProb().dim(0));
    }
}
