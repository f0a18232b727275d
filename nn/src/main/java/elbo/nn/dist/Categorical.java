package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * A categorical distribution over {@code C} classes along the last axis, parameterised by unnormalised
 * logits {@code ℓ} ({@code [...batch, C]}); a sample is one class index per batch element:
 *
 * <pre>
 *   log p(k) = ℓ_k - log Σ_j e^(ℓ_j)        (log-softmax, by logSumExp)
 *   H        = -Σ_k p_k log p_k
 *   E[k]     =  Σ_k k p_k
 * </pre>
 *
 * Unlike the diagonal distributions, the event is a single index: {@link #sample} returns indices of the
 * batch shape (stored as whole numbers in the logits' dtype) and {@link #eventSize()} is the number of
 * classes {@code C}. {@link #logProb(int[])} takes the indices as an {@code int[]}, one per batch element.
 * Samples are discrete: no {@code rsample}.
 */
public final class Categorical implements Distribution {
    private final Tensor logits;

    /**
     * @throws ShapeException if {@code logits} is a scalar or has zero classes
     */
    public Categorical(Tensor logits) {
        Checks.hasEventAxis("Categorical", "logits", logits);
        if (logits.dim(-1) < 1) {
            throw new ShapeException("Categorical: logits " + logits.shape() + " have no classes on the last axis");
        }
        this.logits = logits;
    }

    /** {@code ℓ} as given. */
    public Tensor logits() {
        return logits;
    }

    /** The normalised log-probabilities {@code ℓ - logSumExp(ℓ)}, {@code [...batch, C]}. */
    public Tensor logProbs() {
        return logits.sub(logits.logSumExp(-1, true));
    }

    /** {@code p = softmax(ℓ)}, {@code [...batch, C]}. */
    public Tensor probs() {
        return logProbs().exp();
    }

    /** {@code C}. */
    public int numClasses() {
        return logits.dim(-1);
    }

    /**
     * {@code log p(k)} for one class index per batch element (row-major over the batch shape).
     *
     * @throws ShapeException           if there is not exactly one index per batch element
     * @throws IllegalArgumentException naming the first index outside {@code [0, C)}
     */
    public Tensor logProb(int[] classes) {
        int batch = batchShape().numel();
        if (classes.length != batch) {
            throw new ShapeException("Categorical.logProb: " + classes.length + " class indices for batch shape "
                    + batchShape() + " (" + batch + " elements)");
        }
        checkIndices(classes);
        return logProbs().gather(-1, classes, 1).squeeze(-1);
    }

    /**
     * {@code log p(k)} for class indices held (as whole numbers) in a tensor whose shape broadcasts against
     * the batch shape, e.g. {@code [n, ...batch]} from {@link #sample(Rng, int)}; the result has the
     * broadcast shape. The dtype of {@code k} does not matter: indices carry no gradient.
     *
     * @throws ShapeException           if {@code k}'s shape does not broadcast against the batch shape
     * @throws IllegalArgumentException naming the first element that is not a whole number in {@code [0, C)}
     */
    @Override
    public Tensor logProb(Tensor k) {
        Shape target = Checks.broadcastBatch("Categorical.logProb", k.shape(), batchShape());
        Tensor logp = logProbs();
        if (!target.equals(batchShape())) {
            int[] full = new int[target.rank() + 1];
            System.arraycopy(target.dims(), 0, full, 0, target.rank());
            full[target.rank()] = numClasses();
            logp = logp.broadcastTo(full);
        }
        Tensor kb = k.shape().equals(target) ? k : k.broadcastTo(target);
        int[] classes = new int[kb.numel()];
        for (int i = 0; i < classes.length; i++) {
            double v = kb.getFlat(i);
            if (v != Math.rint(v)) {
                throw new IllegalArgumentException("Categorical.logProb: class index " + v + " at flat index " + i
                        + " is not a whole number");
            }
            classes[i] = (int) v;
        }
        checkIndices(classes);
        return logp.gather(-1, classes, 1).squeeze(-1);
    }

    private void checkIndices(int[] classes) {
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= numClasses()) {
                throw new IllegalArgumentException("Categorical.logProb: class index " + classes[i] + " at position "
                        + i + " is outside [0, " + numClasses() + ")");
            }
        }
    }

    @Override
    public Tensor entropy() {
        Tensor logp = logProbs();
        Tensor p = logp.exp();
        // p log p → 0 as p → 0: a class masked out with logit -∞ contributes 0, not 0·(-∞) = NaN.
        Tensor pLogP = Tensor.where(p.gt(0.0), p.mul(logp), Tensor.zerosLike(p));
        return pLogP.sum(-1, false).neg();
    }

    /** The expected class index {@code Σ_k k p_k}, of the batch shape (the mean of {@link #sample}). */
    @Override
    public Tensor mean() {
        return probs().mul(Tensor.arange(dtype(), numClasses())).sum(-1, false);
    }

    /**
     * {@code n} draws per batch element by inverse CDF, as an {@code int[]} of length {@code n · batch}
     * laid out as {@code [n, ...batch]} row-major.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public int[] sampleIndices(Rng rng, int n) {
        Checks.sampleCount("Categorical.sample", n);
        double[] p = probs().detach().toDoubleArray();
        int c = numClasses(), batch = batchShape().numel();
        int[] out = new int[n * batch];
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < batch; b++) {
                double u = rng.nextDouble(), cdf = 0.0;
                int k = -1;
                int lastPossible = 0; // round-off may leave the cdf just below 1: the last class with p > 0
                for (int j = 0; j < c; j++) {   // takes the rest, never a class of probability 0
                    double pj = p[b * c + j];
                    cdf += pj;
                    if (pj > 0) {
                        lastPossible = j;
                    }
                    if (u < cdf && pj > 0) {
                        k = j;
                        break;
                    }
                }
                if (k < 0) {
                    k = lastPossible;
                }
                out[s * batch + b] = k;
            }
        }
        return out;
    }

    /** Class indices of the batch shape, as whole numbers in the logits' dtype. */
    @Override
    public Tensor sample(Rng rng) {
        return asTensor(sampleIndices(rng, 1), batchShape().dims());
    }

    /** Class indices of shape {@code [n, ...batch]}. */
    @Override
    public Tensor sample(Rng rng, int n) {
        return asTensor(sampleIndices(rng, n), Checks.prepend(n, batchShape()));
    }

    private Tensor asTensor(int[] indices, int[] shape) {
        Tensor t = Tensor.zeros(dtype(), shape);
        for (int i = 0; i < indices.length; i++) {
            t.setFlat(i, indices[i]);
        }
        return t;
    }

    @Override
    public Categorical detached() {
        return new Categorical(logits.detach());
    }

    /** The number of classes {@code C}. */
    @Override
    public int eventSize() {
        return numClasses();
    }

    @Override
    public Shape batchShape() {
        return Checks.batchOf(logits.shape());
    }

    @Override
    public DType dtype() {
        return logits.dtype();
    }

    @Override
    public String toString() {
        return "Categorical(" + dtype() + ", batch " + batchShape() + ", C=" + numClasses() + ")";
    }
}
