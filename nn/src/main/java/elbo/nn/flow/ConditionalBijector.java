package elbo.nn.flow;

import elbo.core.Tensor;

/**
 * A family of bijectors {@code f(·; c)} indexed by a context {@code c} that is not transformed, only read:
 * the IAF posterior of Kingma et al. (2016) is {@code z = f(z₀; h(x))}, with the context {@code h(x)}
 * computed by the encoder from the data point. {@link #given} fixes the context and returns an ordinary
 * {@link Bijector}, which a {@link elbo.nn.dist.TransformedDistribution} can push a base density through:
 *
 * <pre>
 *   q(z | x) = TransformedDistribution(N(μ(x), σ²(x)), f.given(h(x)))
 * </pre>
 *
 * The bound bijector's {@link Bijector#detached()} view detaches both the parameters and the context,
 * since the context is a function of the same variational parameters.
 */
public interface ConditionalBijector {

    /** The size {@code C} of the context's last axis; 0 if this bijector reads no context. */
    int contextSize();

    /**
     * {@code f(·; c)}: the bijector with its context fixed to {@code c} ({@code [..., C]}, broadcasting
     * against the leading axes of the inputs).
     *
     * @throws elbo.core.ShapeException if {@code c}'s last axis is not {@link #contextSize()}
     * @throws IllegalStateException    if this bijector reads no context
     */
    Bijector given(Tensor context);
}
