package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * The diagonal Normal distribution {@code N(μ, diag σ²)} over the last axis, parameterised by its mean
 * {@code μ} and log-variance {@code v = log σ²} (both {@code [...batch, D]}):
 *
 * <pre>
 *   log N(x; μ, σ²) = -½ [ Σ_d ((x_d - μ_d) · e^(-v_d/2))² + Σ_d v_d + D log 2π ]
 *   H               = Σ_d  ½ ( log 2π + 1 + v_d )
 *   rsample:  z = μ + e^(v/2) ⊙ ε,   ε ~ N(0, I)
 * </pre>
 *
 * The density is evaluated from the log-variance directly (multiplying by {@code e^(-v/2)}, never dividing
 * by a variance that may have underflowed), which is why an encoder should output {@code v}, not σ.
 *
 * <p>Construct with {@link #fromMeanLogVar} or {@link #fromMeanScale}. Analytic KL divergences are in
 * {@link Kl}.
 */
public final class Normal implements Distribution {
    /** {@code log 2π}. */
    static final double LOG_2PI = Math.log(2.0 * Math.PI);

    private final Tensor loc;
    private final Tensor logVar;

    private Normal(Tensor loc, Tensor logVar) {
        this.loc = loc;
        this.logVar = logVar;
    }

    /**
     * {@code N(mean, diag e^logVar)}.
     *
     * @throws ShapeException if the shapes differ or are scalars (the event axis is required)
     * @throws DTypeException if the dtypes differ
     */
    public static Normal fromMeanLogVar(Tensor mean, Tensor logVar) {
        String where = "Normal.fromMeanLogVar";
        Checks.hasEventAxis(where, "mean", mean);
        Checks.sameShape(where, "mean", mean, "logVar", logVar);
        Checks.sameDtype(where, "mean", mean, "logVar", logVar);
        return new Normal(mean, logVar);
    }

    /**
     * {@code N(mean, diag scale²)}, i.e. log-variance {@code 2 log scale} (differentiable in {@code scale}).
     *
     * @throws ShapeException           if the shapes differ or are scalars
     * @throws DTypeException           if the dtypes differ
     * @throws IllegalArgumentException naming the first element of {@code scale} that is not positive
     */
    public static Normal fromMeanScale(Tensor mean, Tensor scale) {
        String where = "Normal.fromMeanScale";
        Checks.hasEventAxis(where, "mean", mean);
        Checks.sameShape(where, "mean", mean, "scale", scale);
        Checks.sameDtype(where, "mean", mean, "scale", scale);
        for (int i = 0; i < scale.numel(); i++) {
            double s = scale.getFlat(i);
            if (!(s > 0.0)) {
                throw new IllegalArgumentException(where + ": scale must be positive, got " + s
                        + " at flat index " + i + " of shape " + scale.shape());
            }
        }
        return new Normal(mean, scale.log().mul(2.0));
    }

    /** {@code μ}. */
    public Tensor loc() {
        return loc;
    }

    /** {@code v = log σ²}. */
    public Tensor logVar() {
        return logVar;
    }

    /** {@code σ = e^(v/2)}. */
    public Tensor scale() {
        return logVar.mul(0.5).exp();
    }

    /** {@code σ² = e^v}. */
    public Tensor variance() {
        return logVar.exp();
    }

    @Override
    public Tensor logProb(Tensor x) {
        Checks.value("Normal.logProb", x, eventSize(), batchShape(), dtype());
        // -½ [ Σ_d ((x_d - μ_d) e^(-v_d/2))² + Σ_d v_d + D log 2π ]: the terms without x are summed over
        // d before they meet x's batch. When x broadcasts against the components (the VampPrior's
        // [B, 1, D] against [K, D]), 4 ops run on [B, K, D] tensors forward instead of 7, and the
        // backward pass loses the gradient of v reduced over all of [B, K, D].
        Tensor standardized = x.sub(loc).mul(logVar.mul(-0.5).exp());
        Tensor normalizer = logVar.sum(-1, false).add(eventSize() * LOG_2PI);
        return standardized.square().sum(-1, false).add(normalizer).mul(-0.5);
    }

    @Override
    public Tensor entropy() {
        return logVar.add(LOG_2PI + 1.0).mul(0.5).sum(-1, false);
    }

    @Override
    public boolean reparameterizable() {
        return true;
    }

    @Override
    public Tensor rsample(Rng rng) {
        Tensor eps = rng.normal(dtype(), loc.shape());
        return loc.add(scale().mul(eps));
    }

    @Override
    public Tensor rsample(Rng rng, int n) {
        Checks.sampleCount("Normal.rsample", n);
        Tensor eps = rng.normal(dtype(), Checks.prepend(n, loc.shape()));
        return loc.add(scale().mul(eps));
    }

    @Override
    public Tensor sample(Rng rng) {
        return detached().rsample(rng);
    }

    @Override
    public Tensor sample(Rng rng, int n) {
        Checks.sampleCount("Normal.sample", n);
        return detached().rsample(rng, n);
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Normal detached() {
        return new Normal(loc.detach(), logVar.detach());
    }

    @Override
    public int eventSize() {
        return loc.dim(-1);
    }

    @Override
    public Shape batchShape() {
        return Checks.batchOf(loc.shape());
    }

    @Override
    public DType dtype() {
        return loc.dtype();
    }

    @Override
    public String toString() {
        return "Normal(" + dtype() + ", batch " + batchShape() + ", D=" + eventSize() + ")";
    }
}
