package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.Module;

/**
 * A {@link Bijector} that is also a {@link Module}: a normalizing-flow layer whose parameters are
 * registered (so optimizers, {@code stateDict} and checkpoints see them) and trained through
 * {@link #forward} and {@link #inverse}.
 *
 * <p><b>Orientation.</b> Every flow in this package is written in the <em>generative</em> direction:
 * {@code forward(u)} maps base noise {@code u} to data {@code x}, {@code inverse(x)} maps data back to noise.
 * Wrapped in {@link elbo.nn.dist.TransformedDistribution} with a base {@code p_U} it gives
 * <pre>
 *   log p_X(x) = log p_U(u) + log|det ∂f⁻¹/∂x|,   u = f⁻¹(x)      (inverse: density evaluation)
 *   x = f(u),  u ~ p_U                                           (forward: sampling)
 * </pre>
 * A flow that should be fitted the other way round (forward = data to noise, e.g. the planar flow, which
 * has no closed-form inverse) is used through {@link Inverted}.
 *
 * <p><b>Shapes.</b> Inputs are {@code [...batch, D]} with any number of batch axes (also none); the
 * log-determinants are {@code [...batch]}.
 *
 * <p><b>Stopping gradients.</b> {@link #detached()} returns a view that shares this flow's parameter
 * values but lets no gradient reach them; gradients still flow through the input. It runs the flow
 * inside the flow's {@link #asConstants()} scope, in which every parameter read through
 * {@link #param(Tensor)} is detached; every flow in this package reads its parameters through it.
 */
public abstract class Flow extends Module implements Bijector {

    /**
     * The default bound {@code B} on the per-layer log-scales of {@link AffineCoupling},
     * {@link MaskedAutoregressiveFlow} and {@link InverseAutoregressiveFlow}: each log-scale is
     * {@code B·tanh(raw / B)} (see {@link #softClamp}), so one layer scales a coordinate by at most
     * {@code e^B ≈ 20}.
     */
    public static final double DEFAULT_LOG_SCALE_BOUND = 3.0;

    private final int eventSize;
    private final DType dtype;

    /**
     * @param eventSize {@code D}, the size of the last axis of inputs; a negative value means "not
     *                  fixed by this flow" (a container checks through its parts)
     * @param dtype     the dtype of the parameters and of accepted inputs, or {@code null} for "any"
     */
    protected Flow(int eventSize, DType dtype) {
        this.eventSize = eventSize;
        this.dtype = dtype;
    }

    /**
     * {@code y = f(x)} and {@code log|det ∂f/∂x|} per example.
     *
     * @throws ShapeException if {@code x} does not have shape {@code [...batch, D]}
     * @throws DTypeException if {@code x}'s dtype differs from the flow's
     */
    @Override
    public abstract Result forward(Tensor x);

    /**
     * {@code x = f⁻¹(y)} and {@code log|det ∂f⁻¹/∂y|} per example.
     *
     * @throws ShapeException                if {@code y} does not have shape {@code [...batch, D]}
     * @throws DTypeException                if {@code y}'s dtype differs from the flow's
     * @throws UnsupportedOperationException if the flow has no closed-form inverse
     */
    @Override
    public abstract Result inverse(Tensor y);

    /**
     * A view of this flow with its parameters cut from the autodiff graph: same values (later updates
     * are seen), no gradient to the parameters, gradients through the input kept.
     */
    @Override
    public Bijector detached() {
        return new DetachedView(this);
    }

    /** {@code D}, the event size this flow accepts, or -1 if it does not fix one itself. */
    public int eventSize() {
        return eventSize;
    }

    /** The dtype of the parameters and inputs, or {@code null} if the flow does not fix one itself. */
    public DType dtype() {
        return dtype;
    }

    /**
     * Checks that {@code x} is {@code [...batch, D]} of this flow's dtype.
     *
     * @throws ShapeException naming {@code op} if the rank is 0 or the last axis is not {@code D}
     * @throws DTypeException naming {@code op} if the dtype differs
     */
    protected final void checkInput(Tensor x, String op) {
        String where = getClass().getSimpleName() + "." + op;
        if (x.rank() < 1 || (eventSize >= 0 && x.dim(-1) != eventSize)) {
            throw new ShapeException(where + ": input of shape " + x.shape() + " is not [...batch, "
                    + (eventSize >= 0 ? Integer.toString(eventSize) : "D") + "]");
        }
        if (dtype != null && x.dtype() != dtype) {
            throw new DTypeException(where + ": input is " + x.dtype() + " but the flow is " + dtype);
        }
    }

    /**
     * {@code B·tanh(raw / B)}: the identity near 0 (slope 1) that saturates smoothly at {@code ±B}. Keeps
     * learned log-scales bounded, so {@code exp} cannot overflow and sequential inversions stay stable.
     *
     * @throws IllegalArgumentException if {@code bound} is not positive and finite
     */
    public static Tensor softClamp(Tensor raw, double bound) {
        checkBound(bound);
        return raw.div(bound).tanh().mul(bound);
    }

    static double checkBound(double bound) {
        if (!(bound > 0) || Double.isInfinite(bound)) {
            throw new IllegalArgumentException("log-scale bound must be positive and finite, got " + bound);
        }
        return bound;
    }

    /** Zeros of the batch shape of {@code x} (the log-det of a volume-preserving map). */
    static Tensor zeroLogDet(Tensor x) {
        return Tensor.zeros(x.dtype(), x.shape().without(x.rank() - 1));
    }

    /** A scalar log-det (the same for every example) repeated over the batch shape of {@code x}. */
    static Tensor broadcastLogDet(Tensor logDet, Tensor x) {
        return logDet.add(zeroLogDet(x));
    }

    /** The stop-gradient view returned by {@link #detached()}. */
    private static final class DetachedView implements Bijector {
        private final Flow flow;

        DetachedView(Flow flow) {
            this.flow = flow;
        }

        @Override
        public Result forward(Tensor x) {
            try (Autograd.Scope constants = flow.asConstants()) {
                return flow.forward(x);
            }
        }

        @Override
        public Result inverse(Tensor y) {
            try (Autograd.Scope constants = flow.asConstants()) {
                return flow.inverse(y);
            }
        }

        @Override
        public Bijector detached() {
            return this;
        }

        @Override
        public String toString() {
            return "detached " + flow.getClass().getSimpleName();
        }
    }
}
