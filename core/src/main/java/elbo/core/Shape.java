package elbo.core;

import java.util.Arrays;

/**
 * An immutable tensor shape: the size of each axis, outermost first (row-major).
 * A rank-0 shape {@code []} is a scalar with one element. Sizes may be zero.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final int numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new ShapeException("shape " + Arrays.toString(dims) + " has more than 2^31-1 elements");
            }
        }
        this.numel = (int) n;
    }

    /**
     * The shape with the given axis sizes.
     *
     * @throws ShapeException if a size is negative or the element count overflows an int
     */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int d : dims) {
            if (d < 0) {
                throw new ShapeException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of axes. */
    public int rank() {
        return dims.length;
    }

    /** Number of elements (1 for a scalar). */
    public int numel() {
        return numel;
    }

    /** Size of {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis, "dim")];
    }

    /** A copy of the sizes. */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Row-major strides in elements: {@code strides[i] = product of dims[i+1..]}.
     */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /**
     * Maps a possibly negative axis into {@code [0, rank)}.
     *
     * @throws ShapeException naming {@code op}, the axis and this shape when out of range
     */
    public int normalizeAxis(int axis, String op) {
        int r = dims.length;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) {
            throw new ShapeException(op + ": axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    /** Product of the sizes of axes {@code [from, to)}. */
    public int sizeOf(int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** This shape with {@code axis} set to size 1 (keepDims reduction result). */
    public Shape withDim(int axis, int size) {
        int[] d = dims.clone();
        d[axis] = size;
        return new Shape(d);
    }

    /** This shape with one more axis, of size {@code size}, at the end. */
    Shape append(int size) {
        int[] d = java.util.Arrays.copyOf(dims, dims.length + 1);
        d[dims.length] = size;
        return Shape.of(d);
    }

    /** This shape with {@code axis} removed. */
    public Shape without(int axis) {
        int[] d = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != axis) {
                d[j++] = dims[i];
            }
        }
        return d.length == 0 ? SCALAR : new Shape(d);
    }

    /**
     * The NumPy broadcast of two shapes: align trailing axes; each pair must be equal or contain a 1.
     *
     * @throws ShapeException naming {@code op} and both shapes when they do not broadcast
     */
    public static Shape broadcast(Shape a, Shape b, String op) {
        if (a.equals(b)) {
            return a;
        }
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes do not broadcast: " + a + " vs " + b);
            }
            out[i] = da == 1 ? db : da;
        }
        return of(out);
    }

    /** True if this shape broadcasts to {@code target} (NumPy rules, this one being the smaller side). */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [2, 3]} style, as used in every error message. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
