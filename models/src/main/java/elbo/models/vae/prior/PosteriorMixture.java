package elbo.models.vae.prior;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;
import elbo.models.vae.posterior.Posterior;
import elbo.nn.dist.Distribution;

import java.util.ArrayList;
import java.util.List;

/**
 * The uniform mixture of the posterior at {@code N} inputs,
 *
 * <pre>
 *   p(z) = (1/N) Σ_n q(z | u_n),     log p(z) = logSumExp_n log q(z | u_n) − log N
 * </pre>
 *
 * which is the VampPrior when the {@code u_n} are learned pseudo-inputs and the aggregated posterior
 * {@code q(z)} (the optimal prior of ELBO surgery) when they are training images. The components are
 * encoded once, when the mixture is built, in chunks of inputs, so that memory stays bounded for large
 * {@code N}; {@code logProb} scores {@code z: [..., D]} against every component
 * ({@link #componentLogProbs}, {@code [..., N]}) and reduces with a max-shifted log-sum-exp.
 */
public final class PosteriorMixture implements Distribution {
    private final Posterior posterior;
    private final Tensor inputs;
    private final List<Distribution> components;

    /**
     * Encodes {@code inputs: [N, X]} in chunks of {@code chunk} rows.
     *
     * @throws IllegalArgumentException if {@code inputs} is not {@code [N, X]} with {@code N ≥ 1}, or
     *                                  {@code chunk < 1}
     */
    public PosteriorMixture(Posterior posterior, Tensor inputs, int chunk) {
        if (inputs.rank() != 2 || inputs.dim(0) < 1 || inputs.dim(1) != posterior.inputSize()) {
            throw new IllegalArgumentException("PosteriorMixture: inputs of shape " + inputs.shape() + " are not [N, "
                    + posterior.inputSize() + "] with N ≥ 1");
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("PosteriorMixture: chunk must be at least 1, got " + chunk);
        }
        this.posterior = posterior;
        this.inputs = inputs;
        this.components = new ArrayList<>();
        for (int start = 0; start < inputs.dim(0); start += chunk) {
            components.add(posterior.q(inputs.narrow(0, start, Math.min(chunk, inputs.dim(0) - start))));
        }
    }

    private PosteriorMixture(Posterior posterior, Tensor inputs, List<Distribution> components) {
        this.posterior = posterior;
        this.inputs = inputs;
        this.components = components;
    }

    /** The components {@code q(z | u_n)}, one distribution of batch shape {@code [n_c]} per chunk of inputs. */
    public List<Distribution> components() {
        return java.util.Collections.unmodifiableList(components);
    }

    /** {@code N}. */
    public int size() {
        return inputs.dim(0);
    }

    /** {@code log q(z | u_n)} for every component: {@code z: [..., D] -> [..., N]}. */
    public Tensor componentLogProbs(Tensor z) {
        Tensor zz = z.unsqueeze(-2);                                            // [..., 1, D] against [n_c]
        Tensor[] parts = new Tensor[components.size()];
        for (int c = 0; c < parts.length; c++) {
            parts[c] = components.get(c).logProb(zz);
        }
        return parts.length == 1 ? parts[0] : Tensor.concat(-1, parts);
    }

    /** {@code logSumExp_n log q(z | u_n) − log N}. */
    @Override
    public Tensor logProb(Tensor z) {
        return componentLogProbs(z).logSumExp(-1, false).sub(Math.log(size()));
    }

    /** {@code n} draws: a component {@code n_i} uniformly, then {@code z ~ q(z | u_{n_i})}; {@code [n, D]}. */
    @Override
    public Tensor sample(Rng rng, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("PosteriorMixture.sample: n must be at least 1, got " + n);
        }
        int[] chosen = new int[n];
        for (int i = 0; i < n; i++) {
            chosen[i] = rng.nextInt(size());
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return posterior.q(inputs.detach().indexSelect(0, chosen)).sample(rng);
        }
    }

    @Override
    public Tensor sample(Rng rng) {
        return sample(rng, 1).squeeze(0);
    }

    /** {@code (1/N) Σ_n E[z | u_n]}, where the components have a mean. */
    @Override
    public Tensor mean() {
        Tensor[] means = new Tensor[components.size()];
        for (int c = 0; c < means.length; c++) {
            means[c] = components.get(c).mean();
        }
        return Tensor.concat(0, means).mean(0, false);
    }

    @Override
    public PosteriorMixture detached() {
        List<Distribution> d = new ArrayList<>(components.size());
        for (Distribution c : components) {
            d.add(c.detached());
        }
        return new PosteriorMixture(posterior, inputs.detach(), d);
    }

    @Override
    public int eventSize() {
        return posterior.latentSize();
    }

    @Override
    public Shape batchShape() {
        return Shape.scalar();
    }

    @Override
    public DType dtype() {
        return inputs.dtype();
    }

    @Override
    public String toString() {
        return "PosteriorMixture(N=" + size() + ", D=" + eventSize() + ")";
    }
}
