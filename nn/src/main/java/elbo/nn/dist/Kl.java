package elbo.nn.dist;

import elbo.core.Rng;
import elbo.core.DTypeException;
import elbo.core.ShapeException;
import elbo.core.Tensor;

import java.util.Optional;

/**
 * Kullback–Leibler divergences {@code KL(p ‖ q) = E_p[log p(z) - log q(z)] ≥ 0}, summed over the event axis
 * and returned with the broadcast batch shape.
 *
 * <p>Analytic forms, for diagonal Normals with log-variances {@code v} and {@code r = v_p - v_q}:
 * <pre>
 *   KL(N(μ_p, e^v_p) ‖ N(μ_q, e^v_q)) = ½ Σ_d ( e^r - 1 - r + (μ_p - μ_q)² e^(-v_q) )
 *   KL(N(μ, e^v) ‖ N(0, I))            = ½ Σ_d ( e^v - 1 - v + μ² )
 * </pre>
 * ({@code e^r - 1 - r ≥ 0} is computed as {@code expm1(r) - r}, accurate when the variances nearly agree.)
 *
 * <p>{@link #divergence} dispatches to an analytic form and throws {@link NoAnalyticKlException} when there
 * is none; the Monte Carlo estimate {@link #monteCarlo} is never substituted silently.
 */
public final class Kl {
    private Kl() {
    }

    /**
     * The analytic {@code KL(p ‖ q)} for the supported pairs: Normal ‖ Normal, Normal ‖ StandardNormal.
     *
     * @throws NoAnalyticKlException naming both types if there is no analytic form for the pair
     * @throws ShapeException        if the event sizes differ or the batch shapes do not broadcast
     * @throws DTypeException if the dtypes differ
     */
    public static Tensor divergence(Distribution p, Distribution q) {
        return analytic(p, q).orElseThrow(() -> new NoAnalyticKlException(p, q));
    }

    /**
     * The analytic {@code KL(p ‖ q)} if the pair has one, else empty: "analytic if available, Monte Carlo
     * otherwise" without exceptions.
     *
     * @throws ShapeException if the pair is supported but the event sizes differ or the batches do not broadcast
     * @throws DTypeException if the pair is supported but the dtypes differ
     */
    public static Optional<Tensor> analytic(Distribution p, Distribution q) {
        return perDimension(p, q).map(kl -> kl.sum(-1, false));
    }

    /**
     * The analytic KL <em>per event coordinate</em>, {@code [...batch, D]} (not summed), if the pair has
     * one and both sides factorise over the coordinates (diagonal Normals): what free bits per latent
     * dimension need. Empty otherwise.
     *
     * @throws ShapeException if the pair is supported but the event sizes differ or the batches do not broadcast
     * @throws DTypeException if the pair is supported but the dtypes differ
     */
    public static Optional<Tensor> perDimension(Distribution p, Distribution q) {
        if (p instanceof Normal np && q instanceof Normal nq) {
            return Optional.of(normalNormalPerDimension(np, nq));
        }
        if (p instanceof Normal np && q instanceof StandardNormal sq) {
            return Optional.of(normalStandardNormalPerDimension(np, sq));
        }
        return Optional.empty();
    }

    /** {@code ½ Σ_d (e^r - 1 - r + (μ_p - μ_q)² e^(-v_q))}, {@code r = v_p - v_q}. */
    public static Tensor normalNormal(Normal p, Normal q) {
        return normalNormalPerDimension(p, q).sum(-1, false);
    }

    /** {@code ½ Σ_d (e^v - 1 - v + μ²)}. */
    public static Tensor normalStandardNormal(Normal p, StandardNormal q) {
        return normalStandardNormalPerDimension(p, q).sum(-1, false);
    }

    /** The terms of {@link #normalNormal} before the sum over {@code d}. */
    private static Tensor normalNormalPerDimension(Normal p, Normal q) {
        checkPair("Kl.normalNormal", p, q);
        Tensor r = p.logVar().sub(q.logVar());
        Tensor meanTerm = p.loc().sub(q.loc()).square().mul(q.logVar().neg().exp());
        return r.expm1().sub(r).add(meanTerm).mul(0.5);
    }

    /** The terms of {@link #normalStandardNormal} before the sum over {@code d}. */
    private static Tensor normalStandardNormalPerDimension(Normal p, StandardNormal q) {
        checkPair("Kl.normalStandardNormal", p, q);
        Tensor v = p.logVar();
        return v.expm1().sub(v).add(p.loc().square()).mul(0.5);
    }

    /**
     * The Monte Carlo estimate {@code (1/n) Σ_i log p(z_i) - log q(z_i)}, {@code z_i ~ p}, of the batch shape.
     * Samples are reparameterised when {@code p} allows it, so the estimate is differentiable through them;
     * otherwise they carry no gradient (the score-function term is then missing from its gradient).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static Tensor monteCarlo(Distribution p, Distribution q, Rng rng, int n) {
        Checks.sampleCount("Kl.monteCarlo", n);
        Tensor z = p.reparameterizable() ? p.rsample(rng, n) : p.sample(rng, n);
        return p.logProb(z).sub(q.logProb(z)).mean(0, false);
    }

    private static void checkPair(String where, Distribution p, Distribution q) {
        if (p.eventSize() != q.eventSize()) {
            throw new ShapeException(where + ": event sizes differ: p has D=" + p.eventSize() + ", q has D="
                    + q.eventSize());
        }
        if (p.dtype() != q.dtype()) {
            throw new DTypeException(where + ": p is " + p.dtype() + " but q is " + q.dtype());
        }
        Checks.broadcastBatch(where, p.batchShape(), q.batchShape());
    }
}
