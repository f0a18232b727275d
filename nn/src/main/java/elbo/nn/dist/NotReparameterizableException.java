package elbo.nn.dist;

/**
 * Thrown by {@link Distribution#rsample} for a distribution whose samples are not a differentiable
 * function of its parameters (discrete draws, or a discrete mixture component). The message names the
 * distribution and points to the alternatives.
 */
public class NotReparameterizableException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    private final Class<?> distribution;

    public NotReparameterizableException(Distribution d) {
        super("rsample: " + d.getClass().getSimpleName() + " has no reparameterised sampler (its draws are "
                + "not a differentiable function of its parameters); use sample() and a score-function "
                + "estimator, or a continuous relaxation");
        this.distribution = d.getClass();
    }

    /** The class of the distribution that was asked for a reparameterised sample. */
    public Class<?> distribution() {
        return distribution;
    }
}
