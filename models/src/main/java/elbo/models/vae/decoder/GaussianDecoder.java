package elbo.models.vae.decoder;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Networks;
import elbo.nn.Layer;
import elbo.nn.Linear;
import elbo.nn.dist.Normal;

/**
 * The Gaussian decoder for continuous data, and with a linear map the decoder of the linear-Gaussian
 * model whose {@code log p(x)} and posterior are analytic:
 *
 * <pre>
 *   μ(z) = W_out net(z) + b_out,     p(x|z) = N(x; μ(z), σ² I)
 * </pre>
 *
 * with {@code log σ²} fixed (a buffer), one learned scalar, or learned per output coordinate.
 */
public final class GaussianDecoder extends Decoder {

    /** How {@code σ} is set. */
    public enum Noise { FIXED, GLOBAL, PER_OUTPUT }

    private final Layer net;
    private final Linear out;
    private final Tensor logVar;
    private final Noise noise;

    /**
     * @param net          the trunk {@code z -> h} (an empty {@link elbo.nn.Sequential}: {@code μ = Wz + b})
     * @param featureSize  the width of {@code h}
     * @param initialSigma {@code σ} (fixed, or the learned value's start)
     * @throws IllegalArgumentException if {@code initialSigma} is not positive
     */
    public GaussianDecoder(Layer net, int featureSize, int outputSize, Noise noise, double initialSigma, DType dtype,
            Rng rng) {
        if (!(initialSigma > 0)) {
            throw new IllegalArgumentException("GaussianDecoder: σ must be positive, got " + initialSigma);
        }
        this.noise = noise;
        this.net = child("net", net);
        this.out = child("out", new Linear(featureSize, outputSize, dtype, rng));
        Tensor v = Tensor.full(dtype, 2 * Math.log(initialSigma), noise == Noise.PER_OUTPUT ? outputSize : 1);
        this.logVar = noise == Noise.FIXED ? buffer("logVar", v) : parameter("logVar", v);
    }

    /** The linear decoder {@code μ = Wz + b} of the linear-Gaussian model. */
    public static GaussianDecoder linear(int latentSize, int outputSize, Noise noise, double sigma, DType dtype,
            Rng rng) {
        return new GaussianDecoder(Networks.trunk(Networks.Net.TANH, latentSize, 1, 0, dtype, rng), latentSize,
                outputSize, noise, sigma, dtype, rng);
    }

    @Override
    public Normal p(Tensor z) {
        Tensor mu = out.forward(net.forward(z));
        return Normal.fromMeanLogVar(mu, param(logVar).broadcastTo(mu.shape()));
    }

    /** The output layer {@code μ = W_out h + b_out}. */
    public Linear outputLayer() {
        return out;
    }

    /** {@code log σ²}: {@code [1]} or {@code [X]}. */
    public Tensor logVar() {
        return logVar;
    }

    public Noise noise() {
        return noise;
    }

    @Override
    public int outputSize() {
        return out.outFeatures();
    }
}
