package elbo.models.vae;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.nn.Activation;
import elbo.nn.GatedDense;
import elbo.nn.Layer;
import elbo.nn.Linear;
import elbo.nn.Sequential;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hidden layers ("trunks") that encoders and decoders are built from. A trunk of {@code L} layers of
 * width {@code H} maps {@code [..., in] -> [..., H]}, every layer followed by its nonlinearity:
 *
 * <pre>
 *   tanh, relu:  h_l = act(W_l h_{l-1} + b_l)
 *   gated:       h_l = (W_l h_{l-1} + b_l) ⊙ σ(V_l h_{l-1} + c_l)      (VampPrior paper's GatedDense)
 * </pre>
 *
 * A trunk of 0 layers is the identity (so an encoder's heads read {@code x} itself: a linear encoder).
 */
public final class Networks {
    private Networks() {
    }

    /** The hidden-layer kinds of the command line's {@code --net}. */
    public enum Net {
        TANH, RELU, GATED;

        /**
         * The kind named {@code name}, case-insensitive.
         *
         * @throws IllegalArgumentException listing the valid names
         */
        public static Net parse(String name) {
            for (Net n : values()) {
                if (n.name().equalsIgnoreCase(name)) {
                    return n;
                }
            }
            throw new IllegalArgumentException("unknown net '" + name + "'; expected one of tanh, relu, gated");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code layers} hidden layers of width {@code hidden} on inputs of size {@code in}.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code layers < 0}
     */
    public static Sequential trunk(Net net, int in, int hidden, int layers, DType dtype, Rng rng) {
        if (in < 1 || hidden < 1 || layers < 0) {
            throw new IllegalArgumentException("Networks.trunk: need in ≥ 1, hidden ≥ 1, layers ≥ 0; got in=" + in
                    + ", hidden=" + hidden + ", layers=" + layers);
        }
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int width = l == 0 ? in : hidden;
            if (net == Net.GATED) {
                out.add(new GatedDense(width, hidden, dtype, rng));
            } else {
                out.add(new Linear(width, hidden, dtype, rng));
                out.add(new Activation(net == Net.TANH ? Activation.Kind.TANH : Activation.Kind.RELU));
            }
        }
        return new Sequential(out);
    }

    /** The width of a trunk's output: {@code hidden}, or {@code in} for a trunk of 0 layers. */
    public static int outputSize(int in, int hidden, int layers) {
        return layers == 0 ? in : hidden;
    }
}
