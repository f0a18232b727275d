package elbo.nn.flow;

import elbo.core.DTypeException;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/**
 * The elementwise affine bijector, the simplest flow:
 *
 * <pre>
 *   y = x ⊙ exp(s) + b,        log|det ∂y/∂x| = Σ_d s_d
 *   x = (y - b) ⊙ exp(-s),     log|det ∂x/∂y| = -Σ_d s_d
 * </pre>
 *
 * with shift {@code b} and log-scale {@code s}, both of shape {@code [D]} (shared by every example).
 * Applied to a standard Normal it gives the diagonal Normal with mean {@code b} and standard deviation
 * {@code exp(s)}; the tests use exactly this to check {@link elbo.nn.dist.TransformedDistribution}.
 */
public final class ElementwiseAffine implements Bijector {
    private final Tensor shift;
    private final Tensor logScale;

    /**
     * @param shift    {@code b}, shape {@code [D]}
     * @param logScale {@code s}, shape {@code [D]}
     * @throws ShapeException if either is not 1-D or their sizes differ
     * @throws DTypeException if their dtypes differ
     */
    public ElementwiseAffine(Tensor shift, Tensor logScale) {
        if (shift.rank() != 1 || !shift.shape().equals(logScale.shape())) {
            throw new ShapeException("ElementwiseAffine: shift " + shift.shape() + " and logScale "
                    + logScale.shape() + " must both have shape [D]");
        }
        if (shift.dtype() != logScale.dtype()) {
            throw new DTypeException("ElementwiseAffine: shift is " + shift.dtype() + " but logScale is "
                    + logScale.dtype());
        }
        this.shift = shift;
        this.logScale = logScale;
    }

    public Tensor shift() {
        return shift;
    }

    public Tensor logScale() {
        return logScale;
    }

    @Override
    public Result forward(Tensor x) {
        check(x, "forward");
        Tensor y = x.mul(logScale.exp()).add(shift);
        return new Result(y, perExample(logScale.sum(), x));
    }

    @Override
    public Result inverse(Tensor y) {
        check(y, "inverse");
        Tensor x = y.sub(shift).mul(logScale.neg().exp());
        return new Result(x, perExample(logScale.sum().neg(), y));
    }

    @Override
    public ElementwiseAffine detached() {
        return new ElementwiseAffine(shift.detach(), logScale.detach());
    }

    /** The scalar log-det repeated over the batch shape of {@code x}. */
    private static Tensor perExample(Tensor logDet, Tensor x) {
        int[] batch = x.shape().without(x.rank() - 1).dims();
        return logDet.add(Tensor.zeros(x.dtype(), batch));
    }

    private void check(Tensor x, String op) {
        if (x.rank() < 1 || x.dim(-1) != shift.dim(0)) {
            throw new ShapeException("ElementwiseAffine." + op + ": input of shape " + x.shape()
                    + " does not end in the event size " + shift.dim(0));
        }
        if (x.dtype() != shift.dtype()) {
            throw new DTypeException("ElementwiseAffine." + op + ": input is " + x.dtype()
                    + " but the bijector is " + shift.dtype());
        }
    }
}
