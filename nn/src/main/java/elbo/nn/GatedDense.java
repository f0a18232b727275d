package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;

/**
 * Gated dense layer of the VampPrior paper (Tomczak &amp; Welling, 2018):
 * {@code h = (W1 x + b1) ⊙ σ(W2 x + b2)} — a linear map whose every unit is scaled by a learned gate.
 */
public final class GatedDense extends Layer {
    private final Linear value;
    private final Linear gate;

    public GatedDense(int in, int out, DType dtype, Rng rng) {
        this.value = child("value", new Linear(in, out, dtype, rng));
        this.gate = child("gate", new Linear(in, out, dtype, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        return value.forward(x).mul(gate.forward(x).sigmoid());
    }
}
