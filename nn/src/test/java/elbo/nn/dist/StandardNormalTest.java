package elbo.nn.dist;

import static elbo.nn.dist.Stats.assertClose;
import static elbo.nn.dist.Stats.assertWithinSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.GradCheck;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import org.junit.jupiter.api.Test;

class StandardNormalTest {
    final StandardNormal p = new StandardNormal(3, DType.FLOAT64);

    @Test
    void logProbBroadcastsAndEqualsClosedForm() {
        Tensor z = new Rng(1).normal(DType.FLOAT64, 4, 2, 3).mul(1.5);
        Tensor lp = p.logProb(z);
        assertArrayEquals(new int[] {4, 2}, lp.shape().dims());
        double[] zs = z.toDoubleArray();
        for (int i = 0; i < 8; i++) {
            double expected = 0;
            for (int d = 0; d < 3; d++) {
                expected += Stats.logNormal(zs[i * 3 + d], 0, 1);
            }
            assertClose("log N(z; 0, I)", expected, lp.getFlat(i), 1e-12);
        }
        // The same as a Normal with zero mean and log-variance.
        Normal n = Normal.fromMeanLogVar(Tensor.zeros(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 3));
        assertClose("vs Normal", n.logProb(z).getFlat(5), lp.getFlat(5), 1e-14);
    }

    @Test
    void entropyMeanAndDetached() {
        assertClose("H", 1.5 * Math.log(2 * Math.PI * Math.E), p.entropy().item(), 1e-14);
        assertArrayEquals(new double[3], p.mean().toDoubleArray());
        assertSame(p, p.detached());
    }

    @Test
    void sampleMoments() {
        int n = 20_000;
        Tensor s = p.sample(new Rng(2), n);
        assertArrayEquals(new int[] {n, 3}, s.shape().dims());
        for (int j = 0; j < 3; j++) {
            double[] c = Stats.column(s, 3, j);
            assertWithinSE("mean", 0, Stats.mean(c), Math.sqrt(1.0 / n));
            assertWithinSE("variance", 1, Stats.variance(c), Math.sqrt(2.0 / (n - 1)));
        }
    }

    @Test
    void gradCheckLogProb() {
        GradCheck.assertCorrect(in -> p.logProb(in[0]), new Rng(3).normal(DType.FLOAT64, 2, 3));
    }

    @Test
    void typedErrors() {
        ShapeException e = assertThrows(ShapeException.class, () -> p.logProb(Tensor.zeros(DType.FLOAT64, 4)));
        assertTrue(e.getMessage().contains("StandardNormal.logProb") && e.getMessage().contains("event size 3"),
                e.getMessage());
        DTypeException d = assertThrows(DTypeException.class, () -> p.logProb(Tensor.zeros(DType.FLOAT32, 3)));
        assertTrue(d.getMessage().contains("FLOAT32") && d.getMessage().contains("FLOAT64"), d.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new StandardNormal(0, DType.FLOAT64));
        assertTrue(size.getMessage().contains("got 0"), size.getMessage());
    }
}
