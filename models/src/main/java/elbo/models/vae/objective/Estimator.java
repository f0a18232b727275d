package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.Distribution;

import java.util.Locale;

/**
 * How the gradient of a Monte Carlo objective reaches the posterior's parameters {@code φ}. All three draw
 * {@code z = g_φ(ε)} by reparameterisation; they differ in which terms of the gradient they keep. The
 * decoder and the prior always get the ordinary gradient.
 *
 * <ul>
 *   <li>{@link Reparameterised}: the plain gradient of the objective (score term included).</li>
 *   <li>{@link StickingTheLanding} (Roeder et al. 2017): {@code log q} scored under {@code q} with
 *       {@code φ} stopped, which drops the score-function term {@code ∂ log q_φ(z)/∂φ} (zero mean, and
 *       zero variance once {@code q} is the true posterior).</li>
 *   <li>{@link DoublyReparameterised} (Tucker et al. 2018), for IWAE: the encoder gradient
 *       {@code Σ_k w̃_k² ∂ log w_k/∂z_k · ∂z_k/∂φ}, unbiased, whose signal-to-noise ratio does not decay
 *       with {@code K}.</li>
 * </ul>
 */
public sealed interface Estimator permits Reparameterised, StickingTheLanding, DoublyReparameterised {

    /** {@code k} reparameterised draws from {@code q} and {@code log q} at them, as this estimator scores it. */
    Distribution.Sample draw(Distribution q, Rng rng, int k);

    /**
     * Whether the ELBO may use an analytic {@code KL(q ‖ p)} with this estimator. STL's estimator lives in
     * {@code log q(z)} under stopped parameters, so it needs the KL from the draws: an analytic KL would make
     * it the plain reparameterised gradient.
     */
    default boolean allowsAnalyticKl() {
        return true;
    }

    /**
     * The IWAE bound per data point, {@code L_K = log (1/K) Σ_k w_k} ({@code [B]}), as a tensor whose
     * gradient is this estimator's.
     */
    default Tensor iwae(Particles particles) {
        return logMeanExp(particles.logW());
    }

    /** {@code log (1/K) Σ_k e^{a_k}} over the leading axis: a max-shifted log-sum-exp minus {@code log K}. */
    static Tensor logMeanExp(Tensor logW) {
        return logW.logSumExp(0, false).sub(Math.log(logW.dim(0)));
    }

    /**
     * The estimator named {@code reparam}, {@code stl} or {@code dreg} (case-insensitive).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    static Estimator parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "reparam" -> new Reparameterised();
            case "stl" -> new StickingTheLanding();
            case "dreg" -> new DoublyReparameterised();
            default -> throw new IllegalArgumentException("unknown estimator '" + name
                    + "'; expected one of reparam, stl, dreg");
        };
    }
}
