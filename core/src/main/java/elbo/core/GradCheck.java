package elbo.core;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Checks reverse-mode gradients against float64 central differences.
 *
 * <p>For a function {@code y = f(x_1, ..., x_n)}, the numerical derivative of {@code y} along a direction
 * {@code u} of input {@code x_j} is {@code (f(x_j + eps u) - f(x_j - eps u)) / (2 eps)} (error O(eps&sup2;)).
 * Two modes, chosen by size:
 * <ul>
 *   <li><b>Full Jacobian</b> (every input and the output have at most
 *       {@link Options#fullJacobianLimit()} elements): every entry {@code dy_o/dx_j[i]} from one backward
 *       per output element against one difference per input element.</li>
 *   <li><b>Random projections</b> (larger): {@code vᵀ J u} for random unit-variance {@code v} (output
 *       shaped) and {@code u} (input shaped), the analytic side being {@code <grad of vᵀy, u>}.</li>
 * </ul>
 * An entry passes when {@code |numerical - analytical| <= atol + rtol * |numerical|}.
 *
 * <p>Inputs must be float64: float32 round-off (about 1e-7 relative) divided by eps would swamp the
 * comparison.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /**
     * Tolerances and mode selection.
     *
     * @param eps               step of the central difference
     * @param atol              absolute tolerance
     * @param rtol              relative tolerance (of the numerical value)
     * @param fullJacobianLimit largest element count of an input or the output for the full-Jacobian mode
     * @param projections       number of random projections in projection mode
     * @param seed              seed of the projection directions
     */
    public record Options(double eps, double atol, double rtol, int fullJacobianLimit, int projections, long seed) {
        /** eps 1e-6, atol 1e-5, rtol 1e-3, full Jacobian up to 64 elements, else 8 projections. */
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, 64, 8, 12345L);
        }

        public Options withTolerance(double atol, double rtol) {
            return new Options(eps, atol, rtol, fullJacobianLimit, projections, seed);
        }

        public Options withEps(double eps) {
            return new Options(eps, atol, rtol, fullJacobianLimit, projections, seed);
        }
    }

    /**
     * The outcome of a check.
     *
     * @param passed      every compared entry within tolerance
     * @param comparisons how many numbers were compared
     * @param maxAbsError largest {@code |numerical - analytical|} seen
     * @param failure     the first failing entry, described (empty string when passed)
     */
    public record Result(boolean passed, int comparisons, double maxAbsError, String failure) {
    }

    /** Thrown by {@link #assertCorrect}: an {@link AssertionError} so test frameworks report it as a failure. */
    public static final class GradCheckException extends AssertionError {
        private static final long serialVersionUID = 1L;

        GradCheckException(String message) {
            super(message);
        }
    }

    /**
     * Checks with the default options and throws on failure.
     *
     * @throws GradCheckException naming output, input, element, numerical and analytical value
     * @throws DTypeException     if an input is not float64
     */
    public static void assertCorrect(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertCorrect(Options.defaults(), f, inputs);
    }

    /** Checks with the given options and throws on failure. */
    public static void assertCorrect(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(options, f, inputs);
        if (!r.passed()) {
            throw new GradCheckException(r.failure());
        }
    }

    /**
     * Compares analytical and numerical gradients of {@code f} at {@code inputs}; the inputs are copied,
     * never modified.
     *
     * @throws DTypeException if an input or the output is not float64
     */
    public static Result check(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] x = new Tensor[inputs.length];
        for (int j = 0; j < inputs.length; j++) {
            if (inputs[j].dtype() != DType.FLOAT64) {
                throw new DTypeException("GradCheck: input " + j + " of shape " + inputs[j].shape()
                        + " is " + inputs[j].dtype() + "; gradient checks need FLOAT64");
            }
            x[j] = inputs[j].copy();
        }
        Tensor y0 = evaluate(f, x);
        if (y0.dtype() != DType.FLOAT64) {
            throw new DTypeException("GradCheck: output of shape " + y0.shape() + " is " + y0.dtype()
                    + "; gradient checks need FLOAT64");
        }
        boolean small = y0.numel() <= options.fullJacobianLimit();
        for (Tensor t : x) {
            small &= t.numel() <= options.fullJacobianLimit();
        }
        return small ? fullJacobian(options, f, x, y0.shape()) : projections(options, f, x, y0.shape());
    }

    /**
     * {@code f(x)} without recording, copied: the result may share storage with an input (reshape,
     * detach), and the inputs are perturbed in place after this call.
     */
    private static Tensor evaluate(Function<Tensor[], Tensor> f, Tensor[] x) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return f.apply(x).copy();
        }
    }

    /** Gradients of {@code seedᵀ f(x)} with respect to each input (zeros where none flows). */
    private static Tensor[] analytical(Function<Tensor[], Tensor> f, Tensor[] x, Tensor seed) {
        Tensor[] leaves = new Tensor[x.length];
        for (int j = 0; j < x.length; j++) {
            leaves[j] = x[j].copy().requiresGrad(true);
        }
        Tensor y = f.apply(leaves);
        if (y.requiresGrad()) {
            y.backward(seed);
        }
        Tensor[] g = new Tensor[x.length];
        for (int j = 0; j < x.length; j++) {
            g[j] = leaves[j].grad() == null ? Tensor.zerosLike(x[j]) : leaves[j].grad();
        }
        return g;
    }

    private static Result fullJacobian(Options o, Function<Tensor[], Tensor> f, Tensor[] x, Shape outShape) {
        int outN = outShape.numel();
        // analytic[o][j] = gradient of output element o with respect to input j
        Tensor[][] analytic = new Tensor[outN][];
        for (int out = 0; out < outN; out++) {
            Tensor seed = Tensor.zeros(DType.FLOAT64, outShape);
            seed.setFlat(out, 1.0);
            analytic[out] = analytical(f, x, seed);
        }
        int comparisons = 0;
        double maxErr = 0;
        for (int j = 0; j < x.length; j++) {
            for (int i = 0; i < x[j].numel(); i++) {
                double orig = x[j].getFlat(i);
                x[j].setFlat(i, orig + o.eps());
                Tensor plus = evaluate(f, x);
                x[j].setFlat(i, orig - o.eps());
                Tensor minus = evaluate(f, x);
                x[j].setFlat(i, orig);
                for (int out = 0; out < outN; out++) {
                    double num = (plus.getFlat(out) - minus.getFlat(out)) / (2 * o.eps());
                    double ana = analytic[out][j].getFlat(i);
                    double err = Math.abs(num - ana);
                    comparisons++;
                    if (!(err <= o.atol() + o.rtol() * Math.abs(num))) {
                        return new Result(false, comparisons, err, "gradcheck failed: output " + out + " "
                                + Arrays.toString(unflatten(outShape, out)) + ", input " + j + " " + x[j].shape()
                                + ", element " + i + " " + Arrays.toString(unflatten(x[j].shape(), i))
                                + ": numerical " + num + " vs analytical " + ana
                                + " (|diff| " + err + " > atol " + o.atol() + " + rtol " + o.rtol() + " * |numerical|)");
                    }
                    maxErr = Math.max(maxErr, err);
                }
            }
        }
        return new Result(true, comparisons, maxErr, "");
    }

    private static Result projections(Options o, Function<Tensor[], Tensor> f, Tensor[] x, Shape outShape) {
        Rng rng = new Rng(o.seed());
        int comparisons = 0;
        double maxErr = 0;
        for (int p = 0; p < o.projections(); p++) {
            Tensor v = rng.normal(DType.FLOAT64, outShape);
            Tensor[] grads = analytical(f, x, v);
            for (int j = 0; j < x.length; j++) {
                if (x[j].numel() == 0) {
                    continue;
                }
                Tensor u = rng.normal(DType.FLOAT64, x[j].shape());
                double ana = dot(grads[j], u);
                Tensor orig = x[j].copy();
                x[j].copyFrom(orig.add(u.mul(o.eps())));
                double plus = dot(evaluate(f, x), v);
                x[j].copyFrom(orig.sub(u.mul(o.eps())));
                double minus = dot(evaluate(f, x), v);
                x[j].copyFrom(orig);
                double num = (plus - minus) / (2 * o.eps());
                double err = Math.abs(num - ana);
                comparisons++;
                if (!(err <= o.atol() + o.rtol() * Math.abs(num))) {
                    return new Result(false, comparisons, err, "gradcheck failed: random projection " + p
                            + " (vᵀJu, output " + outShape + "), input " + j + " " + x[j].shape()
                            + ": numerical " + num + " vs analytical " + ana
                            + " (|diff| " + err + " > atol " + o.atol() + " + rtol " + o.rtol() + " * |numerical|)");
                }
                maxErr = Math.max(maxErr, err);
            }
        }
        return new Result(true, comparisons, maxErr, "");
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.numel(); i++) {
            s += a.getFlat(i) * b.getFlat(i);
        }
        return s;
    }

    private static int[] unflatten(Shape s, int flat) {
        int[] idx = new int[s.rank()];
        for (int ax = s.rank() - 1; ax >= 0; ax--) {
            idx[ax] = flat % s.dim(ax);
            flat /= s.dim(ax);
        }
        return idx;
    }
}
