package elbo.models.vae.posterior;

import elbo.core.Tensor;
import elbo.nn.Module;
import elbo.nn.dist.Distribution;

/**
 * The variational posterior, or encoder, {@code q_φ(z|x)}: a module that maps a batch of data points to a
 * distribution over latent codes. For {@code x: [B, X]} the result has batch shape {@code [B]} and event
 * size {@code D}; it is reparameterisable, so {@code q(x).rsampleWithLogProb(rng, K)} gives the
 * {@code K} draws {@code z: [K, B, D]} and {@code log q(z|x): [K, B]} every objective starts from.
 */
public abstract class Posterior extends Module {

    /** {@code q(z|x)} for {@code x: [..., X]}, batch shape {@code [...]}, event size {@link #latentSize()}. */
    public abstract Distribution q(Tensor x);

    /** {@code D}, the size of a latent code. */
    public abstract int latentSize();

    /** {@code X}, the size of a data point. */
    public abstract int inputSize();
}
