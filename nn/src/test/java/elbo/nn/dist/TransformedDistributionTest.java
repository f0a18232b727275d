package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static elbo.nn.dist.Stats.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.flow.Bijector;
import elbo.nn.flow.ElementwiseAffine;
import org.junit.jupiter.api.Test;

/** y = x·e^s + b with x ~ N(0, I) is N(b, e^(2s)): the transformed density must equal that Normal's. */
class TransformedDistributionTest {
    static final double[] B = {0.5, -1.0, 2.0};
    static final double[] S = {0.3, -0.8, 0.0};

    static TransformedDistribution affineNormal(Tensor b, Tensor s) {
        return new TransformedDistribution(new StandardNormal(3, DType.FLOAT64), new ElementwiseAffine(b, s));
    }

    @Test
    void logProbEqualsTheNormalItIs() {
        Tensor y = new Rng(1).normal(DType.FLOAT64, 4, 3).mul(2.0);
        Tensor lp = affineNormal(t(B, 3), t(S, 3)).logProb(y);
        assertArrayEquals(new int[] {4}, lp.shape().dims());
        for (int i = 0; i < 4; i++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                expected += Stats.logNormal(y.getFlat(3 * i + d), B[d], Math.exp(2 * S[d]));
            }
            assertClose("log p(y)", expected, lp.getFlat(i), 1e-12);
        }
    }

    @Test
    void batchedBaseBroadcastsLikeTheOtherDistributions() {
        Normal base = Normal.fromMeanLogVar(new Rng(2).normal(DType.FLOAT64, 2, 3), Tensor.zeros(DType.FLOAT64, 2, 3));
        TransformedDistribution td = new TransformedDistribution(base, new ElementwiseAffine(t(B, 3), t(S, 3)));
        Tensor z = td.rsample(new Rng(3), 5);
        assertArrayEquals(new int[] {5, 2, 3}, z.shape().dims());
        assertArrayEquals(new int[] {5, 2}, td.logProb(z).shape().dims());
    }

    @Test
    void rsampleWithLogProbAgreesWithLogProbOfTheSample() {
        TransformedDistribution td = affineNormal(t(B, 3), t(S, 3));
        Distribution.Sample s = td.rsampleWithLogProb(new Rng(4), 6);
        Tensor viaInverse = td.logProb(s.value());
        for (int i = 0; i < 6; i++) {
            assertClose("forward vs inverse log-density", viaInverse.getFlat(i), s.logProb().getFlat(i), 1e-12);
        }
    }

    @Test
    void bijectorContract() {
        Bijector f = new ElementwiseAffine(t(B, 3), t(S, 3));
        Tensor x = new Rng(5).normal(DType.FLOAT64, 2, 4, 3);
        Bijector.Result fwd = f.forward(x);
        Bijector.Result inv = f.inverse(fwd.value());
        assertArrayEquals(new int[] {2, 4}, fwd.logDetJ().shape().dims());
        assertArrayEquals(x.toDoubleArray(), inv.value().toDoubleArray(), 1e-12);
        for (int i = 0; i < 8; i++) {
            assertClose("log-det", S[0] + S[1] + S[2], fwd.logDetJ().getFlat(i), 1e-14);
            assertClose("inverse log-det", -fwd.logDetJ().getFlat(i), inv.logDetJ().getFlat(i), 1e-14);
        }
    }

    @Test
    void sampleMomentsWithinStandardErrors() {
        int n = 20_000;
        Tensor s = affineNormal(t(B, 3), t(S, 3)).sample(new Rng(6), n);
        assertArrayEquals(new int[] {n, 3}, s.shape().dims());
        for (int d = 0; d < 3; d++) {
            double var = Math.exp(2 * S[d]);
            double[] c = Stats.column(s, 3, d);
            assertWithinSE("mean", B[d], Stats.mean(c), Math.sqrt(var / n));
            assertWithinSE("variance", var, Stats.variance(c), var * Math.sqrt(2.0 / (n - 1)));
        }
    }

    @Test
    void gradCheckLogProbAndRsample() {
        Tensor y = new Rng(7).normal(DType.FLOAT64, 2, 3);
        GradCheck.assertCorrect(in -> affineNormal(in[1], in[2]).logProb(in[0]), y, t(B, 3), t(S, 3));
        GradCheck.assertCorrect(in -> affineNormal(in[0], in[1]).rsample(new Rng(8), 2), t(B, 3), t(S, 3));
        GradCheck.assertCorrect(in -> affineNormal(in[0], in[1]).rsampleWithLogProb(new Rng(8), 2).logProb(),
                t(B, 3), t(S, 3));
    }

    @Test
    void detachedStopsGradientsToBaseAndBijector() {
        Tensor b = t(B, 3).requiresGrad(true);
        Tensor s = t(S, 3).requiresGrad(true);
        Tensor y = t(new double[] {0.1, 0.2, 0.3}, 3).requiresGrad(true);
        affineNormal(b, s).detached().logProb(y).backward();
        assertNull(b.grad());
        assertNull(s.grad());
        assertTrue(y.grad() != null);
        assertTrue(!affineNormal(b, s).sample(new Rng(1)).requiresGrad());
    }

    @Test
    void typedErrors() {
        NoClosedFormException m = assertThrows(NoClosedFormException.class, () -> affineNormal(t(B, 3), t(S, 3)).mean());
        assertTrue(m.getMessage().contains("TransformedDistribution") && m.getMessage().contains("mean"), m.getMessage());
        ShapeException event = assertThrows(ShapeException.class,
                () -> affineNormal(t(B, 3), t(S, 3)).logProb(Tensor.zeros(DType.FLOAT64, 2)));
        assertTrue(event.getMessage().contains("event size 3"), event.getMessage());
        ShapeException params = assertThrows(ShapeException.class,
                () -> new ElementwiseAffine(t(B, 3), Tensor.zeros(DType.FLOAT64, 2)));
        assertTrue(params.getMessage().contains("[3]") && params.getMessage().contains("[2]"), params.getMessage());
        TransformedDistribution discrete = new TransformedDistribution(new Bernoulli(Tensor.zeros(DType.FLOAT64, 3)),
                new ElementwiseAffine(t(B, 3), t(S, 3)));
        assertThrows(NotReparameterizableException.class, () -> discrete.rsample(new Rng(1)));
    }
}
