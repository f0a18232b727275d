package elbo.models.vae.objective;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.Distribution;

/**
 * The doubly reparameterised gradient estimator for IWAE (Tucker, Lawson, Gu &amp; Maddison 2018). With
 * normalised weights {@code w̃_k = w_k / Σ_j w_j} (held constant) and {@code log w_k} scored with
 * {@code q}'s parameters stopped (as in {@link StickingTheLanding}):
 *
 * <pre>
 *   encoder:           ∇_φ L_K ≈ Σ_k w̃_k² · ∂ log w_k/∂z_k · ∂z_k/∂φ
 *   decoder and prior: ∇_θ L_K =  Σ_k w̃_k  · ∇_θ log w_k                 (IWAE's own gradient)
 * </pre>
 *
 * Both come from one pass: the surrogate {@code Σ_k w̃_k log w_k} gives every parameter
 * {@code Σ_k w̃_k ∇ log w_k}, and a gradient hook on {@code z} multiplies the part that flows back
 * through each {@code z_k} by one more {@code w̃_k}. The returned tensor has the value of {@code L_K}
 * and the gradient of the surrogate. With {@code K = 1}, {@code w̃ = 1}: DReG is STL.
 */
public record DoublyReparameterised() implements Estimator {

    @Override
    public Distribution.Sample draw(Distribution q, Rng rng, int k) {
        return new StickingTheLanding().draw(q, rng, k);
    }

    @Override
    public Tensor iwae(Particles particles) {
        Tensor logW = particles.logW();                                           // [K, B]
        Tensor bound = Estimator.logMeanExp(logW);                               // L_K, [B]
        Tensor wTilde = logW.sub(logW.logSumExp(0, true)).exp().detach();        // w̃_k, [K, B]
        Tensor z = particles.z();
        if (z.requiresGrad()) {
            Tensor perCode = wTilde.unsqueeze(-1);                               // [K, B, 1]
            z.registerHook(g -> g.mul(perCode));                                 // dz ← w̃_k · dz
        }
        Tensor surrogate = wTilde.mul(logW).sum(0, false);                       // Σ_k w̃_k log w_k
        return bound.detach().add(surrogate.sub(surrogate.detach()));           // value L_K, gradient DReG
    }

    @Override
    public String toString() {
        return "dreg";
    }
}
