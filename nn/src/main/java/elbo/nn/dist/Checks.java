package elbo.nn.dist;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;

/** Argument checks shared by the distributions: each failure names the operation and the offending values. */
final class Checks {
    private Checks() {
    }

    /** A parameter must have an event axis. */
    static void hasEventAxis(String where, String name, Tensor t) {
        if (t.rank() < 1) {
            throw new ShapeException(where + ": " + name + " must have shape [...batch, D], got a scalar "
                    + t.shape());
        }
    }

    static void sameShape(String where, String nameA, Tensor a, String nameB, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new ShapeException(where + ": " + nameA + " " + a.shape() + " and " + nameB + " " + b.shape()
                    + " must have the same shape");
        }
    }

    static void sameDtype(String where, String nameA, Tensor a, String nameB, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new DTypeException(where + ": " + nameA + " is " + a.dtype() + " but " + nameB + " is "
                    + b.dtype());
        }
    }

    /**
     * A value {@code x: [..., D]} scored under parameters with the given event size, batch shape and dtype:
     * same dtype, same event size, batch axes broadcasting.
     */
    static void value(String where, Tensor x, int eventSize, Shape batch, DType dtype) {
        if (x.dtype() != dtype) {
            throw new DTypeException(where + ": x is " + x.dtype() + " but the distribution is " + dtype);
        }
        if (x.rank() < 1 || x.dim(-1) != eventSize) {
            throw new ShapeException(where + ": x of shape " + x.shape() + " does not end in the event size "
                    + eventSize);
        }
        broadcastBatch(where, x.shape().without(x.rank() - 1), batch);
    }

    /** The broadcast of two batch shapes, or a ShapeException naming both. */
    static Shape broadcastBatch(String where, Shape a, Shape b) {
        try {
            return Shape.broadcast(a, b, where);
        } catch (ShapeException e) {
            throw new ShapeException(where + ": batch shape " + a + " does not broadcast against the "
                    + "distribution's batch shape " + b);
        }
    }

    static void sampleCount(String where, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(where + ": the number of samples n must be at least 1, got " + n);
        }
    }

    /** {@code [n, ...dims]}. */
    static int[] prepend(int n, Shape s) {
        int[] d = new int[s.rank() + 1];
        d[0] = n;
        System.arraycopy(s.dims(), 0, d, 1, s.rank());
        return d;
    }

    /** The shape without its last axis. */
    static Shape batchOf(Shape s) {
        return s.without(s.rank() - 1);
    }
}
