package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;

/**
 * One layer of the masked autoregressive flow (MAF; Papamakarios, Pavlakou &amp; Murray 2017): an affine
 * autoregressive map whose shift {@code μ_i} and log-scale {@code α_i} are computed by a {@link Made}
 * from the <em>data</em> coordinates that precede {@code i} in the ordering. With {@code x} the data and
 * {@code u} the base noise:
 *
 * <pre>
 *   forward (sampling, D sequential passes):
 *       x_i = u_i · exp(α_i(x_{&lt;i})) + μ_i(x_{&lt;i}),        log|det ∂x/∂u| =  Σ_i α_i(x_{&lt;i})
 *   inverse (density, one pass):
 *       u_i = (x_i - μ_i(x_{&lt;i})) · exp(-α_i(x_{&lt;i})),    log|det ∂u/∂x| = -Σ_i α_i(x_{&lt;i})
 * </pre>
 *
 * where {@code α = B·tanh(α̂ / B)} bounds the MADE's raw output {@code α̂} ({@link Flow#softClamp}) and
 * {@code x_{<i}} means the coordinates before {@code i} in the MADE's ordering.
 *
 * <p><b>Costs.</b> The inverse needs one MADE pass: all of {@code x} is known, so every {@code μ_i, α_i}
 * comes out at once; this is why MAF is the density model of choice. The forward pass must discover
 * {@code x} one position at a time: pass {@code k} evaluates the MADE on the partially built {@code x}
 * and fixes the {@code k}-th coordinate of the ordering, so sampling costs {@code D} MADE passes. The
 * unrolled passes are differentiable and, the dependence being strictly triangular, their gradient is
 * the exact gradient of the forward map. The MADE's output layer starts at zero: a new layer is the
 * identity.
 */
public final class MaskedAutoregressiveFlow extends AutoregressiveAffineFlow {

    /**
     * A layer with a ReLU MADE and the default log-scale bound.
     *
     * @param ordering the MADE's ordering ({@link Made#naturalOrder} etc.)
     * @param hidden   the MADE's hidden widths
     * @throws IllegalArgumentException as {@link Made#Made}
     */
    public MaskedAutoregressiveFlow(int[] ordering, int[] hidden, DType dtype, Rng rng) {
        this(ordering, hidden, Activation.Kind.RELU, DEFAULT_LOG_SCALE_BOUND, dtype, rng);
    }

    /**
     * @param ordering      the MADE's ordering
     * @param hidden        the MADE's hidden widths
     * @param activation    the MADE's hidden nonlinearity
     * @param logScaleBound {@code B}
     * @throws IllegalArgumentException as {@link Made#Made}, or if the bound is not positive
     */
    public MaskedAutoregressiveFlow(int[] ordering, int[] hidden, Activation.Kind activation, double logScaleBound,
            DType dtype, Rng rng) {
        this(ordering, hidden, 0, activation, logScaleBound, dtype, rng);
    }

    /**
     * A layer whose MADE also reads a context of size {@code contextSize} (see {@link Made}); use it through
     * {@link #given} or the two-argument {@link #forward(Tensor, Tensor)} and {@link #inverse(Tensor, Tensor)}.
     *
     * @throws IllegalArgumentException as {@link Made#Made}, or if the bound is not positive
     */
    public MaskedAutoregressiveFlow(int[] ordering, int[] hidden, int contextSize, Activation.Kind activation,
            double logScaleBound, DType dtype, Rng rng) {
        super(ordering, hidden, contextSize, activation, logScaleBound, dtype, rng);
    }

    /**
     * {@code x = u ⊙ exp(α(x)) + μ(x)} solved by {@code D} sequential MADE passes; log-det {@code Σ α}.
     */
    @Override
    public Result forward(Tensor u, Tensor context) {
        checkInput(u, "forward");
        Tensor x = Tensor.zerosLike(u);
        Tensor alpha = null;
        for (int pass = 0; pass < eventSize(); pass++) {
            Tensor[] shiftLogScale = shiftAndLogScale(x, context);
            alpha = shiftLogScale[1];
            x = u.mul(alpha.exp()).add(shiftLogScale[0]);
        }
        return new Result(x, alpha.sum(-1, false));
    }

    /** {@code u = (x - μ(x)) ⊙ exp(-α(x))} in one MADE pass; log-det {@code -Σ α}. */
    @Override
    public Result inverse(Tensor x, Tensor context) {
        checkInput(x, "inverse");
        Tensor[] shiftLogScale = shiftAndLogScale(x, context);
        Tensor alpha = shiftLogScale[1];
        Tensor u = x.sub(shiftLogScale[0]).mul(alpha.neg().exp());
        return new Result(u, alpha.sum(-1, false).neg());
    }
}
