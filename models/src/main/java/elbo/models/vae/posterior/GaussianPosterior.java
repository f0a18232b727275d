package elbo.models.vae.posterior;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.models.vae.Networks;
import elbo.nn.Layer;
import elbo.nn.Linear;
import elbo.nn.dist.Normal;

/**
 * The Gaussian encoder of the VAE:
 *
 * <pre>
 *   h = net(x),   μ = W_μ h + b_μ,   v = hardtanh(W_v h + b_v, v_min, v_max),
 *   q(z|x) = N(z; μ, diag e^v)
 * </pre>
 *
 * The log-variance {@code v} is kept in {@code [v_min, v_max]} (default {@code [-6, 2]}, the VampPrior
 * code's hardtanh): outside it the gradient is zero, so a variance can neither collapse to 0 nor blow up.
 * The features {@code h} are also the context an {@link IafPosterior} conditions its flow on.
 */
public final class GaussianPosterior extends Posterior {
    /** The VampPrior code's bounds on the log-variance. */
    public static final double MIN_LOG_VAR = -6.0;
    public static final double MAX_LOG_VAR = 2.0;

    /** {@code q(z|x)} together with the features {@code h} it was computed from. */
    public record Encoding(Normal q, Tensor features) {
    }

    private final Layer net;
    private final Linear mean;
    private final Linear logVar;
    private final int inputSize;
    private final double minLogVar;
    private final double maxLogVar;

    /**
     * @param net         the trunk {@code x -> h} (an empty {@link elbo.nn.Sequential} for a linear encoder)
     * @param featureSize the width of {@code h}
     * @throws IllegalArgumentException if a size is not positive or {@code minLogVar >= maxLogVar}
     */
    public GaussianPosterior(Layer net, int inputSize, int featureSize, int latentSize, double minLogVar,
            double maxLogVar, DType dtype, Rng rng) {
        if (inputSize < 1 || featureSize < 1 || latentSize < 1) {
            throw new IllegalArgumentException("GaussianPosterior: sizes must be positive, got input=" + inputSize
                    + ", features=" + featureSize + ", latent=" + latentSize);
        }
        if (!(minLogVar < maxLogVar)) {
            throw new IllegalArgumentException("GaussianPosterior: need minLogVar < maxLogVar, got [" + minLogVar
                    + ", " + maxLogVar + "]");
        }
        this.inputSize = inputSize;
        this.minLogVar = minLogVar;
        this.maxLogVar = maxLogVar;
        this.net = child("net", net);
        this.mean = child("mean", new Linear(featureSize, latentSize, dtype, rng));
        this.logVar = child("logVar", new Linear(featureSize, latentSize, dtype, rng));
    }

    /** An MLP encoder: {@code layers} hidden layers of width {@code hidden}, log-variance in [-6, 2]. */
    public static GaussianPosterior mlp(Networks.Net net, int inputSize, int hidden, int layers, int latentSize,
            DType dtype, Rng rng) {
        return new GaussianPosterior(Networks.trunk(net, inputSize, hidden, layers, dtype, rng), inputSize,
                Networks.outputSize(inputSize, hidden, layers), latentSize, MIN_LOG_VAR, MAX_LOG_VAR, dtype, rng);
    }

    /**
     * {@code q(z|x)} and {@code h}.
     *
     * @throws ShapeException if {@code x} is not {@code [..., X]}
     */
    public Encoding encode(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != inputSize) {
            throw new ShapeException("GaussianPosterior: input of shape " + x.shape() + " is not [..., " + inputSize
                    + "]");
        }
        Tensor h = net.forward(x);
        Normal q = Normal.fromMeanLogVar(mean.forward(h), logVar.forward(h).clamp(minLogVar, maxLogVar));
        return new Encoding(q, h);
    }

    @Override
    public Normal q(Tensor x) {
        return encode(x).q();
    }

    /** The linear map to {@code μ}. */
    public Linear meanHead() {
        return mean;
    }

    /** The linear map to the (unclamped) log-variance. */
    public Linear logVarHead() {
        return logVar;
    }

    /** The width of the features {@code h}. */
    public int featureSize() {
        return mean.inFeatures();
    }

    @Override
    public int latentSize() {
        return mean.outFeatures();
    }

    @Override
    public int inputSize() {
        return inputSize;
    }
}
