package elbo.models.vae.prior;

import elbo.core.DType;
import elbo.nn.dist.StandardNormal;

/** The standard VAE prior {@code p(z) = N(0, I)}: no parameters. */
public final class StandardPrior extends Prior {
    private final StandardNormal p;

    /** @throws IllegalArgumentException if {@code latentSize < 1} */
    public StandardPrior(int latentSize, DType dtype) {
        this.p = new StandardNormal(latentSize, dtype);
    }

    @Override
    public StandardNormal p() {
        return p;
    }

    @Override
    public int latentSize() {
        return p.eventSize();
    }
}
