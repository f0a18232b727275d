package elbo.nn.dist;

/**
 * Thrown when a quantity (entropy, mean) has no closed form for a distribution; the message names the
 * distribution and the quantity. Estimate it by Monte Carlo instead, e.g. the entropy as
 * {@code -mean(logProb(sample(rng, n)))}.
 */
public class NoClosedFormException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    public NoClosedFormException(Distribution d, String quantity) {
        super(quantity + ": " + d.getClass().getSimpleName() + " has no closed-form " + quantity
                + "; estimate it by Monte Carlo from samples");
    }
}
