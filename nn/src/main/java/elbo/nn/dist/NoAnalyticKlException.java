package elbo.nn.dist;

/**
 * Thrown by {@link Kl#divergence} when no analytic {@code KL(p ‖ q)} is known for the pair of types; the
 * message names both. Callers then choose the Monte Carlo estimate explicitly with
 * {@link Kl#monteCarlo}, so that a noisy estimate never silently replaces an exact one.
 */
public class NoAnalyticKlException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    public NoAnalyticKlException(Distribution p, Distribution q) {
        super("Kl.divergence: no analytic KL(" + p.getClass().getSimpleName() + " ‖ "
                + q.getClass().getSimpleName() + "); use Kl.monteCarlo(p, q, rng, n)");
    }
}
