package elbo.models.vae.decoder;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.models.vae.Networks;
import elbo.nn.Conv2d;
import elbo.nn.Layer;
import elbo.nn.Linear;
import elbo.nn.MaskedConv2d;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.NoClosedFormException;

import java.util.Arrays;

/**
 * An autoregressive decoder over binary images in the spirit of PixelVAE (Gulrajani et al. 2016):
 *
 * <pre>
 *   p(x|z) = Π_i Bernoulli(x_i; σ(ℓ_i(x_{&lt;i}, z)))                       i in raster order
 *   m = zNet(z) ∈ R^{H·W}                                               a map of z, one value per pixel
 *   L = 0:   ℓ = m                                                      the factorised decoder
 *   L ≥ 1:   h_1 = relu(A(x) + c_1(m)),  h_l = relu(B_l(h_{l-1}) + c_l(m)),  ℓ = out(h_L)
 * </pre>
 *
 * {@code A} is a PixelCNN masked convolution of type A (pixel {@code i} unseen), {@code B_l} of type B,
 * {@code c_l} and {@code out} are 1×1 convolutions: z conditions every layer, and pixel {@code i}'s logit
 * sees the pixels above and to the left of it within the receptive field, which grows by {@code k/2} rows
 * per layer: the number of masked layers {@code L} sets how much local structure the decoder can model
 * without z (the lecture's posterior-collapse knob).
 *
 * <p>The log-likelihood is teacher-forced: one pass over the true image gives every {@code ℓ_i}. The first
 * layer reads only {@code x}, so for {@code K} codes per image it runs once per image and is broadcast over
 * the {@code K} codes. Sampling is ancestral: {@code H·W} passes, pixel by pixel.
 */
public final class PixelCnnDecoder extends Decoder {
    private final int height;
    private final int width;
    private final int channels;
    private final Layer zNet;
    private final Linear zMap;
    private final MaskedConv2d[] masked;
    private final Conv2d[] condition;
    private final Conv2d out;

    /**
     * @param zNet        the trunk {@code z -> h} of the map {@code m = W h + b}
     * @param featureSize the width of {@code h}
     * @param layers      {@code L ≥ 0} masked convolutions
     * @param channels    their feature channels
     * @param kernelSize  their (odd) kernel size
     * @throws IllegalArgumentException if a size is not positive, {@code layers < 0} or the kernel is even
     */
    public PixelCnnDecoder(Layer zNet, int featureSize, int height, int width, int layers, int channels,
            int kernelSize, DType dtype, Rng rng) {
        if (height < 1 || width < 1 || layers < 0 || channels < 1) {
            throw new IllegalArgumentException("PixelCnnDecoder: need height, width, channels ≥ 1 and layers ≥ 0; got "
                    + height + "x" + width + ", layers=" + layers + ", channels=" + channels);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.zNet = child("zNet", zNet);
        this.zMap = child("zMap", new Linear(featureSize, height * width, dtype, rng));
        this.masked = new MaskedConv2d[layers];
        this.condition = new Conv2d[layers];
        for (int l = 0; l < layers; l++) {
            masked[l] = child("masked" + l, new MaskedConv2d(l == 0 ? 1 : channels, channels, kernelSize,
                    l == 0 ? MaskedConv2d.MaskType.A : MaskedConv2d.MaskType.B, dtype, rng));
            condition[l] = child("condition" + l, new Conv2d(1, channels, 1, 1, 0, dtype, rng));
        }
        this.out = layers == 0 ? null : child("out", new Conv2d(channels, 1, 1, 1, 0, dtype, rng));
    }

    /** {@code zNet} an MLP of {@code netLayers} hidden layers of width {@code hidden}. */
    public static PixelCnnDecoder of(Networks.Net net, int latentSize, int hidden, int netLayers, int height,
            int width, int layers, int channels, int kernelSize, DType dtype, Rng rng) {
        return new PixelCnnDecoder(Networks.trunk(net, latentSize, hidden, netLayers, dtype, rng),
                Networks.outputSize(latentSize, hidden, netLayers), height, width, layers, channels, kernelSize,
                dtype, rng);
    }

    /**
     * The logits {@code ℓ_i(x_{<i}, z)}, of the broadcast batch shape of {@code x: [..., H·W]} and
     * {@code z: [..., D]}, which must be {@code z}'s batch shape.
     *
     * @throws ShapeException if {@code x} is not {@code [..., H·W]} or its batch does not broadcast to z's
     */
    public Tensor logits(Tensor x, Tensor z) {
        int pixels = height * width;
        if (x.rank() < 1 || x.dim(-1) != pixels) {
            throw new ShapeException("PixelCnnDecoder: image of shape " + x.shape() + " is not [..., " + pixels + "]");
        }
        Shape batch = z.shape().without(z.rank() - 1);
        Tensor m = zMap.forward(zNet.forward(z));                                   // [...batch, H·W]
        if (masked.length == 0) {
            return m;
        }
        int n = batch.numel();
        Tensor mImage = m.reshape(n, 1, height, width);
        Tensor xImage = x.reshape(-1, 1, height, width);                             // x's own batch, once
        int[] flatDims = Arrays.copyOf(batch.dims(), batch.rank() + 1);
        flatDims[batch.rank()] = channels * pixels;
        int[] xFlat = x.shape().dims();
        xFlat[xFlat.length - 1] = channels * pixels;
        Tensor first = masked[0].forward(xImage).reshape(xFlat);
        Tensor h = first.add(condition[0].forward(mImage).reshape(flatDims));
        if (!h.shape().equals(Shape.of(flatDims))) {
            throw new ShapeException("PixelCnnDecoder: image batch " + x.shape() + " does not broadcast to the codes' "
                    + "batch " + batch);
        }
        h = h.relu().reshape(n, channels, height, width);
        for (int l = 1; l < masked.length; l++) {
            h = masked[l].forward(h).add(condition[l].forward(mImage)).relu();
        }
        int[] outDims = Arrays.copyOf(batch.dims(), batch.rank() + 1);
        outDims[batch.rank()] = pixels;
        return out.forward(h).reshape(outDims);
    }

    @Override
    public Distribution p(Tensor z) {
        return new AutoregressiveBernoulli(this, z, false);
    }

    /**
     * Ancestral sampling: {@code x_i ~ Bernoulli(σ(ℓ_i(x_{<i}, z)))} for {@code i = 0 .. H·W-1}, one pass per
     * pixel. Returns the sample and, beside it, the probabilities {@code σ(ℓ_i)} it was drawn with.
     */
    Tensor[] ancestralSample(Tensor z, Rng rng) {
        Shape batch = z.shape().without(z.rank() - 1);
        int n = batch.numel();
        int pixels = height * width;
        Tensor codes = z.detach().reshape(n, z.dim(-1));
        Tensor x = Tensor.zeros(z.dtype(), n, pixels);
        Tensor probs = Tensor.zeros(z.dtype(), n, pixels);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int i = 0; i < pixels; i++) {
                Tensor logits = logits(x, codes);
                for (int b = 0; b < n; b++) {
                    double p = 1.0 / (1.0 + Math.exp(-logits.getFlat(b * pixels + i)));
                    probs.setFlat(b * pixels + i, p);
                    x.setFlat(b * pixels + i, rng.nextDouble() < p ? 1.0 : 0.0);
                }
            }
        }
        int[] dims = Arrays.copyOf(batch.dims(), batch.rank() + 1);
        dims[batch.rank()] = pixels;
        return new Tensor[] {x.reshape(dims), probs.reshape(dims)};
    }

    /** The probabilities {@code σ(ℓ_i)} along an ancestral sample: a picture of {@code p(x|z)}. */
    @Override
    public Tensor mean(Tensor z, Rng rng) {
        return ancestralSample(z, rng)[1];
    }

    /** {@code L}, the number of masked convolutions. */
    public int maskedLayers() {
        return masked.length;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    @Override
    public int outputSize() {
        return height * width;
    }

    /** {@code p(x|z)} of a PixelCNN decoder at fixed codes {@code z}. */
    private record AutoregressiveBernoulli(PixelCnnDecoder decoder, Tensor z, boolean constant)
            implements Distribution {

        /** {@code Σ_i x_i ℓ_i − softplus(ℓ_i)}, teacher-forced: one pass over {@code x}. */
        @Override
        public Tensor logProb(Tensor x) {
            if (x.dtype() != z.dtype()) {
                throw new elbo.core.DTypeException("PixelCnnDecoder.logProb: image is " + x.dtype() + " but the codes are "
                        + z.dtype());
            }
            if (!constant) {
                return logProbOf(x);
            }
            try (Autograd.Scope ignored = decoder.asConstants()) {
                return logProbOf(x);
            }
        }

        private Tensor logProbOf(Tensor x) {
            Tensor logits = decoder.logits(x, z);
            return logits.bernoulliLogProb(x);
        }

        @Override
        public Tensor sample(Rng rng) {
            return decoder.ancestralSample(z, rng)[0];
        }

        @Override
        public Tensor sample(Rng rng, int n) {
            if (n < 1) {
                throw new IllegalArgumentException("PixelCnnDecoder.sample: n must be at least 1, got " + n);
            }
            int[] dims = new int[z.rank() + 1];
            dims[0] = n;
            System.arraycopy(z.shape().dims(), 0, dims, 1, z.rank());
            return decoder.ancestralSample(z.unsqueeze(0).broadcastTo(dims), rng)[0];
        }

        @Override
        public Tensor mean() {
            throw new NoClosedFormException(this, "mean");
        }

        @Override
        public Distribution detached() {
            return new AutoregressiveBernoulli(decoder, z.detach(), true);
        }

        @Override
        public int eventSize() {
            return decoder.outputSize();
        }

        @Override
        public Shape batchShape() {
            return z.shape().without(z.rank() - 1);
        }

        @Override
        public elbo.core.DType dtype() {
            return z.dtype();
        }

        @Override
        public String toString() {
            return "PixelCNN p(x|z) (" + decoder.maskedLayers() + " masked layers, batch " + batchShape() + ")";
        }
    }
}
