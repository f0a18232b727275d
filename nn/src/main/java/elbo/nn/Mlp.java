package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds multilayer perceptrons: {@code Mlp.of(TANH, dtype, rng, 784, 300, 300, 40)} is
 * Linear(784→300), tanh, Linear(300→300), tanh, Linear(300→40) — no activation after the last layer.
 */
public final class Mlp {
    private Mlp() {
    }

    /**
     * An MLP through the given widths (at least two).
     *
     * @throws IllegalArgumentException if fewer than two widths are given
     */
    public static Sequential of(Activation.Kind activation, DType dtype, Rng rng, int... widths) {
        return build(activation, false, dtype, rng, widths);
    }

    /** As {@link #of}, with {@link GatedDense} hidden layers (gated layers carry their own nonlinearity). */
    public static Sequential gated(DType dtype, Rng rng, int... widths) {
        return build(Activation.Kind.IDENTITY, true, dtype, rng, widths);
    }

    private static Sequential build(Activation.Kind activation, boolean gated, DType dtype, Rng rng, int... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("Mlp: need at least an input and an output width, got "
                    + java.util.Arrays.toString(widths));
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            boolean last = i + 2 == widths.length;
            if (gated && !last) {
                layers.add(new GatedDense(widths[i], widths[i + 1], dtype, rng));
            } else {
                layers.add(new Linear(widths[i], widths[i + 1], dtype, rng));
                if (!last && activation != Activation.Kind.IDENTITY) {
                    layers.add(new Activation(activation));
                }
            }
        }
        return new Sequential(layers);
    }
}
