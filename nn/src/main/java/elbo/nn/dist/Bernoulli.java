package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * Independent Bernoulli variables over the last axis, parameterised by logits {@code ℓ = log p/(1-p)}
 * ({@code [...batch, D]}); the observation model of a VAE on binarised images:
 *
 * <pre>
 *   log p(x) = Σ_d x_d ℓ_d - softplus(ℓ_d)            (= x log σ(ℓ) + (1-x) log(1-σ(ℓ)))
 *   E[x]     = σ(ℓ)
 *   H        = Σ_d softplus(ℓ_d) - ℓ_d σ(ℓ_d)
 * </pre>
 *
 * The log-probability is the stable binary-cross-entropy-with-logits form: it never takes {@code log σ(ℓ)}
 * of a rounded probability, so it stays finite and exact for logits of any magnitude (e.g. ±1e4), where
 * "sigmoid, then log" gives {@code log 0 = -∞}. It is also evaluated for {@code x ∈ [0, 1]} (continuous
 * targets), where it is the usual cross-entropy but not a normalised density.
 *
 * <p>Samples are discrete, so there is no {@code rsample} ({@link NotReparameterizableException}).
 */
public final class Bernoulli implements Distribution {
    private final Tensor logits;

    /**
     * @throws ShapeException if {@code logits} is a scalar (the event axis is required)
     */
    public Bernoulli(Tensor logits) {
        Checks.hasEventAxis("Bernoulli", "logits", logits);
        this.logits = logits;
    }

    /** {@code ℓ}. */
    public Tensor logits() {
        return logits;
    }

    /** {@code p = σ(ℓ)}. */
    public Tensor probs() {
        return logits.sigmoid();
    }

    @Override
    public Tensor logProb(Tensor x) {
        Checks.value("Bernoulli.logProb", x, eventSize(), batchShape(), dtype());
        return logits.bernoulliLogProb(x); // Σ_d x_d ℓ_d - softplus(ℓ_d), fused: see Tensor.bernoulliLogProb
    }

    @Override
    public Tensor entropy() {
        return logits.softplus().sub(logits.mul(logits.sigmoid())).sum(-1, false);
    }

    /** {@code σ(ℓ)}. */
    @Override
    public Tensor mean() {
        return probs();
    }

    /** 0/1 values of shape {@code [...batch, D]}, 1 with probability {@code σ(ℓ)}. */
    @Override
    public Tensor sample(Rng rng) {
        return rng.bernoulli(logits.detach().sigmoid());
    }

    @Override
    public Tensor sample(Rng rng, int n) {
        Checks.sampleCount("Bernoulli.sample", n);
        return rng.bernoulli(logits.detach().sigmoid().broadcastTo(Checks.prepend(n, logits.shape())));
    }

    @Override
    public Bernoulli detached() {
        return new Bernoulli(logits.detach());
    }

    @Override
    public int eventSize() {
        return logits.dim(-1);
    }

    @Override
    public Shape batchShape() {
        return Checks.batchOf(logits.shape());
    }

    @Override
    public DType dtype() {
        return logits.dtype();
    }

    @Override
    public String toString() {
        return "Bernoulli(" + dtype() + ", batch " + batchShape() + ", D=" + eventSize() + ")";
    }
}
