package elbo.nn.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer minimises the convex quadratic f(x) = ½·xᵀAx − bᵀx (A random SPD) to its closed-form
 * optimum x* = A⁻¹b; with L2 weight decay λ the optimum of f + ½λ‖x‖² is (A + λI)⁻¹b.
 */
class QuadraticMinimisationTest {
    private static final int N = 6;

    private final double[][] a;
    private final double[] b;
    private final Tensor aTensor;
    private final Tensor bTensor;

    QuadraticMinimisationTest() {
        Rng rng = new Rng(2024);
        double[][] m = new double[N][N];
        for (double[] row : m) {
            for (int j = 0; j < N; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        a = new double[N][N];
        double[] flat = new double[N * N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double s = i == j ? 1.0 : 0.0; // A = MᵀM/N + I: eigenvalues in [1, ~5]
                for (int k = 0; k < N; k++) {
                    s += m[k][i] * m[k][j] / N;
                }
                a[i][j] = s;
                flat[i * N + j] = s;
            }
        }
        b = new double[N];
        for (int i = 0; i < N; i++) {
            b[i] = rng.nextGaussian();
        }
        aTensor = Tensor.of(flat, N, N);
        bTensor = Tensor.of(b, 1, N);
    }

    /** f(x) for x of shape [1, N]; A is symmetric so ∇f = Ax − b. */
    private Tensor objective(Tensor x) {
        return x.matmul(aTensor).mul(x).sum().mul(0.5).sub(x.mul(bTensor).sum());
    }

    /** Solves (A + λI) x = b by Gaussian elimination with partial pivoting. */
    private double[] optimum(double lambda) {
        double[][] m = new double[N][N + 1];
        for (int i = 0; i < N; i++) {
            System.arraycopy(a[i], 0, m[i], 0, N);
            m[i][i] += lambda;
            m[i][N] = b[i];
        }
        for (int col = 0; col < N; col++) {
            int pivot = col;
            for (int r = col + 1; r < N; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = 0; r < N; r++) {
                if (r != col) {
                    double f = m[r][col] / m[col][col];
                    for (int c = col; c <= N; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[N];
        for (int i = 0; i < N; i++) {
            x[i] = m[i][N] / m[i][i];
        }
        return x;
    }

    private void assertMinimises(String name, Function<TestParams, Optimizer> make, LearningRateSchedule schedule,
                                 int steps, double lambda) {
        Tensor x = Tensor.zeros(DType.FLOAT64, 1, N);
        TestParams module = new TestParams("x", x);
        Optimizer opt = make.apply(module);
        for (int t = 0; t < steps; t++) {
            if (schedule != null) {
                opt.setLearningRate(schedule.learningRate(t));
            }
            opt.zeroGrad();
            objective(x).backward();
            opt.step();
        }
        double[] expected = optimum(lambda);
        double maxError = 0;
        for (int i = 0; i < N; i++) {
            maxError = Math.max(maxError, Math.abs(x.f64()[i] - expected[i]));
        }
        assertTrue(maxError < 1e-6, name + ": max |x − x*| = " + maxError);
    }

    @Test
    void sgd() {
        assertMinimises("SGD", m -> new Sgd(m, 0.2), null, 500, 0.0);
    }

    @Test
    void sgdWithMomentum() {
        assertMinimises("SGD+momentum", m -> new Sgd(m, 0.05, 0.9, false, 0.0), null, 800, 0.0);
    }

    @Test
    void sgdWithNesterovMomentum() {
        assertMinimises("SGD+Nesterov", m -> new Sgd(m, 0.05, 0.9, true, 0.0), null, 800, 0.0);
    }

    @Test
    void sgdWithWeightDecayFindsTheRegularisedOptimum() {
        assertMinimises("SGD+L2", m -> new Sgd(m, 0.05, 0.9, false, 0.3), null, 800, 0.3);
    }

    @Test
    void adam() {
        assertMinimises("Adam", m -> new Adam(m, 0.05), LearningRateSchedule.exponential(0.05, 0.995), 3000, 0.0);
    }

    @Test
    void adamWithIwaeEpsilon() {
        assertMinimises("Adam eps=1e-4", m -> new Adam(m, 0.05, 0.9, 0.999, 1e-4, 0.0),
                LearningRateSchedule.exponential(0.05, 0.995), 3000, 0.0);
    }

    @Test
    void adamWithL2WeightDecayFindsTheRegularisedOptimum() {
        assertMinimises("Adam+L2", m -> new Adam(m, 0.05, 0.9, 0.999, 1e-8, 0.3),
                LearningRateSchedule.exponential(0.05, 0.995), 3000, 0.3);
    }

    @Test
    void adamW() {
        assertMinimises("AdamW", m -> new AdamW(m, 0.05, 0.9, 0.999, 1e-8, 0.0),
                LearningRateSchedule.exponential(0.05, 0.995), 3000, 0.0);
    }
}
