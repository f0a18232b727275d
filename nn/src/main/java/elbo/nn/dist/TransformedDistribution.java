package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;
import elbo.nn.flow.Bijector;

/**
 * The distribution of {@code y = f(x)} for {@code x} from a base distribution and an invertible map
 * {@code f} (a {@link Bijector}), by the change of variables:
 *
 * <pre>
 *   log p_Y(y) = log p_X(x) - log|det ∂f/∂x (x)|,   x = f⁻¹(y)
 *   sample:   y = f(x),  x ~ p_X
 * </pre>
 *
 * {@link #logProb} needs the inverse (cheap for MAF and RealNVP); {@link #rsampleWithLogProb} needs only
 * the forward pass, scoring the sample by the log-det computed on the way (the cheap direction for IAF
 * and planar posteriors, whose inverse is slow or unavailable). Shapes follow the base distribution:
 * bijectors keep the event size.
 *
 * <p>The mean and entropy have no closed form in general ({@link NoClosedFormException}).
 */
public final class TransformedDistribution implements Distribution {
    private final Distribution base;
    private final Bijector bijector;

    public TransformedDistribution(Distribution base, Bijector bijector) {
        this.base = base;
        this.bijector = bijector;
    }

    public Distribution base() {
        return base;
    }

    public Bijector bijector() {
        return bijector;
    }

    /**
     * {@code log p_X(f⁻¹(y)) + log|det ∂f⁻¹/∂y|}.
     *
     * @throws UnsupportedOperationException if the bijector has no inverse (use {@link #rsampleWithLogProb})
     */
    @Override
    public Tensor logProb(Tensor y) {
        Bijector.Result inverse = bijector.inverse(y);
        return base.logProb(inverse.value()).add(inverse.logDetJ());
    }

    @Override
    public boolean reparameterizable() {
        return base.reparameterizable();
    }

    @Override
    public Tensor rsample(Rng rng) {
        return bijector.forward(base.rsample(rng)).value();
    }

    @Override
    public Tensor rsample(Rng rng, int n) {
        return bijector.forward(base.rsample(rng, n)).value();
    }

    /**
     * {@code y = f(x)}, {@code x ~ p_X} reparameterised, and {@code log p_Y(y)} from the forward log-det.
     *
     * @throws NotReparameterizableException if the base distribution is not reparameterisable
     */
    public Sample rsampleWithLogProb(Rng rng) {
        return forwardWithLogProb(base.rsample(rng));
    }

    /**
     * {@code n} draws of {@link #rsampleWithLogProb(Rng)} along a new leading axis, scored by the forward
     * log-det: {@code y = f(x)}, {@code log p_Y(y) = log p_X(x) - log|det ∂f/∂x|}.
     */
    @Override
    public Sample rsampleWithLogProb(Rng rng, int n) {
        return forwardWithLogProb(base.rsample(rng, n));
    }

    private Sample forwardWithLogProb(Tensor x) {
        Bijector.Result forward = bijector.forward(x);
        return new Sample(forward.value(), base.logProb(x).sub(forward.logDetJ()));
    }

    @Override
    public Tensor sample(Rng rng) {
        return bijector.detached().forward(base.sample(rng)).value();
    }

    @Override
    public Tensor sample(Rng rng, int n) {
        return bijector.detached().forward(base.sample(rng, n)).value();
    }

    @Override
    public Tensor mean() {
        throw new NoClosedFormException(this, "mean");
    }

    /** The detached base distribution pushed through the detached bijector. */
    @Override
    public TransformedDistribution detached() {
        return new TransformedDistribution(base.detached(), bijector.detached());
    }

    @Override
    public int eventSize() {
        return base.eventSize();
    }

    @Override
    public Shape batchShape() {
        return base.batchShape();
    }

    @Override
    public DType dtype() {
        return base.dtype();
    }

    @Override
    public String toString() {
        return "TransformedDistribution(" + base + " through " + bijector.getClass().getSimpleName() + ")";
    }
}
