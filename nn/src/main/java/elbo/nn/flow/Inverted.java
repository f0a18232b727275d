package elbo.nn.flow;

import elbo.core.Tensor;
import elbo.nn.Module;

/**
 * The inverse of a bijector, {@code g = f⁻¹}: its forward is {@code f}'s inverse and its inverse is
 * {@code f}'s forward, log-dets included:
 *
 * <pre>
 *   forward(y) = f.inverse(y)    (x = f⁻¹(y),  log|det ∂f⁻¹/∂y|)
 *   inverse(x) = f.forward(x)    (y = f(x),    log|det ∂f/∂x|)
 * </pre>
 *
 * Use it to flip a flow's orientation: an IAF turned into a density model, or a planar stack (forward
 * only) fitted in the normalizing direction, {@code logProb(x) = log p_U(f(x)) + log|det ∂f/∂x|} through
 * {@code new TransformedDistribution(base, new Inverted(planar))}. If {@code f} is a {@link Module} it is
 * registered as the child {@code inner}.
 */
public final class Inverted extends Flow {
    private final Bijector inner;

    public Inverted(Bijector inner) {
        super(inner instanceof Flow f ? f.eventSize() : -1, inner instanceof Flow f ? f.dtype() : null);
        this.inner = inner;
        if (inner instanceof Module m) {
            child("inner", m);
        }
    }

    /** The wrapped bijector {@code f}. */
    public Bijector inner() {
        return inner;
    }

    /**
     * {@code f⁻¹(y)} with {@code log|det ∂f⁻¹/∂y|}.
     *
     * @throws UnsupportedOperationException if {@code f} has no inverse
     */
    @Override
    public Result forward(Tensor y) {
        return inner.inverse(y);
    }

    /** {@code f(x)} with {@code log|det ∂f/∂x|}. */
    @Override
    public Result inverse(Tensor x) {
        return inner.forward(x);
    }

    /** The inverse of {@code f}'s detached view. */
    @Override
    public Bijector detached() {
        return new Inverted(inner.detached());
    }
}
