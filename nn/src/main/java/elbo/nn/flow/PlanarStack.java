package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;

import java.util.List;

/**
 * {@code K} planar layers applied in order, {@code f = f_K ∘ ... ∘ f_1} (see {@link PlanarFlow}):
 *
 * <pre>
 *   forward:  z_k = f_k(z_{k-1}),   log|det ∂f/∂z_0| = Σ_k log(1 + m(w_kᵀu_k)(1 - tanh²(w_kᵀz_{k-1} + b_k)))
 *   inverse:  no closed form (throws UnsupportedOperationException; see numericalInverse)
 * </pre>
 *
 * As a variational posterior it is used forward only. As a density model it is fitted in the normalizing
 * direction and sampled through the numerical inverse:
 * <pre>{@code
 *   PlanarStack f = Flows.planar(2, 32, DType.FLOAT64, rng);
 *   TransformedDistribution model = Flows.distribution(new Inverted(f));   // logProb(x) = log N(f(x)) + log|det f'(x)|
 *   Tensor samples = f.numericalInverse(model.base().sample(rng, 1000));   // x = f⁻¹(u), no gradients
 * }</pre>
 * The layers are children named {@code 0 .. K-1}.
 */
public final class PlanarStack extends Flow {
    private final PlanarFlow[] layers;

    /**
     * {@code layers} identity-initialised planar layers on {@code R^D}.
     *
     * @throws IllegalArgumentException if {@code layers < 1} or {@code eventSize < 1}
     */
    public PlanarStack(int eventSize, int layers, DType dtype, Rng rng) {
        super(eventSize, dtype);
        if (layers < 1) {
            throw new IllegalArgumentException("PlanarStack: needs at least one layer, got " + layers);
        }
        this.layers = new PlanarFlow[layers];
        for (int k = 0; k < layers; k++) {
            this.layers[k] = child(Integer.toString(k), new PlanarFlow(eventSize, dtype, rng));
        }
    }

    /** The layers in forward order. */
    public List<PlanarFlow> layers() {
        return List.of(layers);
    }

    /** {@code f_K(...f_1(z))}, log-dets summed. */
    @Override
    public Result forward(Tensor z) {
        checkInput(z, "forward");
        return Composition.chainForward(List.of(layers), z);
    }

    /**
     * Not available: planar layers have no closed-form inverse. Use {@link #numericalInverse} for values
     * without gradients, or fit the stack in the normalizing direction through {@link Inverted}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Result inverse(Tensor y) {
        throw new UnsupportedOperationException("PlanarStack has no closed-form inverse; use numericalInverse(y) "
                + "for values without gradients, or fit it in the normalizing direction through Inverted");
    }

    /**
     * {@code f_1⁻¹(...f_K⁻¹(y))} by each layer's {@link PlanarFlow#numericalInverse}: values only, no
     * gradients.
     *
     * @throws elbo.core.ShapeException if {@code y} is not {@code [...batch, D]}
     * @throws elbo.core.DTypeException if {@code y}'s dtype differs from the stack's
     */
    public Tensor numericalInverse(Tensor y) {
        checkInput(y, "numericalInverse");
        for (int k = layers.length - 1; k >= 0; k--) {
            y = layers[k].numericalInverse(y);
        }
        return y;
    }
}
