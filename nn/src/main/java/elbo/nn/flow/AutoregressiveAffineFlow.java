package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Init;

/**
 * What MAF and IAF share: an affine autoregressive map {@code x_i = u_i · exp(α_i) + μ_i} whose shift
 * {@code μ} and log-scale {@code α = B·tanh(α̂ / B)} come from a {@link Made}. They differ only in what
 * the MADE reads — the data {@code x} (MAF) or the noise {@code u} (IAF) — and therefore in which direction
 * takes one pass and which takes {@code D}. The MADE's output layer starts at zero, so a new layer is the
 * identity.
 */
public abstract sealed class AutoregressiveAffineFlow extends Flow
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
    AutoregressiveAffineFlow(int[] ordering, int[] hidden, Activation.Kind activation, double logScaleBound,
                             DType dtype, Rng rng) {
        super(ordering.length, dtype);
        this.bound = checkBound(logScaleBound);
        this.made = child("made", new Made(ordering, hidden, 2, activation, dtype, rng));
        Init.zeros(made.layers()[made.layers().length - 1].weight());
    }

    /** The conditioner: output 0 is {@code μ}, output 1 is the raw log-scale {@code α̂}. */
    public Made made() {
        return made;
    }

    /** {@code (μ, α)} of the MADE applied to {@code input}, with the log-scale bounded. */
    final Tensor[] shiftAndLogScale(Tensor input) {
        Tensor[] out = made.forward(input);
        return new Tensor[] {out[0], softClamp(out[1], bound)};
    }
}
