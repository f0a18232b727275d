package elbo.models.vae.decoder;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.ShapeException;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Networks;
import elbo.nn.Layer;
import elbo.nn.Linear;
import elbo.nn.dist.Bernoulli;

/**
 * The factorised decoder for binary data:
 *
 * <pre>
 *   ℓ = W_out net(z) + b_out,     p(x|z) = Π_i Bernoulli(x_i; σ(ℓ_i)),
 *   log p(x|z) = Σ_i x_i ℓ_i − softplus(ℓ_i)
 * </pre>
 *
 * The output bias may start at the logit of the mean pixel of the training data ({@link #initOutputBias}),
 * so that training begins at the best image-independent model instead of at p = ½ everywhere.
 */
public final class BernoulliDecoder extends Decoder {
    private final Layer net;
    private final Linear out;

    /**
     * @param net         the trunk {@code z -> h} (an empty {@link elbo.nn.Sequential} for a linear decoder)
     * @param featureSize the width of {@code h}
     */
    public BernoulliDecoder(Layer net, int featureSize, int outputSize, DType dtype, Rng rng) {
        this.net = child("net", net);
        this.out = child("out", new Linear(featureSize, outputSize, dtype, rng));
    }

    /** An MLP decoder: {@code layers} hidden layers of width {@code hidden}. */
    public static BernoulliDecoder mlp(Networks.Net net, int latentSize, int hidden, int layers, int outputSize,
            DType dtype, Rng rng) {
        return new BernoulliDecoder(Networks.trunk(net, latentSize, hidden, layers, dtype, rng),
                Networks.outputSize(latentSize, hidden, layers), outputSize, dtype, rng);
    }

    /** The logits {@code ℓ(z)}, {@code [..., X]}. */
    public Tensor logits(Tensor z) {
        return out.forward(net.forward(z));
    }

    @Override
    public Bernoulli p(Tensor z) {
        return new Bernoulli(logits(z));
    }

    /**
     * Sets {@code b_out,i = logit(clamp(m_i, 10⁻³, 1 − 10⁻³))} for the mean pixel values {@code m: [X]} of
     * the training data.
     *
     * @throws ShapeException if {@code meanPixel} is not {@code [X]}
     */
    public void initOutputBias(Tensor meanPixel) {
        if (meanPixel.rank() != 1 || meanPixel.dim(0) != outputSize()) {
            throw new ShapeException("BernoulliDecoder.initOutputBias: mean pixel of shape " + meanPixel.shape()
                    + " is not [" + outputSize() + "]");
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int i = 0; i < outputSize(); i++) {
                double m = Math.min(1 - 1e-3, Math.max(1e-3, meanPixel.getFlat(i)));
                out.bias().setFlat(i, Math.log(m / (1 - m)));
            }
        }
    }

    /** The output layer {@code ℓ = W_out h + b_out}. */
    public Linear outputLayer() {
        return out;
    }

    @Override
    public int outputSize() {
        return out.outFeatures();
    }
}
