package elbo.models.vae.prior;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.nn.dist.TransformedDistribution;
import elbo.nn.flow.Flow;
import elbo.nn.flow.Flows;

/**
 * A flow prior over a standard normal (the lecture's flow prior):
 *
 * <pre>
 *   log p(z | λ) = log N(ε; 0, I) + log|det ∂f⁻¹/∂z|,    ε = f⁻¹(z)
 * </pre>
 *
 * The prior is scored at every encoder sample, so its density direction is the hot one: RealNVP and MAF
 * take one pass per layer, IAF takes {@code D} (allowed, and slow: that is the point the lecture makes;
 * see {@code ./elbo flow-costs}).
 */
public final class FlowPrior extends Prior {
    private final Flow flow;

    /** @throws IllegalArgumentException if the flow does not fix its event size and dtype */
    public FlowPrior(Flow flow) {
        this.flow = child("flow", flow);
        Flows.distribution(flow); // validates event size and dtype now rather than at the first step
    }

    /** RealNVP: {@code layers} affine couplings with conditioners of width {@code hidden}. */
    public static FlowPrior realNvp(int latentSize, int layers, int hidden, DType dtype, Rng rng) {
        return new FlowPrior(Flows.realNvp(latentSize, layers, hidden, dtype, rng));
    }

    /** MAF: one MADE pass per layer to score. */
    public static FlowPrior maf(int latentSize, int layers, int hidden, DType dtype, Rng rng) {
        return new FlowPrior(Flows.maf(latentSize, layers, hidden, dtype, rng));
    }

    /** IAF: {@code D} MADE passes per layer to score. */
    public static FlowPrior iaf(int latentSize, int layers, int hidden, DType dtype, Rng rng) {
        return new FlowPrior(Flows.iaf(latentSize, layers, hidden, dtype, rng));
    }

    @Override
    public TransformedDistribution p() {
        return Flows.distribution(flow);
    }

    /** The flow {@code f} (noise to latent). */
    public Flow flow() {
        return flow;
    }

    @Override
    public int latentSize() {
        return flow.eventSize();
    }
}
