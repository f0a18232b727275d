package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * Affine map {@code y = x Wᵀ + b}, with {@code W} of shape {@code [out, in]} (PyTorch's layout) and
 * {@code b} of shape {@code [out]}. The input may have any leading axes: {@code [..., in] -> [..., out]},
 * so K importance samples {@code [K, B, in]} go through in one batched GEMM.
 */
public final class Linear extends Layer {
    private final Tensor weight;
    private final Tensor bias;
    private final int in;
    private final int out;

    /**
     * A layer with Xavier-uniform weights and zero bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int in, int out, DType dtype, Rng rng) {
        this(in, out, true, dtype, rng);
    }

    /** As {@link #Linear(int, int, DType, Rng)}, optionally without bias. */
    public Linear(int in, int out, boolean withBias, DType dtype, Rng rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Init.xavierUniform(Tensor.zeros(dtype, out, in), 1.0, rng));
        this.bias = withBias ? parameter("bias", Tensor.zeros(dtype, out)) : null;
    }

    /**
     * {@code x Wᵀ + b}.
     *
     * @throws ShapeException if the last axis of {@code x} is not {@code in}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != in) {
            throw new ShapeException("Linear(" + in + " -> " + out + "): input shape " + x.shape()
                    + " does not end in " + in);
        }
        Tensor flat = x.rank() == 2 || x.rank() == 3 ? x : x.reshape(-1, in);
        Tensor y = bias != null ? Tensor.linear(flat, param(weight), param(bias)) : flat.matmulT(param(weight));
        if (flat != x) {
            int[] dims = x.shape().dims();
            dims[dims.length - 1] = out;
            y = y.reshape(dims);
        }
        return y;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or {@code null} if the layer has none. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
