package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;

/**
 * The masked convolution of PixelCNN (van den Oord et al., 2016): a stride-1, "same"-padded
 * {@link Conv2d} whose kernel is multiplied by a fixed binary mask so that output pixel {@code i}
 * (raster order: row by row, left to right) depends only on input pixels that come before it.
 * <pre>
 *   y = conv(x, weight ⊙ mask) + bias,   mask[i, j] = 1 if (i, j) precedes the centre (c, c), c = k / 2,
 *                                                      i.e. i &lt; c, or i = c and j &lt; c;
 *                                        type B also has mask[c, c] = 1 (type A excludes the centre)
 * </pre>
 * Type A is used for the first layer (the output at pixel {@code i} must not see input pixel {@code i}
 * itself); type B for later layers, whose input at pixel {@code i} already summarises only the pixels
 * before {@code i}. A stack "A, B, B, ..." is therefore autoregressive, and every extra layer widens the
 * receptive field by {@code k / 2} rows upwards and columns to each side (with PixelCNN's well-known
 * blind spot to the upper right).
 *
 * <p><b>Channels.</b> The channels of a pixel are not split into groups (no R → G → B ordering): the
 * mask is purely spatial, of shape {@code [k, k]}, and applies to every (output channel, input
 * channel) pair. So a pixel's channels are treated as one variable: under type A no output channel at
 * pixel {@code i} sees any input channel at pixel {@code i}; under type B every output channel sees all
 * input channels at pixel {@code i}. This is exact for one-channel images such as binarised MNIST.
 *
 * <p>The mask is a buffer (saved in the state dict, never trained). Because the forward pass uses
 * {@code weight ⊙ mask}, masked weight entries receive an exact zero gradient; they are also zeroed
 * at construction so that {@link #weight()} shows the kernel actually applied.
 */
public final class MaskedConv2d extends Conv2d {

    /** Whether the centre pixel of the kernel is excluded (A: first layer) or included (B: later layers). */
    public enum MaskType { A, B }

    private final MaskType type;
    private final Tensor mask;

    /**
     * A masked {@code kernelSize × kernelSize} convolution with stride 1, padding {@code kernelSize / 2}
     * (so the output has the input's height and width) and a bias.
     *
     * @throws IllegalArgumentException if a channel count is not positive or the kernel size is not a
     *                                  positive odd number (the mask needs a centre pixel)
     */
    public MaskedConv2d(int inChannels, int outChannels, int kernelSize, MaskType type, DType dtype, Rng rng) {
        super(inChannels, outChannels, checkOdd(kernelSize), kernelSize, 1, kernelSize / 2, true, dtype, rng);
        this.type = type;
        this.mask = buffer("mask", mask(type, kernelSize, dtype));
        int area = kernelSize * kernelSize;
        for (int i = 0; i < weight().numel(); i++) { // start with the masked entries at zero (not recorded)
            if (mask.getFlat(i % area) == 0.0) {
                weight().setFlat(i, 0.0);
            }
        }
    }

    private static int checkOdd(int kernelSize) {
        if (kernelSize <= 0 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("MaskedConv2d: kernel size must be a positive odd number, got "
                    + kernelSize);
        }
        return kernelSize;
    }

    /**
     * The PixelCNN mask {@code [k, k]}: 1 at the positions before the centre in raster order, and at the
     * centre for type B; 0 elsewhere.
     *
     * @throws IllegalArgumentException if {@code kernelSize} is not a positive odd number
     */
    public static Tensor mask(MaskType type, int kernelSize, DType dtype) {
        checkOdd(kernelSize);
        int c = kernelSize / 2;
        Tensor m = Tensor.zeros(dtype, kernelSize, kernelSize);
        for (int i = 0; i < kernelSize; i++) {
            for (int j = 0; j < kernelSize; j++) {
                boolean before = i < c || (i == c && j < c);
                boolean centre = i == c && j == c;
                m.setFlat(i * kernelSize + j, before || (centre && type == MaskType.B) ? 1.0 : 0.0);
            }
        }
        return m;
    }

    /** {@code weight ⊙ mask}: the mask {@code [k, k]} broadcasts over the output and input channels. */
    @Override
    Tensor effectiveWeight() {
        return param(weight()).mul(mask);
    }

    public MaskType type() {
        return type;
    }

    /** The mask buffer {@code [k, k]}. */
    public Tensor mask() {
        return mask;
    }
}
