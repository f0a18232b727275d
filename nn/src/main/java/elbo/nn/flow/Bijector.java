package elbo.nn.flow;

import elbo.core.Tensor;

/**
 * An invertible, differentiable map {@code y = f(x)} on the event axis (the last axis) that also reports
 * the log-absolute-determinant of its Jacobian, the one number the change-of-variables formula needs:
 *
 * <pre>
 *   log p_Y(y) = log p_X(x) - log|det ∂f/∂x (x)|,   x = f⁻¹(y)
 *              = log p_X(f⁻¹(y)) + log|det ∂f⁻¹/∂y (y)|
 * </pre>
 *
 * <p><b>Shapes.</b> Inputs have shape {@code [...batch, D]}; a bijector maps them to the same shape and
 * returns one log-determinant per example, of the batch shape {@code [...batch]} (the event axis is
 * summed out, just as {@link elbo.nn.dist.Distribution#logProb} does).
 *
 * <p><b>Contract.</b> {@code inverse(forward(x).value()).value() ≈ x} and
 * {@code inverse(y).logDetJ() = -forward(x).logDetJ()} at {@code y = forward(x).value()}. Both directions are
 * built from differentiable {@link Tensor} operations, so gradients reach the bijector's parameters.
 * A bijector whose inverse has no closed form (e.g. the planar flow) throws
 * {@link UnsupportedOperationException} from {@link #inverse} and says so in its Javadoc; it can still be
 * sampled through, with densities taken along the forward pass (see
 * {@link elbo.nn.dist.TransformedDistribution#rsampleWithLogProb}).
 */
public interface Bijector {

    /**
     * The value of one direction of a bijector and the log-absolute-determinant of that direction's Jacobian.
     *
     * @param value   the transformed tensor, {@code [...batch, D]}
     * @param logDetJ {@code log|det J|} per example, {@code [...batch]}
     */
    record Result(Tensor value, Tensor logDetJ) {
    }

    /** {@code y = f(x)} and {@code log|det ∂f/∂x|} per example. */
    Result forward(Tensor x);

    /**
     * {@code x = f⁻¹(y)} and {@code log|det ∂f⁻¹/∂y|} per example (the negative of the forward log-det at x).
     *
     * @throws UnsupportedOperationException if this bijector has no closed-form inverse
     */
    Result inverse(Tensor y);

    /**
     * The same map with its parameters cut from the autodiff graph (their values shared, no gradient
     * flowing back to them): what the STL and DReG estimators need to evaluate {@code log q} with the
     * variational parameters stopped. A bijector without parameters returns itself.
     */
    Bijector detached();
}
