package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;

/**
 * One layer of the inverse autoregressive flow (IAF; Kingma, Salimans, Jozefowicz, Chen, Sutskever &amp;
 * Welling 2016): an affine autoregressive map whose shift {@code μ_i} and log-scale {@code α_i} are
 * computed by a {@link Made} from the <em>noise</em> coordinates that precede {@code i} in the ordering.
 * With {@code u} the base noise and {@code x} the output:
 *
 * <pre>
 *   forward (sampling, one pass):
 *       x_i = u_i · exp(α_i(u_{&lt;i})) + μ_i(u_{&lt;i}),        log|det ∂x/∂u| =  Σ_i α_i(u_{&lt;i})
 *   inverse (density, D sequential passes):
 *       u_i = (x_i - μ_i(u_{&lt;i})) · exp(-α_i(u_{&lt;i})),    log|det ∂u/∂x| = -Σ_i α_i(u_{&lt;i})
 * </pre>
 *
 * where {@code α = B·tanh(α̂ / B)} bounds the MADE's raw output ({@link Flow#softClamp}). It is the
 * mirror image of {@link MaskedAutoregressiveFlow}: cheap to sample <em>and to score its own samples</em>
 * (the log-det comes with the forward pass, see
 * {@link elbo.nn.dist.TransformedDistribution#rsampleWithLogProb}), which makes it a good variational
 * posterior; but scoring an arbitrary point needs {@code u}, found one coordinate per MADE pass, so as a
 * prior (evaluated on every encoder sample) it costs {@code D} passes per step. The unrolled passes are
 * differentiable with the exact gradient. The MADE's output layer starts at zero: a new layer is the
 * identity.
 */
public final class InverseAutoregressiveFlow extends AutoregressiveAffineFlow {

    /**
     * A layer with a ReLU MADE and the default log-scale bound.
     *
     * @param ordering the MADE's ordering ({@link Made#naturalOrder} etc.)
     * @param hidden   the MADE's hidden widths
     * @throws IllegalArgumentException as {@link Made#Made}
     */
    public InverseAutoregressiveFlow(int[] ordering, int[] hidden, DType dtype, Rng rng) {
        this(ordering, hidden, Activation.Kind.RELU, DEFAULT_LOG_SCALE_BOUND, dtype, rng);
    }

    /**
     * @param ordering      the MADE's ordering
     * @param hidden        the MADE's hidden widths
     * @param activation    the MADE's hidden nonlinearity
     * @param logScaleBound {@code B}
     * @throws IllegalArgumentException as {@link Made#Made}, or if the bound is not positive
     */
    public InverseAutoregressiveFlow(int[] ordering, int[] hidden, Activation.Kind activation, double logScaleBound,
            DType dtype, Rng rng) {
        this(ordering, hidden, 0, activation, logScaleBound, dtype, rng);
    }

    /**
     * A layer whose MADE also reads a context of size {@code contextSize} (see {@link Made}); use it through
     * {@link #given} or the two-argument {@link #forward(Tensor, Tensor)} and {@link #inverse(Tensor, Tensor)}.
     *
     * @throws IllegalArgumentException as {@link Made#Made}, or if the bound is not positive
     */
    public InverseAutoregressiveFlow(int[] ordering, int[] hidden, int contextSize, Activation.Kind activation,
            double logScaleBound, DType dtype, Rng rng) {
        super(ordering, hidden, contextSize, activation, logScaleBound, dtype, rng);
    }

    /** {@code x = u ⊙ exp(α(u)) + μ(u)} in one MADE pass; log-det {@code Σ α}. */
    @Override
    public Result forward(Tensor u, Tensor context) {
        checkInput(u, "forward");
        Tensor[] shiftLogScale = shiftAndLogScale(u, context);
        Tensor alpha = shiftLogScale[1];
        Tensor x = u.mul(alpha.exp()).add(shiftLogScale[0]);
        return new Result(x, alpha.sum(-1, false));
    }

    /**
     * {@code u = (x - μ(u)) ⊙ exp(-α(u))} solved by {@code D} sequential MADE passes; log-det {@code -Σ α}.
     */
    @Override
    public Result inverse(Tensor x, Tensor context) {
        checkInput(x, "inverse");
        Tensor u = Tensor.zerosLike(x);
        Tensor alpha = null;
        for (int pass = 0; pass < eventSize(); pass++) {
            Tensor[] shiftLogScale = shiftAndLogScale(u, context);
            alpha = shiftLogScale[1];
            u = x.sub(shiftLogScale[0]).mul(alpha.neg().exp());
        }
        return new Result(u, alpha.sum(-1, false).neg());
    }
}
