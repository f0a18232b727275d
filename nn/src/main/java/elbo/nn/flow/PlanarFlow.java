package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;

/**
 * The planar flow (Rezende &amp; Mohamed 2015, "Variational inference with normalizing flows"): a
 * single-unit residual layer that bends space along one direction {@code w}:
 *
 * <pre>
 *   forward:  f(z) = z + û · tanh(wᵀz + b),
 *             log|det ∂f/∂z| = log|1 + ûᵀψ(z)|,  ψ(z) = tanh'(wᵀz + b) · w
 *                            = log(1 + m(wᵀu) · (1 - tanh²(wᵀz + b)))
 *   inverse:  no closed form (throws UnsupportedOperationException; see numericalInverse)
 * </pre>
 *
 * with parameters {@code w, u ∈ R^D} and {@code b ∈ R}. <b>Invertibility</b> needs {@code ûᵀw ≥ -1}; it is
 * enforced by the reparameterisation
 * <pre>
 *   û = u + (m(wᵀu) - wᵀu) · w / ‖w‖²,   m(a) = -1 + softplus(a),
 * </pre>
 * which gives {@code ûᵀw = m(wᵀu) > -1}, so {@code f} is strictly increasing along {@code w}, and the
 * log-det above uses {@code ûᵀw = m(wᵀu)} directly (so its argument is always positive). {@code w} must
 * not be zero.
 *
 * <p><b>Use.</b> {@link #forward} is all a variational posterior needs: sample {@code z₀ ~ q₀}, push it
 * through, and score it with the log-dets collected on the way
 * ({@link elbo.nn.dist.TransformedDistribution#rsampleWithLogProb}). To fit a density to data, use it in
 * the normalizing direction, {@code log p(x) = log p_U(f(x)) + log|det ∂f/∂x|}, through {@link Inverted}, and
 * draw samples of such a model with {@link #numericalInverse}.
 *
 * <p><b>Initialisation.</b> {@code w ~ U(-1/√D, 1/√D)}, {@code b = 0}, and {@code u} parallel to {@code w}
 * with {@code wᵀu = log(e - 1)}, so that {@code m(wᵀu) = 0}, {@code û = 0}: a new layer is the identity
 * (while its gradients with respect to {@code u} and {@code w} are not zero).
 */
public final class PlanarFlow extends Flow {
    private static final int MAX_ITERATIONS = 200;

    private final Tensor w;
    private final Tensor u;
    private final Tensor b;

    /**
     * An identity-initialised planar layer.
     *
     * @throws IllegalArgumentException if {@code eventSize < 1}
     */
    public PlanarFlow(int eventSize, DType dtype, Rng rng) {
        super(eventSize, dtype);
        if (eventSize < 1) {
            throw new IllegalArgumentException("PlanarFlow: event size must be at least 1, got " + eventSize);
        }
        double a = 1.0 / Math.sqrt(eventSize);
        double[] wv = new double[eventSize];
        double norm2;
        do {
            norm2 = 0;
            for (int i = 0; i < eventSize; i++) {
                wv[i] = -a + 2 * a * rng.nextDouble();
                norm2 += wv[i] * wv[i];
            }
        } while (norm2 < 1e-4 * a * a);
        double c = Math.log(Math.E - 1) / norm2;
        double[] uv = new double[eventSize];
        for (int i = 0; i < eventSize; i++) {
            uv[i] = c * wv[i];
        }
        this.w = parameter("w", Tensor.of(wv, eventSize).cast(dtype));
        this.u = parameter("u", Tensor.of(uv, eventSize).cast(dtype));
        this.b = parameter("b", Tensor.zeros(dtype, 1));
    }

    /** The direction {@code w}, {@code [D]}. */
    public Tensor w() {
        return w;
    }

    /** The unconstrained {@code u}, {@code [D]} (the layer uses {@code û}, see {@link #uHat()}). */
    public Tensor u() {
        return u;
    }

    /** The bias {@code b}, {@code [1]}. */
    public Tensor b() {
        return b;
    }

    /** {@code û = u + (m(wᵀu) - wᵀu) · w / ‖w‖²}, {@code [D]}, differentiable in {@code u} and {@code w}. */
    public Tensor uHat() {
        Tensor wp = param(w);
        Tensor up = param(u);
        Tensor wu = wp.mul(up).sum();
        Tensor m = wu.softplus().sub(1.0);
        return up.add(wp.mul(m.sub(wu).div(wp.square().sum())));
    }

    /** {@code f(z) = z + û tanh(wᵀz + b)}, log-det {@code log(1 + m(wᵀu)(1 - tanh²(wᵀz + b)))}. */
    @Override
    public Result forward(Tensor z) {
        checkInput(z, "forward");
        Tensor wp = param(w);
        Tensor up = param(u);
        Tensor wu = wp.mul(up).sum();
        Tensor m = wu.softplus().sub(1.0);
        Tensor uHat = up.add(wp.mul(m.sub(wu).div(wp.square().sum())));
        Tensor h = z.mul(wp).sum(-1, true).add(param(b)).tanh();             // [..., 1]
        Tensor y = z.add(h.mul(uHat));
        Tensor logDet = h.square().rsub(1.0).mul(m).log1p().squeeze(-1);
        return new Result(y, logDet);
    }

    /**
     * Not available: the planar map has no closed-form inverse. Use {@link #numericalInverse} to invert
     * values (without gradients), or fit the flow in the normalizing direction through {@link Inverted}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Result inverse(Tensor y) {
        throw new UnsupportedOperationException("PlanarFlow has no closed-form inverse; use numericalInverse(y) "
                + "for values without gradients, or fit it in the normalizing direction through Inverted");
    }

    /**
     * Solves {@code y = f(z)} for {@code z} numerically, per example, <b>without gradients</b> (the result is a
     * fresh tensor outside the autodiff graph): what sampling a density model fitted in the normalizing
     * direction needs. Writing {@code a = wᵀz}, projecting {@code y = z + û tanh(a + b)} on {@code w} gives
     * the scalar equation
     * <pre>
     *   g(a) = a + m(wᵀu) · tanh(a + b) - wᵀy = 0,    g'(a) = 1 + m(wᵀu) (1 - tanh²(a + b)) &gt; 0,
     * </pre>
     * strictly increasing with its root in {@code [wᵀy - |m|, wᵀy + |m|]}. It is solved by Newton's method
     * safeguarded by bisection on that bracket, to machine precision; then {@code z = y - û tanh(a + b)}.
     * Computed in float64 whatever the dtype.
     *
     * @throws elbo.core.ShapeException if {@code y} is not {@code [...batch, D]}
     * @throws elbo.core.DTypeException if {@code y}'s dtype differs from the layer's
     */
    public Tensor numericalInverse(Tensor y) {
        checkInput(y, "numericalInverse");
        int d = eventSize();
        double[] wv = w.toDoubleArray();
        double[] uh;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            uh = uHat().toDoubleArray();
        }
        double m = 0;
        for (int i = 0; i < d; i++) {
            m += wv[i] * u.getFlat(i);
        }
        m = softplus(m) - 1.0;
        double bias = b.getFlat(0);
        double[] yv = y.toDoubleArray();
        double[] z = new double[yv.length];
        int n = yv.length / d;
        for (int row = 0; row < n; row++) {
            double c = 0;
            for (int i = 0; i < d; i++) {
                c += wv[i] * yv[row * d + i];
            }
            double t = Math.tanh(solve(c, m, bias) + bias);
            for (int i = 0; i < d; i++) {
                z[row * d + i] = yv[row * d + i] - uh[i] * t;
            }
        }
        return Tensor.of(z, y.shape().dims()).cast(y.dtype());
    }

    /** The root of {@code a + m tanh(a + b) = c} (see {@link #numericalInverse}). */
    static double solve(double c, double m, double b) {
        double lo = c - Math.abs(m);
        double hi = c + Math.abs(m);
        double a = c;
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double t = Math.tanh(a + b);
            double g = a + m * t - c;
            if (g == 0) {
                return a;
            }
            if (g < 0) {
                lo = a;
            } else {
                hi = a;
            }
            double next = a - g / (1 + m * (1 - t * t));
            if (!(next > lo && next < hi)) {
                next = 0.5 * (lo + hi);
            }
            if (Math.abs(next - a) <= 1e-15 * (1 + Math.abs(a)) || hi - lo <= 1e-15 * (1 + Math.abs(a))) {
                return next;
            }
            a = next;
        }
        return a;
    }

    private static double softplus(double x) {
        return x > 30 ? x : Math.log1p(Math.exp(x));
    }
}
