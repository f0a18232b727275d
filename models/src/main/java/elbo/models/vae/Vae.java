package elbo.models.vae;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.decoder.Decoder;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.posterior.Posterior;
import elbo.models.vae.prior.Prior;
import elbo.nn.Module;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.NoClosedFormException;

/**
 * A variational autoencoder: one posterior, one decoder and one prior, any of each,
 *
 * <pre>
 *   generative model:  z ~ p_λ(z),  x ~ p_θ(x|z)          inference model:  q_φ(z|x)
 *   log p(x) ≥ L_K(x) ≥ ELBO(x) = E_q log p(x|z) − KL(q(z|x) ‖ p(z))
 * </pre>
 *
 * Its state dict holds the three parts under {@code posterior.}, {@code decoder.} and {@code prior.}; a
 * part shared by two of them (the encoder inside a VampPrior) is listed once. Build the parts in float32
 * to train and in float64 to verify; {@link VaeConfig#build} makes the standard ones.
 */
public final class Vae extends Module {
    private final Posterior posterior;
    private final Decoder decoder;
    private final Prior prior;

    /**
     * @throws IllegalArgumentException if the parts disagree on the latent size or the data size
     */
    public Vae(Posterior posterior, Decoder decoder, Prior prior) {
        if (posterior.latentSize() != prior.latentSize()) {
            throw new IllegalArgumentException("Vae: the posterior has latent size " + posterior.latentSize()
                    + " but the prior " + prior.latentSize());
        }
        if (posterior.inputSize() != decoder.outputSize()) {
            throw new IllegalArgumentException("Vae: the posterior reads data of size " + posterior.inputSize()
                    + " but the decoder writes " + decoder.outputSize());
        }
        this.posterior = child("posterior", posterior);
        this.decoder = child("decoder", decoder);
        this.prior = child("prior", prior);
    }

    public Posterior posterior() {
        return posterior;
    }

    public Decoder decoder() {
        return decoder;
    }

    public Prior prior() {
        return prior;
    }

    /** {@code D}. */
    public int latentSize() {
        return posterior.latentSize();
    }

    /** {@code X}. */
    public int dataSize() {
        return posterior.inputSize();
    }

    /**
     * The objective's loss on {@code x: [B, X]} at training time {@code epoch} (sets β in annealed ELBOs);
     * call {@code backward()} on {@link Loss#value()}.
     */
    public Loss loss(Tensor x, Objective objective, Rng rng, double epoch) {
        return objective.loss(this, x, rng, epoch);
    }

    /** {@code n} draws {@code x ~ p(x|z)}, {@code z ~ p(z)}: {@code [n, X]}, no gradient. */
    public Tensor sample(int n, Rng rng) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return decoder.p(prior.p().sample(rng, n)).sample(rng);
        }
    }

    /** {@code n} pictures {@code E[x|z]}, {@code z ~ p(z)} (pixel probabilities for binary data): {@code [n, X]}. */
    public Tensor sampleMeans(int n, Rng rng) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return decoder.mean(prior.p().sample(rng, n), rng);
        }
    }

    /**
     * {@code E[x|z]} at the posterior mean {@code z = E_q[z|x]} (a draw where the mean has no closed form,
     * as for a flow posterior): {@code [B, X]}, no gradient.
     */
    public Tensor reconstruct(Tensor x, Rng rng) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Distribution q = posterior.q(x);
            Tensor z;
            try {
                z = q.mean();
            } catch (NoClosedFormException noMean) {
                z = q.sample(rng);
            }
            return decoder.mean(z, rng);
        }
    }

    /**
     * The importance-sampling estimate of {@code log p(x)} with {@code k} samples per image (streamed in
     * chunks, so memory does not grow with {@code k}).
     */
    public ImportanceSampling.Result logLikelihood(Tensor x, int k, Rng rng) {
        return ImportanceSampling.estimate(this, x, k, new int[] {k}, rng);
    }
}
