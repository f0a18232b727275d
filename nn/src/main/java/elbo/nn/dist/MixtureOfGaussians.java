package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * A mixture of {@code K} diagonal Gaussians on {@code R^D}, with mixture weights {@code w = softmax(a)}
 * from logits {@code a: [K]}, means {@code μ: [K, D]} and log-variances {@code v: [K, D]}:
 *
 * <pre>
 *   p(z)     = Σ_k w_k N(z; μ_k, diag e^(v_k))
 *   log p(z) = logSumExp_k ( log w_k + log N(z; μ_k, diag e^(v_k)) )
 *   E[z]     = Σ_k w_k μ_k
 *   sample:  k ~ Categorical(w),  z = μ_k + e^(v_k/2) ⊙ ε
 * </pre>
 *
 * The log-density is computed in log space by logSumExp, so a point far from every component still gets a
 * finite log-density. This is the shape of the learnable mixture prior and of the VampPrior
 * ({@code p(z) = (1/K) Σ_k q(z | u_k)}: equal logits, with the means and log-variances the encoder's
 * outputs at the pseudo-inputs {@code u_k}); all three parameters may be in the graph.
 *
 * <p>{@code logProb(z)} takes {@code z: [..., D]} and returns {@code [...]}. The batch shape is empty.
 * The component choice is discrete, so there is no {@code rsample}; the entropy has no closed form.
 */
public final class MixtureOfGaussians implements Distribution {
    private final Tensor weightLogits;
    private final Normal components;

    /**
     * @throws ShapeException if {@code weightLogits} is not {@code [K]}, or {@code means} and {@code logVars}
     *                        are not both {@code [K, D]}
     * @throws DTypeException if the dtypes differ
     */
    public MixtureOfGaussians(Tensor weightLogits, Tensor means, Tensor logVars) {
        String where = "MixtureOfGaussians";
        if (weightLogits.rank() != 1 || weightLogits.dim(0) < 1) {
            throw new ShapeException(where + ": weight logits must have shape [K] with K ≥ 1, got "
                    + weightLogits.shape());
        }
        if (means.rank() != 2 || means.dim(0) != weightLogits.dim(0)) {
            throw new ShapeException(where + ": means must have shape [K, D] with K = " + weightLogits.dim(0)
                    + " (from the weight logits), got " + means.shape());
        }
        Checks.sameShape(where, "means", means, "logVars", logVars);
        Checks.sameDtype(where, "weightLogits", weightLogits, "means", means);
        Checks.sameDtype(where, "means", means, "logVars", logVars);
        this.weightLogits = weightLogits;
        this.components = Normal.fromMeanLogVar(means, logVars);
    }

    /** The mixture logits {@code a}. */
    public Tensor weightLogits() {
        return weightLogits;
    }

    /** {@code log w = a - logSumExp(a)}, {@code [K]}. */
    public Tensor logWeights() {
        return weightLogits.sub(weightLogits.logSumExp(0, true));
    }

    /** The {@code K} components as one Normal with batch shape {@code [K]}. */
    public Normal components() {
        return components;
    }

    /** {@code K}. */
    public int numComponents() {
        return weightLogits.dim(0);
    }

    @Override
    public Tensor logProb(Tensor z) {
        Checks.value("MixtureOfGaussians.logProb", z, eventSize(), Shape.scalar(), dtype());
        // z: [..., D] → [..., 1, D] broadcasts against the K components: log N(z; μ_k, σ_k²) is [..., K].
        Tensor logComponent = components.logProb(z.unsqueeze(-2));
        return logComponent.add(logWeights()).logSumExp(-1, false);
    }

    /** {@code Σ_k w_k μ_k}, {@code [D]}. */
    @Override
    public Tensor mean() {
        return logWeights().exp().unsqueeze(-1).mul(components.loc()).sum(0, false);
    }

    @Override
    public Tensor sample(Rng rng) {
        return sample(rng, 1).squeeze(0);
    }

    /** {@code [n, D]}: a component per draw, then a Gaussian draw from it. */
    @Override
    public Tensor sample(Rng rng, int n) {
        Checks.sampleCount("MixtureOfGaussians.sample", n);
        int[] k = new Categorical(weightLogits.detach()).sampleIndices(rng, n);
        Normal chosen = Normal.fromMeanLogVar(components.loc().detach().indexSelect(0, k),
                components.logVar().detach().indexSelect(0, k));
        return chosen.sample(rng);
    }

    @Override
    public MixtureOfGaussians detached() {
        return new MixtureOfGaussians(weightLogits.detach(), components.loc().detach(),
                components.logVar().detach());
    }

    @Override
    public int eventSize() {
        return components.eventSize();
    }

    @Override
    public Shape batchShape() {
        return Shape.scalar();
    }

    @Override
    public DType dtype() {
        return weightLogits.dtype();
    }

    @Override
    public String toString() {
        return "MixtureOfGaussians(" + dtype() + ", K=" + numComponents() + ", D=" + eventSize() + ")";
    }
}
