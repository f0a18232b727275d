package elbo.nn.flow;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.nn.Init;
import elbo.nn.Layer;

/**
 * An affine layer whose weight is multiplied by a fixed 0/1 mask, {@code y = x (W ⊙ M)ᵀ + b}, with
 * {@code W} and {@code M} of shape {@code [out, in]} and {@code b} of shape {@code [out]}: output unit
 * {@code o} sees input {@code i} only where {@code M[o, i] = 1}. The building block of {@link Made}.
 *
 * <p>The mask is the buffer {@code mask} (saved with checkpoints, never trained). Because the mask is
 * applied in the forward pass, the gradient of a masked-out weight is exactly zero, so no optimizer can
 * break the connectivity. A {@code null} mask gives a plain dense layer. Like every layer, it reads its
 * parameters through {@link elbo.nn.Module#param}, so a flow's {@link Flow#detached()} view detaches them.
 * Inputs may have any leading axes: {@code [..., in] -> [..., out]}.
 */
public final class MaskedLinear extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor mask;
    private final int in;
    private final int out;

    /**
     * Xavier-uniform weights, zero bias.
     *
     * @param mask {@code [out, in]} of 0s and 1s (copied), or {@code null} for no mask
     * @throws IllegalArgumentException if a size is not positive
     * @throws ShapeException           if the mask's shape is not {@code [out, in]}
     */
    public MaskedLinear(int in, int out, Tensor mask, DType dtype, Rng rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("MaskedLinear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != out || mask.dim(1) != in)) {
            throw new ShapeException("MaskedLinear: mask of shape " + mask.shape() + " is not [" + out + ", " + in + "]");
        }
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Init.xavierUniform(Tensor.zeros(dtype, out, in), 1.0, rng));
        this.bias = parameter("bias", Tensor.zeros(dtype, out));
        this.mask = mask == null ? null : buffer("mask", mask.cast(dtype).copy());
    }

    /**
     * {@code x (W ⊙ M)ᵀ + b}.
     *
     * @throws ShapeException if the last axis of {@code x} is not {@code in}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != in) {
            throw new ShapeException("MaskedLinear(" + in + " -> " + out + "): input shape " + x.shape()
                    + " does not end in " + in);
        }
        Tensor w = param(weight);
        if (mask != null) {
            w = w.mul(mask);
        }
        Tensor flat = x.rank() == 2 || x.rank() == 3 ? x : x.reshape(-1, in);
        Tensor y = flat.matmulT(w).add(param(bias));
        if (flat != x) {
            int[] dims = x.shape().dims();
            dims[dims.length - 1] = out;
            y = y.reshape(dims);
        }
        return y;
    }

    /** The unmasked weight parameter {@code W}, {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** The mask buffer {@code M}, {@code [out, in]}, or {@code null} for a dense layer. */
    public Tensor mask() {
        return mask;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
