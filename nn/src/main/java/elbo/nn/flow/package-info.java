/**
 * Normalizing flows: invertible maps with tractable Jacobian log-determinants ({@link elbo.nn.flow.Bijector}),
 * turned into distributions by {@link elbo.nn.dist.TransformedDistribution}.
 *
 * <p>Trainable flows extend {@link elbo.nn.flow.Flow} (a {@link elbo.nn.Module} and a Bijector) and are written
 * in the generative orientation: {@code forward} maps noise to data, {@code inverse} data to noise.
 * <ul>
 *   <li>building blocks: {@link elbo.nn.flow.Composition}, {@link elbo.nn.flow.Inverted},
 *       {@link elbo.nn.flow.Permutation}, {@link elbo.nn.flow.ActNorm}, {@link elbo.nn.flow.ElementwiseAffine};</li>
 *   <li>coupling: {@link elbo.nn.flow.AffineCoupling} (RealNVP);</li>
 *   <li>autoregressive: {@link elbo.nn.flow.Made} on {@link elbo.nn.flow.MaskedLinear}, and on it
 *       {@link elbo.nn.flow.MaskedAutoregressiveFlow} (MAF) and {@link elbo.nn.flow.InverseAutoregressiveFlow} (IAF);</li>
 *   <li>residual: {@link elbo.nn.flow.PlanarFlow}, {@link elbo.nn.flow.PlanarStack} (forward only);</li>
 *   <li>factories: {@link elbo.nn.flow.Flows}.</li>
 * </ul>
 */
package elbo.nn.flow;
