/**
 * The lecture's theorems made computable: models whose truth is known (the linear-Gaussian model's
 * evidence and posterior), gradient signal-to-noise estimation, and the pieces of
 * {@code ./elbo lecture --part=theory}. The properties that check them live in the tests of this package.
 */
package elbo.models.theory;
