package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.CustomOp;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Init;
import elbo.nn.Module;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared helpers of the flow tests: brute-force Jacobians, LU determinants, random parameters. */
final class FlowTesting {
    static final DType F64 = DType.FLOAT64;

    private FlowTesting() {
    }

    /**
     * The full Jacobian {@code J[i][j] = ∂f_i/∂x_j} of {@code f: R^D -> R^D} at {@code x} (shape {@code [D]}) by
     * reverse-mode autodiff: one backward per output coordinate, seeded with the unit vector {@code e_i}.
     */
    static double[][] jacobian(Function<Tensor, Tensor> f, Tensor x) {
        int d = x.numel();
        double[][] j = new double[d][];
        for (int i = 0; i < d; i++) {
            Tensor leaf = x.copy().requiresGrad(true);
            Tensor y = f.apply(leaf);
            assertEquals(d, y.numel(), "f must map R^D to R^D");
            Tensor seed = Tensor.zerosLike(y);
            seed.setFlat(i, 1.0);
            if (y.requiresGrad()) {
                y.backward(seed);
            }
            j[i] = leaf.grad() == null ? new double[d] : leaf.grad().toDoubleArray();
        }
        return j;
    }

    /** {@code log|det A|} by LU decomposition with partial pivoting ({@code -inf} if singular). */
    static double logAbsDet(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        double logDet = 0;
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) {
                if (Math.abs(a[i][k]) > Math.abs(a[p][k])) {
                    p = i;
                }
            }
            if (a[p][k] == 0.0) {
                return Double.NEGATIVE_INFINITY;
            }
            double[] t = a[p];
            a[p] = a[k];
            a[k] = t;
            logDet += Math.log(Math.abs(a[k][k]));
            for (int i = k + 1; i < n; i++) {
                double l = a[i][k] / a[k][k];
                for (int c = k; c < n; c++) {
                    a[i][c] -= l * a[k][c];
                }
            }
        }
        return logDet;
    }

    /** Overwrites every parameter of {@code m} with {@code N(0, std²)} draws (buffers such as masks untouched). */
    static <M extends Module> M randomize(M m, double std, Rng rng) {
        for (Tensor p : m.parameters()) {
            Init.normal(p, std, rng);
        }
        return m;
    }

    /** Marks every {@link ActNorm} below {@code m} as initialised, so no call re-initialises it. */
    static void markActNormsInitialized(Module m) {
        if (m instanceof ActNorm a) {
            a.setInitialized(true);
        }
        for (Module c : m.children().values()) {
            markActNormsInitialized(c);
        }
    }

    static void assertClose(String what, double expected, double actual, double tol) {
        double err = Math.abs(expected - actual);
        if (!(err <= tol * (1 + Math.abs(expected)))) {
            throw new AssertionError(what + ": expected " + expected + " but got " + actual + " (|diff| " + err
                    + " > " + tol + "·(1+|expected|))");
        }
    }

    static void assertAllClose(String what, Tensor expected, Tensor actual, double tol) {
        assertEquals(expected.shape(), actual.shape(), what + ": shapes");
        for (int i = 0; i < expected.numel(); i++) {
            assertClose(what + " [" + i + "]", expected.getFlat(i), actual.getFlat(i), tol);
        }
    }

    /**
     * A function of a module's input and every parameter, {@code y = g(x; θ_1..θ_n)}, for
     * {@link elbo.core.GradCheck} with respect to the parameters too: {@code apply(t)} copies {@code t[1..n]}
     * into the module's parameters, evaluates {@code g} on a leaf copy of {@code t[0]}, and records the
     * result as one {@link CustomOp} whose vector-Jacobian product runs the module's own backward and hands
     * back the gradients that landed on the input leaf and the parameters (valid because GradCheck runs each
     * backward right after its forward, with the parameter values of that forward).
     */
    static final class AsFunction implements Function<Tensor[], Tensor> {
        private final Module module;
        private final Function<Tensor, Tensor> g;
        private final List<Tensor> params;

        AsFunction(Module module, Function<Tensor, Tensor> g) {
            this.module = module;
            this.g = g;
            this.params = module.parameters();
        }

        /** The point to check at: {@code x}, then the module's current parameter values. */
        Tensor[] point(Tensor x) {
            Tensor[] t = new Tensor[params.size() + 1];
            t[0] = x;
            for (int k = 0; k < params.size(); k++) {
                t[k + 1] = params.get(k).copy();
            }
            return t;
        }

        @Override
        public Tensor apply(Tensor[] t) {
            for (int k = 0; k < params.size(); k++) {
                params.get(k).copyFrom(t[k + 1]);
            }
            if (!Autograd.isGradEnabled()) {
                return g.apply(t[0]);
            }
            Tensor xIn = t[0].copy().requiresGrad(true);
            Tensor y = g.apply(xIn);
            return CustomOp.record("flow", y.detach(), dy -> {
                xIn.zeroGrad();
                module.zeroGrad();
                y.backward(dy);
                Tensor[] grads = new Tensor[t.length];
                grads[0] = xIn.grad();
                for (int k = 0; k < params.size(); k++) {
                    grads[k + 1] = params.get(k).grad();
                }
                return grads;
            }, t);
        }
    }
}
