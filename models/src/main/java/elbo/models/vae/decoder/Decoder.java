package elbo.models.vae.decoder;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Module;
import elbo.nn.dist.Distribution;

/**
 * The generative model's observation part, or decoder, {@code p_θ(x|z)}: a module that maps latent codes
 * {@code z: [..., D]} to a distribution over data points {@code x: [..., X]} with batch shape {@code [...]}.
 * A stack of {@code K} codes {@code [K, B, D]} is decoded in one pass, and {@code p(z).logProb(x)} with
 * {@code x: [B, X]} broadcasts to {@code log p(x|z_k): [K, B]}.
 */
public abstract class Decoder extends Module {

    /** {@code p(x|z)}. */
    public abstract Distribution p(Tensor z);

    /** {@code X}, the size of a data point. */
    public abstract int outputSize();

    /**
     * What to draw for a picture of {@code p(x|z)}: {@code E[x|z]} where it has a closed form; a decoder
     * without one (autoregressive) overrides it.
     */
    public Tensor mean(Tensor z, Rng rng) {
        return p(z).mean();
    }
}
