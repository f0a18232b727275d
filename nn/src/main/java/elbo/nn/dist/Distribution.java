package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;

/**
 * A probability distribution whose parameters are {@link Tensor}s, so that log-densities, entropies and
 * reparameterised samples are differentiable with respect to them.
 *
 * <p><b>Shapes.</b> Parameters have shape {@code [...batch, D]}: the <em>event</em> is the last axis and
 * its coordinates are independent given the parameters (diagonal distributions), the leading axes index
 * a batch of independent distributions. {@link #logProb(Tensor) logProb(x)} sums over the event axis and
 * broadcasts {@code x} against the parameters NumPy-style, so a stack of {@code K} samples
 * {@code z: [K, B, D]} scored under a posterior with {@code loc: [B, D]} gives {@code log q(z): [K, B]},
 * exactly what an importance-weighted bound (IWAE) needs:
 *
 * <pre>
 *   log p(x) ≥ E[ log (1/K) Σ_k p(x, z_k) / q(z_k | x) ],   z_k ~ q(z | x)
 * </pre>
 *
 * <p><b>Sampling.</b> {@link #sample} draws values that carry no gradient. {@link #rsample} draws by
 * reparameterisation, {@code z = g(params, ε)} with parameter-free noise {@code ε}, so the gradient of a
 * Monte Carlo objective flows through {@code z} into the parameters; distributions with discrete
 * samples throw {@link NotReparameterizableException}. The {@code n} variants prepend an axis of size
 * {@code n}: {@code [n, ...batch, D]}.
 *
 * <p><b>Stopping gradients.</b> {@link #detached()} is the same distribution with its parameters cut from
 * the graph. The sticking-the-landing (STL) and doubly-reparameterised (DReG) estimators score a
 * reparameterised sample under {@code q.detached()}, so the path derivative through {@code z} is kept
 * while the score-function term {@code ∂ log q / ∂φ} is dropped.
 *
 * <p>Every distribution here is immutable and cheap: a view of its parameter tensors. Build a new one
 * whenever the parameters change (the encoder outputs new ones for every batch).
 */
public interface Distribution {

    /**
     * A sample of shape {@code [...batch, D]} (for {@link Categorical}: class indices of shape
     * {@code [...batch]}), carrying no gradient.
     */
    Tensor sample(Rng rng);

    /**
     * {@code n} independent samples stacked along a new leading axis: {@code [n, ...sampleShape]}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    Tensor sample(Rng rng, int n);

    /** True if {@link #rsample} is supported (the sample is a differentiable function of the parameters). */
    default boolean reparameterizable() {
        return false;
    }

    /**
     * A reparameterised sample: differentiable with respect to the parameters.
     *
     * @throws NotReparameterizableException naming this distribution if it has no reparameterisation
     */
    default Tensor rsample(Rng rng) {
        throw new NotReparameterizableException(this);
    }

    /**
     * {@code n} reparameterised samples, {@code [n, ...batch, D]}.
     *
     * @throws NotReparameterizableException naming this distribution if it has no reparameterisation
     * @throws IllegalArgumentException      if {@code n < 1}
     */
    default Tensor rsample(Rng rng, int n) {
        throw new NotReparameterizableException(this);
    }

    /**
     * A reparameterised sample together with its log-density under the distribution that drew it.
     *
     * @param value   {@code z}, {@code [n, ...batch, D]}
     * @param logProb {@code log p(z)}, {@code [n, ...batch]}, differentiable in the parameters and in
     *                {@code z}
     */
    record Sample(Tensor value, Tensor logProb) {
    }

    /**
     * {@code n} reparameterised samples and their log-density in one call: what a Monte Carlo objective
     * needs ({@code log q(z|x)} at its own samples). The default scores the sample with {@link #logProb};
     * a flow overrides it with the log-determinant of its forward pass, which needs no inverse.
     *
     * @throws NotReparameterizableException naming this distribution if it has no reparameterisation
     * @throws IllegalArgumentException      if {@code n < 1}
     */
    default Sample rsampleWithLogProb(Rng rng, int n) {
        Tensor z = rsample(rng, n);
        return new Sample(z, logProb(z));
    }

    /**
     * {@code log p(x)} summed over the event axis; {@code x} broadcasts against the parameters and the
     * result has the broadcast batch shape.
     *
     * @throws elbo.core.ShapeException if {@code x}'s event size differs or its batch axes do not broadcast
     * @throws elbo.core.DTypeException if {@code x}'s dtype differs from the parameters'
     */
    Tensor logProb(Tensor x);

    /**
     * The differential (or discrete) entropy {@code H = -E[log p(x)]}, of the batch shape.
     *
     * @throws NoClosedFormException naming this distribution if the entropy has no closed form
     */
    default Tensor entropy() {
        throw new NoClosedFormException(this, "entropy");
    }

    /**
     * {@code E[x]}, of the sample shape.
     *
     * @throws NoClosedFormException naming this distribution if the mean has no closed form
     */
    Tensor mean();

    /** The same distribution with its parameters detached from the autodiff graph (values shared). */
    Distribution detached();

    /** The size {@code D} of the last parameter axis (for {@link Categorical}, the number of classes). */
    int eventSize();

    /** The batch shape: the parameters' shape without the event axis. */
    Shape batchShape();

    /** The dtype of the parameters, of samples and of log-probabilities. */
    DType dtype();
}
