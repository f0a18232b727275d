package elbo.models.vae.prior;

import elbo.nn.Module;
import elbo.nn.dist.Distribution;

/**
 * The prior {@code p_λ(z)} of the generative model: a module (its parameters {@code λ} are trained with
 * the decoder) whose {@link #p()} is a distribution over {@code R^D} with an empty batch shape;
 * {@code p().logProb(z)} takes {@code z: [..., D]} and returns {@code [...]}, so {@code K} draws per data
 * point {@code [K, B, D]} are scored in one call. {@code p()} is rebuilt from the current parameters on
 * every call: call it once per training step.
 */
public abstract class Prior extends Module {

    /** {@code p(z)} at the current parameters. */
    public abstract Distribution p();

    /** {@code D}. */
    public abstract int latentSize();
}
