package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Init;

/**
 * What MAF and IAF share: an affine autoregressive map {@code x_i = u_i · exp(α_i) + μ_i} whose shift
 * {@code μ} and log-scale {@code α = B·tanh(α̂ / B)} come from a {@link Made}. They differ only in what
 * the MADE reads — the data {@code x} (MAF) or the noise {@code u} (IAF) — and therefore in which direction
 * takes one pass and which takes {@code D}. The MADE's output layer starts at zero, so a new layer is the
 * identity.
 *
 * <p>With a context size {@code C > 0} the MADE also reads a context {@code c} (see {@link Made}), and
 * {@code μ} and {@code α} depend on it: {@link #forward(Tensor, Tensor)} and {@link #inverse(Tensor, Tensor)}
 * compute {@code f(·; c)}, and {@link #given} binds {@code c} into a plain {@link Bijector}.
 */
public abstract sealed class AutoregressiveAffineFlow extends Flow implements ConditionalBijector
        permits MaskedAutoregressiveFlow, InverseAutoregressiveFlow {
    private final Made made;
    private final double bound;

    /**
     * @param ordering      the MADE's ordering ({@link Made#naturalOrder} etc.)
     * @param hidden        the MADE's hidden widths
     * @param activation    the MADE's hidden nonlinearity
     * @param logScaleBound {@code B}
     * @throws IllegalArgumentException as {@link Made#Made}, or if the bound is not positive
     */
    AutoregressiveAffineFlow(int[] ordering, int[] hidden, int contextSize, Activation.Kind activation,
                             double logScaleBound, DType dtype, Rng rng) {
        super(ordering.length, dtype);
        this.bound = checkBound(logScaleBound);
        this.made = child("made", new Made(ordering, hidden, 2, contextSize, activation, dtype, rng));
        Init.zeros(made.layers()[made.layers().length - 1].weight());
    }

    /** The conditioner: output 0 is {@code μ}, output 1 is the raw log-scale {@code α̂}. */
    public Made made() {
        return made;
    }

    /** {@code (μ, α)} of the MADE applied to {@code input} (and the context, or null), log-scale bounded. */
    final Tensor[] shiftAndLogScale(Tensor input, Tensor context) {
        Tensor[] out = made.forward(input, context);
        return new Tensor[] {out[0], softClamp(out[1], bound)};
    }

    /** {@code f(x)}; a flow with a context needs {@link #forward(Tensor, Tensor)} or {@link #given}. */
    @Override
    public final Result forward(Tensor x) {
        return forward(x, null);
    }

    /** {@code f⁻¹(y)}; a flow with a context needs {@link #inverse(Tensor, Tensor)} or {@link #given}. */
    @Override
    public final Result inverse(Tensor y) {
        return inverse(y, null);
    }

    /**
     * {@code y = f(x; c)} and {@code log|det ∂y/∂x|}.
     *
     * @param context {@code c}, {@code [..., C]}, or {@code null} for a flow without context
     * @throws ShapeException if {@code x} is not {@code [...batch, D]}, or the context does not fit
     */
    public abstract Result forward(Tensor x, Tensor context);

    /**
     * {@code x = f⁻¹(y; c)} and {@code log|det ∂x/∂y|}.
     *
     * @param context {@code c}, {@code [..., C]}, or {@code null} for a flow without context
     * @throws ShapeException if {@code y} is not {@code [...batch, D]}, or the context does not fit
     */
    public abstract Result inverse(Tensor y, Tensor context);

    @Override
    public int contextSize() {
        return made.contextSize();
    }

    @Override
    public Bijector given(Tensor context) {
        if (contextSize() == 0) {
            throw new IllegalStateException(getClass().getSimpleName() + ".given: this flow reads no context");
        }
        if (context.rank() < 1 || context.dim(-1) != contextSize()) {
            throw new ShapeException(getClass().getSimpleName() + ".given: context of shape "
                    + context.shape() + " is not [..., " + contextSize() + "]");
        }
        return new Given(context, false);
    }

    /** {@code f(·; c)} with {@code c} fixed; its detached view holds the parameters constant and detaches c. */
    private final class Given implements Bijector {
        private final Tensor context;
        private final boolean constant;

        Given(Tensor context, boolean constant) {
            this.context = context;
            this.constant = constant;
        }

        @Override
        public Result forward(Tensor x) {
            if (!constant) {
                return AutoregressiveAffineFlow.this.forward(x, context);
            }
            try (Autograd.Scope constants = asConstants()) {
                return AutoregressiveAffineFlow.this.forward(x, context);
            }
        }

        @Override
        public Result inverse(Tensor y) {
            if (!constant) {
                return AutoregressiveAffineFlow.this.inverse(y, context);
            }
            try (Autograd.Scope constants = asConstants()) {
                return AutoregressiveAffineFlow.this.inverse(y, context);
            }
        }

        @Override
        public Bijector detached() {
            return constant ? this : new Given(context.detach(), true);
        }
    }
}
