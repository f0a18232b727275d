/**
 * Probability distributions with differentiable log-densities, reparameterised samples and KL divergences:
 * the vocabulary of the variational objectives.
 *
 * <p>Conventions (see {@link elbo.nn.dist.Distribution}): parameters are {@code [...batch, D]}, the event is
 * the last axis, {@code logProb} sums over it and broadcasts. With {@code K} importance samples the
 * IWAE bound reads like its formula:
 *
 * <pre>{@code
 * Normal q = Normal.fromMeanLogVar(mu, logVar);              // q(z|x), [B, D]
 * Tensor z = q.rsample(rng, K);                              // [K, B, D]
 * Tensor logW = prior.logProb(z)                             // log p(z)      [K, B]
 *         .add(new Bernoulli(decoder(z)).logProb(x))         // + log p(x|z)  [K, B]
 *         .sub(q.logProb(z));                                // - log q(z|x)  [K, B]
 * Tensor iwae = logW.logSumExp(0, false).sub(Math.log(K)).mean();
 * }</pre>
 *
 * For the sticking-the-landing estimator replace {@code q.logProb(z)} by {@code q.detached().logProb(z)}:
 * the gradient then flows through {@code z} only. With {@code K = 1} and a closed form available, the
 * ELBO's KL term is {@code Kl.divergence(q, prior)}.
 */
package elbo.nn.dist;
