package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;

/**
 * The standard Normal {@code N(0, I)} on {@code R^D}, the usual VAE prior; it has no parameters and an
 * empty batch shape, and {@link #logProb} broadcasts over any leading axes of its argument:
 *
 * <pre>
 *   log N(x; 0, I) = -½ ( D log 2π + Σ_d x_d² )
 *   H              =  ½ D ( log 2π + 1 )
 * </pre>
 */
public final class StandardNormal implements Distribution {
    private final int eventSize;
    private final DType dtype;

    /**
     * @throws IllegalArgumentException if {@code eventSize < 1}
     */
    public StandardNormal(int eventSize, DType dtype) {
        if (eventSize < 1) {
            throw new IllegalArgumentException("StandardNormal: event size must be at least 1, got " + eventSize);
        }
        this.eventSize = eventSize;
        this.dtype = dtype;
    }

    @Override
    public Tensor logProb(Tensor x) {
        Checks.value("StandardNormal.logProb", x, eventSize, Shape.scalar(), dtype);
        return x.square().add(Normal.LOG_2PI).mul(-0.5).sum(-1, false);
    }

    @Override
    public Tensor entropy() {
        return Tensor.scalar(0.5 * eventSize * (Normal.LOG_2PI + 1.0), dtype);
    }

    @Override
    public boolean reparameterizable() {
        return true;
    }

    /** {@code ε ~ N(0, I)} of shape {@code [D]} (there are no parameters, so it is trivially reparameterised). */
    @Override
    public Tensor rsample(Rng rng) {
        return rng.normal(dtype, eventSize);
    }

    @Override
    public Tensor rsample(Rng rng, int n) {
        Checks.sampleCount("StandardNormal.rsample", n);
        return rng.normal(dtype, n, eventSize);
    }

    @Override
    public Tensor sample(Rng rng) {
        return rsample(rng);
    }

    @Override
    public Tensor sample(Rng rng, int n) {
        return rsample(rng, n);
    }

    @Override
    public Tensor mean() {
        return Tensor.zeros(dtype, eventSize);
    }

    /** Itself: there are no parameters to detach. */
    @Override
    public StandardNormal detached() {
        return this;
    }

    @Override
    public int eventSize() {
        return eventSize;
    }

    @Override
    public Shape batchShape() {
        return Shape.scalar();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public String toString() {
        return "StandardNormal(" + dtype + ", D=" + eventSize + ")";
    }
}
