package elbo.models.vae;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.models.vae.decoder.BernoulliDecoder;
import elbo.models.vae.decoder.Decoder;
import elbo.models.vae.decoder.PixelCnnDecoder;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.posterior.IafPosterior;
import elbo.models.vae.posterior.Posterior;
import elbo.models.vae.prior.FlowPrior;
import elbo.models.vae.prior.MixturePrior;
import elbo.models.vae.prior.Prior;
import elbo.models.vae.prior.StandardPrior;
import elbo.models.vae.prior.VampPrior;

import java.util.Locale;

/**
 * The architecture of a VAE for binary images, one choice per part. Defaults ({@link #mnist()}) are the
 * VampPrior paper's one-stochastic-layer model where it states them; the command line overrides any
 * component with {@code --key=value}.
 *
 * @param imageHeight     image rows (28 for MNIST); the data size is {@code height × width}
 * @param imageWidth      image columns
 * @param latent          {@code D}, the latent size (40)
 * @param hidden          width of the encoder's and decoder's hidden layers (300)
 * @param hiddenLayers    hidden layers of each MLP (2)
 * @param net             their kind: gated (the paper's GatedDense), tanh (the IWAE paper's) or relu
 * @param posterior       gaussian, or iaf (Gaussian + IAF steps conditioned on the encoder's features)
 * @param iafSteps        IAF steps of an iaf posterior (2)
 * @param decoder         mlp (factorised Bernoulli) or pixelcnn (autoregressive)
 * @param decoderLayers   masked convolutions of a pixelcnn decoder (3; 0 is the factorised decoder)
 * @param pixelChannels   their channels (32)
 * @param pixelKernel     their (odd) kernel size (5)
 * @param prior           standard, mog, vamp, realnvp, maf or iaf
 * @param priorComponents mixture components or VampPrior pseudo-inputs (500, the paper's K)
 * @param flowLayers      layers of a flow prior (4)
 * @param flowHidden      hidden width of flow conditioners and of IAF posterior MADEs (128)
 */
public record VaeConfig(int imageHeight, int imageWidth, int latent, int hidden, int hiddenLayers, Networks.Net net,
                        PosteriorKind posterior, int iafSteps, DecoderKind decoder, int decoderLayers,
                        int pixelChannels, int pixelKernel, PriorKind prior, int priorComponents, int flowLayers,
                        int flowHidden) {

    /** The posterior families. */
    public enum PosteriorKind { GAUSSIAN, IAF;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The decoder families. */
    public enum DecoderKind { MLP, PIXELCNN;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The prior families. */
    public enum PriorKind { STANDARD, MOG, VAMP, REALNVP, MAF, IAF;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /**
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public VaeConfig {
        positive("imageHeight", imageHeight);
        positive("imageWidth", imageWidth);
        positive("latent", latent);
        positive("hidden", hidden);
        nonNegative("hiddenLayers", hiddenLayers);
        positive("iafSteps", iafSteps);
        nonNegative("decoderLayers", decoderLayers);
        positive("pixelChannels", pixelChannels);
        if (pixelKernel < 1 || pixelKernel % 2 == 0) {
            throw new IllegalArgumentException("pixelKernel must be a positive odd number, got " + pixelKernel);
        }
        positive("priorComponents", priorComponents);
        positive("flowLayers", flowLayers);
        positive("flowHidden", flowHidden);
    }

    /** The MNIST model: 28×28, D = 40, two gated layers of 300, Gaussian posterior, MLP decoder, N(0, I). */
    public static VaeConfig mnist() {
        return new VaeConfig(
                28, 28,                     // image size
                40,                         // latent size D
                300, 2, Networks.Net.GATED, // MLPs: width, hidden layers, kind
                PosteriorKind.GAUSSIAN, 2,  // posterior, IAF steps
                DecoderKind.MLP, 3, 32, 5,  // decoder, PixelCNN masked layers, channels, kernel
                PriorKind.STANDARD, 500,    // prior, components / pseudo-inputs
                4, 128);                    // flow layers, flow hidden width
    }

    /** {@code X = height × width}. */
    public int dataSize() {
        return imageHeight * imageWidth;
    }

    /**
     * The VAE this configuration describes.
     *
     * @param trainingImages {@code [N, X]} or {@code null}: sets the Bernoulli decoder's output bias to the
     *                       logit of the mean pixel, and the VampPrior's pseudo-inputs to the first
     *                       {@code K} images (noise when null or fewer than {@code K})
     * @throws ShapeException if {@code trainingImages} is not {@code [N, X]}
     */
    public Vae build(DType dtype, Rng rng, Tensor trainingImages) {
        int x = dataSize();
        if (trainingImages != null && (trainingImages.rank() != 2 || trainingImages.dim(1) != x)) {
            throw new ShapeException("VaeConfig.build: training images of shape " + trainingImages.shape()
                    + " are not [N, " + x + "]");
        }
        GaussianPosterior gaussian = GaussianPosterior.mlp(net, x, hidden, hiddenLayers, latent, dtype, rng);
        Posterior q = posterior == PosteriorKind.IAF ? new IafPosterior(gaussian, iafSteps, flowHidden, dtype, rng)
                : gaussian;
        Decoder p = switch (decoder) {
            case MLP -> BernoulliDecoder.mlp(net, latent, hidden, hiddenLayers, x, dtype, rng);
            case PIXELCNN -> PixelCnnDecoder.of(net, latent, hidden, hiddenLayers, imageHeight, imageWidth,
                    decoderLayers, pixelChannels, pixelKernel, dtype, rng);
        };
        if (p instanceof BernoulliDecoder bernoulli && trainingImages != null) {
            bernoulli.initOutputBias(trainingImages.mean(0, false));
        }
        Prior pz = switch (prior) {
            case STANDARD -> new StandardPrior(latent, dtype);
            case MOG -> new MixturePrior(priorComponents, latent, dtype, rng);
            case VAMP -> trainingImages != null && trainingImages.dim(0) >= priorComponents
                    ? new VampPrior(q, trainingImages.narrow(0, 0, priorComponents).cast(dtype))
                    : VampPrior.withNoise(q, priorComponents, dtype, rng);
            case REALNVP -> FlowPrior.realNvp(latent, flowLayers, flowHidden, dtype, rng);
            case MAF -> FlowPrior.maf(latent, flowLayers, flowHidden, dtype, rng);
            case IAF -> FlowPrior.iaf(latent, flowLayers, flowHidden, dtype, rng);
        };
        return new Vae(q, p, pz);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be at least 0, got " + value);
        }
    }
}
