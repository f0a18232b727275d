package elbo.core;

import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;

import java.util.Arrays;

/**
 * An n-dimensional array of float32 or float64 numbers that records the operations applied to it, so
 * that {@link #backward()} can compute gradients by reverse-mode automatic differentiation.
 *
 * <p><b>Storage.</b> Elements live in one contiguous row-major {@code float[]} or {@code double[]}.
 * Every operation returns a new tensor with its own storage, except {@link #reshape} (and so
 * {@link #squeeze}/{@link #unsqueeze}) and {@link #detach}, which share the storage of their input (they
 * never reorder elements, so sharing is always correct); a {@link #cast} to the same dtype returns the
 * tensor itself. Writes through {@link #f32()}/{@link #f64()} are therefore visible to such views;
 * optimizers update parameters in place this way, outside any recorded graph.
 *
 * <p><b>In-place writes and backward.</b> A backward rule reads its inputs' values when backward runs.
 * Each storage counts its in-place writes ({@link #copyFrom}, {@link #setFlat}, {@link #markModified()},
 * which optimizers call); backward throws if an input an op used has been written since, rather than
 * computing a wrong gradient. Raw writes through {@link #f32()}/{@link #f64()} count only if followed by
 * {@link #markModified()}.
 *
 * <p><b>Broadcasting.</b> Binary operations follow NumPy: trailing axes are aligned and sizes must be
 * equal or 1. The gradient with respect to a broadcast operand is summed over the broadcast axes.
 *
 * <p><b>Dtypes.</b> Both operands of a binary operation must have the same dtype
 * ({@link DTypeException} otherwise); Java {@code double} scalars adapt to the tensor's dtype.
 *
 * <p><b>Gradients.</b> A tensor made with {@link #requiresGrad(boolean) requiresGrad(true)} is a leaf
 * whose {@link #grad()} is filled by backward; results of operations on it record a graph. See
 * {@link Autograd} for the semantics of backward (accumulation, calling it twice, no-grad scopes,
 * anomaly mode).
 */
public final class Tensor {
    static final Kernels K = KernelProvider.get();

    private final Shape shape;
    private final DType dtype;
    private final float[] f;
    private final double[] d;
    /** Non-null when the storage is lent by a {@link Workspace}: the tensor dies when it closes. */
    private final Workspace.Lease lease;
    /**
     * Counts in-place writes to the storage; shared by every view of it. Backward checks that the
     * inputs an op saved have not been written since ({@link #markModified()}).
     */
    private final int[] version;

    private boolean requiresGrad;
    private boolean retainGrad;
    private java.util.function.UnaryOperator<Tensor> gradientHook;
    private Node node;
    private Tensor grad;
    /** The storage of the gradient {@link #zeroGrad()} forgot, reused by the next backward. */
    private Tensor spareGrad;
    /** True while {@link #gradientBuffer} has handed {@link #spareGrad} to a backward rule. */
    private boolean spareGradLent;

    Tensor(Shape shape, float[] data) {
        this(shape, data, null);
    }

    Tensor(Shape shape, double[] data) {
        this(shape, data, null);
    }

    private Tensor(Shape shape, float[] data, Workspace.Lease lease) {
        this(shape, data, lease, new int[1]);
    }

    private Tensor(Shape shape, double[] data, Workspace.Lease lease) {
        this(shape, data, lease, new int[1]);
    }

    private Tensor(Shape shape, float[] data, Workspace.Lease lease, int[] version) {
        this.shape = shape;
        this.dtype = DType.FLOAT32;
        this.f = data;
        this.d = null;
        this.lease = lease;
        this.version = version;
    }

    private Tensor(Shape shape, double[] data, Workspace.Lease lease, int[] version) {
        this.shape = shape;
        this.dtype = DType.FLOAT64;
        this.f = null;
        this.d = data;
        this.lease = lease;
        this.version = version;
    }

    /**
     * A new tensor of zeros: storage from the thread's open {@link Workspace} if there is one, else a
     * fresh array.
     */
    static Tensor empty(Shape shape, DType dtype) {
        return allocate(shape, dtype, true);
    }

    /**
     * A new tensor whose elements are unspecified (a recycled workspace array is not cleared): for an op
     * that writes every element before anything reads one. Saves a pass over memory per op.
     */
    static Tensor uninitialized(Shape shape, DType dtype) {
        return allocate(shape, dtype, false);
    }

    private static Tensor allocate(Shape shape, DType dtype, boolean zeroed) {
        Workspace ws = Workspace.active();
        if (ws == null) {
            return dtype == DType.FLOAT32 ? new Tensor(shape, new float[shape.numel()])
                    : new Tensor(shape, new double[shape.numel()]);
        }
        Workspace.Lease lease = new Workspace.Lease(ws, ws.epoch());
        return dtype == DType.FLOAT32 ? new Tensor(shape, ws.floats(shape.numel(), zeroed), lease)
                : new Tensor(shape, ws.doubles(shape.numel(), zeroed), lease);
    }

    /**
     * Records that this tensor's values were changed in place through {@link #f32()}/{@link #f64()}
     * (optimizers call it after each update; {@link #copyFrom} and {@link #setFlat} count by themselves).
     * A graph that used the old values then refuses to run backward, instead of silently computing a
     * gradient from the new ones.
     */
    public void markModified() {
        version[0]++;
    }

    /** The storage's in-place write count (see {@link #markModified()}). */
    int version() {
        return version[0];
    }

    /**
     * True if this tensor's storage is lent by a {@link Workspace} scope: it dies when the scope closes,
     * so it must not become long-lived state (a parameter, a buffer, optimizer state).
     */
    public boolean isWorkspaceScratch() {
        return lease != null;
    }

    /** Throws if this tensor's workspace storage has been recycled. */
    private void checkAlive() {
        if (lease != null && !lease.alive()) {
            throw new IllegalStateException("tensor " + dtype + " " + shape + " was made inside a Workspace scope "
                    + "that has closed, and its storage has been recycled; copy() what must outlive the scope");
        }
    }

    // ---- factories ----------------------------------------------------------------------------

    /**
     * A float32 tensor holding a copy of {@code data} in row-major order.
     *
     * @throws ShapeException if {@code data.length} differs from the shape's element count
     */
    public static Tensor of(float[] data, int... shape) {
        Shape s = Shape.of(shape);
        checkLength(data.length, s);
        return new Tensor(s, data.clone());
    }

    /**
     * A float64 tensor holding a copy of {@code data} in row-major order.
     *
     * @throws ShapeException if {@code data.length} differs from the shape's element count
     */
    public static Tensor of(double[] data, int... shape) {
        Shape s = Shape.of(shape);
        checkLength(data.length, s);
        return new Tensor(s, data.clone());
    }

    /** A 1-D tensor of the given values and dtype. */
    public static Tensor vector(DType dtype, double... values) {
        return of(values, values.length).cast(dtype);
    }

    /**
     * A float32 tensor that takes ownership of {@code data} (no copy): for loaders and kernels that
     * fill an array and hand it over.
     *
     * @throws ShapeException if {@code data.length} differs from the shape's element count
     */
    public static Tensor wrap(float[] data, Shape shape) {
        checkLength(data.length, shape);
        return new Tensor(shape, data);
    }

    /** The float64 counterpart of {@link #wrap(float[], Shape)}. */
    public static Tensor wrap(double[] data, Shape shape) {
        checkLength(data.length, shape);
        return new Tensor(shape, data);
    }

    private static void checkLength(int length, Shape s) {
        if (length != s.numel()) {
            throw new ShapeException("tensor: " + length + " values do not fill shape " + s
                    + " (" + s.numel() + " elements)");
        }
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(double value, DType dtype) {
        Tensor t = empty(Shape.scalar(), dtype);
        t.setFlat(0, value);
        return t;
    }

    /** Zeros of the given shape. */
    public static Tensor zeros(DType dtype, int... shape) {
        return empty(Shape.of(shape), dtype);
    }

    /** Zeros of the given shape. */
    public static Tensor zeros(DType dtype, Shape shape) {
        return empty(shape, dtype);
    }

    /** Ones of the given shape. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    /** Every element {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        return full(dtype, value, Shape.of(shape));
    }

    /** Every element {@code value}. */
    public static Tensor full(DType dtype, double value, Shape shape) {
        Tensor t = empty(shape, dtype);
        if (t.f != null) {
            Arrays.fill(t.f, (float) value);
        } else {
            Arrays.fill(t.d, value);
        }
        return t;
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(DType dtype, int n) {
        Tensor t = empty(Shape.of(n), dtype);
        for (int i = 0; i < n; i++) {
            t.setFlat(i, i);
        }
        return t;
    }

    /** Zeros with the shape and dtype of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return empty(like.shape, like.dtype);
    }

    /** Ones with the shape and dtype of {@code like}. */
    public static Tensor onesLike(Tensor like) {
        return full(like.dtype, 1.0, like.shape);
    }

    // ---- properties and element access --------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public int rank() {
        return shape.rank();
    }

    public int numel() {
        return shape.numel();
    }

    /** Size of {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    /**
     * The backing float32 array (live: writes are visible). For kernels, optimizers and loaders.
     *
     * @throws DTypeException if this tensor is float64
     */
    public float[] f32() {
        checkAlive();
        if (f == null) {
            throw new DTypeException("f32(): tensor of shape " + shape + " is FLOAT64");
        }
        return f;
    }

    /**
     * The backing float64 array (live: writes are visible).
     *
     * @throws DTypeException if this tensor is float32
     */
    public double[] f64() {
        checkAlive();
        if (d == null) {
            throw new DTypeException("f64(): tensor of shape " + shape + " is FLOAT32");
        }
        return d;
    }

    /** The element at flat (row-major) index {@code i}, as a double. */
    public double getFlat(int i) {
        checkAlive();
        return f != null ? f[i] : d[i];
    }

    /** Sets the element at flat index {@code i} (rounded to float32 if needed). */
    public void setFlat(int i, double v) {
        checkAlive();
        version[0]++;
        if (f != null) {
            f[i] = (float) v;
        } else {
            d[i] = v;
        }
    }

    /**
     * The element at the given index, one coordinate per axis.
     *
     * @throws ShapeException if the index has the wrong rank or a coordinate is out of range
     */
    public double get(int... index) {
        return getFlat(flatIndex(index));
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new ShapeException("get: index " + Arrays.toString(index) + " has rank " + index.length
                    + " but the tensor has shape " + shape);
        }
        int[] strides = shape.strides();
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new ShapeException("get: index " + Arrays.toString(index) + " out of range for shape " + shape);
            }
            flat += index[i] * strides[i];
        }
        return flat;
    }

    /**
     * The single value of a one-element tensor.
     *
     * @throws ShapeException if the tensor has more or fewer than one element
     */
    public double item() {
        if (numel() != 1) {
            throw new ShapeException("item: tensor of shape " + shape + " has " + numel() + " elements, not 1");
        }
        return getFlat(0);
    }

    /** A copy of the elements as float32, row-major. */
    public float[] toFloatArray() {
        checkAlive();
        if (f != null) {
            return f.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** A copy of the elements as float64, row-major. */
    public double[] toDoubleArray() {
        checkAlive();
        if (d != null) {
            return d.clone();
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** True if no element is NaN or infinite. */
    public boolean allFinite() {
        int n = numel();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(getFlat(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Overwrites this tensor's elements with {@code src}'s (converted to this dtype). Not recorded:
     * for parameter updates and checkpoint loading.
     *
     * @throws ShapeException if the shapes differ
     */
    public void copyFrom(Tensor src) {
        checkAlive();
        src.checkAlive();
        version[0]++;
        if (!src.shape.equals(shape)) {
            throw new ShapeException("copyFrom: shapes differ: " + shape + " <- " + src.shape);
        }
        if (f != null && src.f != null) {
            System.arraycopy(src.f, 0, f, 0, f.length);
        } else if (d != null && src.d != null) {
            System.arraycopy(src.d, 0, d, 0, d.length);
        } else {
            for (int i = 0; i < numel(); i++) {
                setFlat(i, src.getFlat(i));
            }
        }
    }

    // ---- autodiff -----------------------------------------------------------------------------

    /**
     * Marks this tensor as a leaf whose gradient backward should compute (or not).
     *
     * @return this tensor
     * @throws IllegalStateException if called on the result of a recorded operation
     */
    public Tensor requiresGrad(boolean requires) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can be marked; this tensor is the "
                    + "result of '" + node.op + "' (use detach() to make a leaf)");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** True if gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** True if this tensor was not produced by a recorded operation. */
    public boolean isLeaf() {
        return node == null;
    }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} during backward; returns this. */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    /**
     * Registers {@code hook}, which during backward maps the total gradient that reaches this tensor to
     * the gradient passed on below it (PyTorch's {@code register_hook}); one hook per tensor, run with
     * recording off. The doubly-reparameterised IWAE estimator uses it to weight each sample's path
     * gradient {@code ∂ log w_k / ∂z_k} by {@code w̃_k} once the weights are known. Returns this.
     *
     * @throws IllegalStateException if this tensor takes no gradient, or already has a hook
     */
    public Tensor registerHook(java.util.function.UnaryOperator<Tensor> hook) {
        if (!requiresGrad) {
            throw new IllegalStateException("registerHook: this " + dtype + " " + shape
                    + " tensor takes no gradient, so a hook on it would never run");
        }
        if (gradientHook != null) {
            throw new IllegalStateException("registerHook: this tensor already has a hook");
        }
        gradientHook = hook;
        return this;
    }

    /** The gradient after this tensor's hook (the gradient itself if there is none). */
    Tensor applyHook(Tensor g) {
        if (gradientHook == null) {
            return g;
        }
        Tensor h = gradientHook.apply(g);
        if (h == null || !h.shape().equals(g.shape()) || h.dtype() != g.dtype()) {
            throw new IllegalStateException("gradient hook returned " + (h == null ? "null" : h.dtype() + " "
                    + h.shape()) + " for a gradient of " + g.dtype() + " " + g.shape());
        }
        return h;
    }

    boolean retainsGrad() {
        return retainGrad || (node == null && requiresGrad);
    }

    /**
     * The accumulated gradient, or {@code null} before any backward reached this tensor. After
     * {@link #zeroGrad()} the next backward refills the same storage: copy a gradient you want to keep.
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Forgets the accumulated gradient: {@link #grad()} is {@code null} until the next backward reaches
     * this tensor. The old gradient's storage is reused by that backward (no allocation per step), so do
     * not keep a reference to a gradient across {@code zeroGrad()}; copy it.
     */
    public void zeroGrad() {
        if (grad != null) {
            spareGrad = grad;
        }
        grad = null;
        spareGradLent = false;
    }

    /**
     * Storage for the whole gradient of {@code x}, for a backward rule that writes every element: the
     * storage of the gradient {@link #zeroGrad()} forgot, if {@code x} is a leaf that has none yet, so that
     * the gradient of a weight is computed in place (no copy per step); else an uninitialized tensor.
     * Lent at most once until the next {@code zeroGrad()}: a leaf reached by two paths gets its second
     * gradient in new storage (and, after a merge or a failed backward, the next backward copies instead).
     */
    static Tensor gradientBuffer(Tensor x) {
        if (x.node == null && x.grad == null && x.spareGrad != null && !x.spareGradLent) {
            x.spareGradLent = true;
            x.spareGrad.markModified(); // a stale reference to the old gradient, fed into this graph, is caught
            return x.spareGrad;
        }
        return uninitialized(x.shape, x.dtype);
    }

    /** The name of the operation that produced this tensor, or {@code null} for a leaf. */
    public String creator() {
        return node == null ? null : node.op;
    }

    Node node() {
        return node;
    }

    void attach(Node n) {
        this.node = n;
        this.requiresGrad = true;
    }

    /**
     * Adds {@code g} to this tensor's gradient. The gradient is heap storage owned by this tensor (a
     * copy, since {@code g} may be shared with other gradients or be the caller's seed, or live in a
     * workspace; or, if {@code g} was computed in this tensor's own spare storage by
     * {@link #gradientBuffer}, that storage itself), and later gradients are added into it in place.
     */
    void accumulateGrad(Tensor g) {
        if (grad == null && g == spareGrad) {       // computed in place by gradientBuffer
            grad = spareGrad;
            spareGrad = null;
            spareGradLent = false;
            return;
        }
        Tensor same = g.cast(dtype);
        if (grad == null && spareGrad != null) {
            spareGrad.copyFrom(same);
            grad = spareGrad;
            spareGrad = null;
        } else if (grad == null) {
            grad = same.copy();
        } else if (f != null) {                     // grad += g, in place
            K.zip(elbo.core.kernels.BinaryOp.ADD, grad.f32(), 0, same.f32(), 0, grad.f32(), 0, numel());
        } else {
            K.zip(elbo.core.kernels.BinaryOp.ADD, grad.f64(), 0, same.f64(), 0, grad.f64(), 0, numel());
        }
    }

    /**
     * Back-propagates from this scalar: fills {@link #grad()} of every leaf below it that requires a
     * gradient with d(this)/d(leaf), adding to what is there.
     *
     * @throws ShapeException if this tensor is not a single element (use {@link #backward(Tensor)})
     * @throws IllegalStateException if this tensor does not require a gradient
     */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeException("backward: output has shape " + shape
                    + "; a non-scalar output needs an explicit seed gradient of that shape");
        }
        backward(onesLike(this));
    }

    /**
     * Back-propagates the seed gradient {@code dThis} (the gradient of some scalar with respect to this
     * tensor), i.e. computes the vector-Jacobian products {@code dThisᵀ · d(this)/d(leaf)}.
     *
     * @throws ShapeException if the seed's shape differs from this tensor's
     * @throws DTypeException if the seed's dtype differs
     * @throws IllegalStateException if this tensor does not require a gradient
     */
    public void backward(Tensor dThis) {
        if (!dThis.shape.equals(shape)) {
            throw new ShapeException("backward: seed shape " + dThis.shape + " differs from output shape " + shape);
        }
        if (dThis.dtype != dtype) {
            throw new DTypeException("backward: seed dtype " + dThis.dtype + " differs from output dtype " + dtype);
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: tensor of shape " + shape + " does not require a gradient "
                    + "(no input was marked requiresGrad(true), or it was computed under noGrad())");
        }
        Autograd.backward(this, dThis);
    }

    /** The same storage under another shape with the same element count; not recorded. A view of
     * workspace storage dies with it. */
    Tensor reshapeRaw(Shape target) {
        checkAlive();
        return f != null ? new Tensor(target, f, lease, version) : new Tensor(target, d, lease, version);
    }

    /** A copy with fresh heap storage (never workspace storage), not recorded (no gradient flows through a copy made this way). */
    public Tensor copy() {
        checkAlive();
        return f != null ? new Tensor(shape, f.clone()) : new Tensor(shape, d.clone());
    }

    // ---- elementwise arithmetic (see Elementwise) ---------------------------------------------

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) { return Elementwise.binary(Op.ADD, this, other); }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) { return Elementwise.binary(Op.SUB, this, other); }

    /** {@code this * other} elementwise, broadcasting. */
    public Tensor mul(Tensor other) { return Elementwise.binary(Op.MUL, this, other); }

    /** {@code this / other} elementwise, broadcasting. */
    public Tensor div(Tensor other) { return Elementwise.binary(Op.DIV, this, other); }

    /** {@code this + c}. */
    public Tensor add(double c) { return add(scalar(c, dtype)); }

    /** {@code this - c}. */
    public Tensor sub(double c) { return sub(scalar(c, dtype)); }

    /** {@code this * c}. */
    public Tensor mul(double c) { return mul(scalar(c, dtype)); }

    /** {@code this / c}. */
    public Tensor div(double c) { return div(scalar(c, dtype)); }

    /** {@code c - this}. */
    public Tensor rsub(double c) { return scalar(c, dtype).sub(this); }

    /** {@code -this}. */
    public Tensor neg() { return Elementwise.unary(Op.NEG, this); }

    /** {@code e^this}. */
    public Tensor exp() { return Elementwise.unary(Op.EXP, this); }

    /** Natural logarithm. */
    public Tensor log() { return Elementwise.unary(Op.LOG, this); }

    /** {@code log(1 + this)}, accurate near 0. */
    public Tensor log1p() { return Elementwise.unary(Op.LOG1P, this); }

    /** {@code e^this - 1}, accurate near 0. */
    public Tensor expm1() { return Elementwise.unary(Op.EXPM1, this); }

    /**
     * Square root; its gradient at 0 is +inf times a nonzero upstream gradient, and 0 for a zero one (as
     * for every elementwise op, a zero upstream gradient gives exactly 0: see {@link Autograd}).
     */
    public Tensor sqrt() { return Elementwise.unary(Op.SQRT, this); }

    /** Absolute value; its gradient at 0 is taken to be 0. */
    public Tensor abs() { return Elementwise.unary(Op.ABS, this); }

    /** Hyperbolic tangent. */
    public Tensor tanh() { return Elementwise.unary(Op.TANH, this); }

    /** Logistic sigmoid {@code 1 / (1 + e^-x)}. */
    public Tensor sigmoid() { return Elementwise.unary(Op.SIGMOID, this); }

    /** {@code max(x, 0)}; gradient 0 at 0. */
    public Tensor relu() { return Elementwise.unary(Op.RELU, this); }

    /** {@code log(1 + e^x)}, computed without overflow (fused primitive, for stability). */
    public Tensor softplus() { return Elementwise.unary(Op.SOFTPLUS, this); }

    /** {@code log sigmoid(x) = -softplus(-x)}, finite for large |x| (fused primitive, for stability). */
    public Tensor logSigmoid() { return Elementwise.unary(Op.LOG_SIGMOID, this); }

    /** {@code this^p} for a constant exponent {@code p}. */
    public Tensor pow(double p) { return Elementwise.pow(this, p); }

    /** {@code this * this} (composite: pow 2). */
    public Tensor square() { return Elementwise.pow(this, 2.0); }

    /** Elementwise maximum, broadcasting; at ties the gradient is split equally. */
    public Tensor maximum(Tensor other) { return Elementwise.binary(Op.MAXIMUM, this, other); }

    /** Elementwise minimum, broadcasting; at ties the gradient is split equally. */
    public Tensor minimum(Tensor other) { return Elementwise.binary(Op.MINIMUM, this, other); }

    /**
     * Limits every element to {@code [lo, hi]}; the gradient passes where {@code lo <= x <= hi}.
     *
     * @throws IllegalArgumentException if {@code lo > hi}
     */
    public Tensor clamp(double lo, double hi) { return Elementwise.clamp(this, lo, hi); }

    /**
     * {@code mask ? a : b} elementwise, broadcasting all three. {@code mask} is any tensor (nonzero is
     * true) and takes no gradient. The unselected branch receives an exact zero gradient, so NaN or Inf
     * values there do not leak into the result or its gradient, nor into the gradients of the ops that
     * computed them ({@code where(x > 0, x.log(), 0)} has gradient 0, not NaN, at {@code x = 0}).
     *
     * @throws ShapeException  if the three shapes do not broadcast
     * @throws DTypeException  if {@code a} and {@code b} have different dtypes
     */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) { return Elementwise.where(mask, a, b); }

    /** 1 where {@code this > other}, else 0 (not differentiable). */
    public Tensor gt(Tensor other) { return Elementwise.compare(this, other, Elementwise.Cmp.GT); }

    /** 1 where {@code this >= other}, else 0 (not differentiable). */
    public Tensor ge(Tensor other) { return Elementwise.compare(this, other, Elementwise.Cmp.GE); }

    /** 1 where {@code this < other}, else 0 (not differentiable). */
    public Tensor lt(Tensor other) { return Elementwise.compare(this, other, Elementwise.Cmp.LT); }

    /** 1 where {@code this == other}, else 0 (not differentiable). */
    public Tensor eq(Tensor other) { return Elementwise.compare(this, other, Elementwise.Cmp.EQ); }

    /** 1 where {@code this > c}, else 0 (not differentiable). */
    public Tensor gt(double c) { return gt(scalar(c, dtype)); }

    /** 1 where {@code this < c}, else 0 (not differentiable). */
    public Tensor lt(double c) { return lt(scalar(c, dtype)); }

    // ---- matrix multiply (see MatMul) ---------------------------------------------------------

    /**
     * Matrix product: 2-D {@code [m,k] @ [k,n]}, or batched 3-D {@code [b,m,k] @ [b,k,n]} where a batch
     * size of 1 or a 2-D operand broadcasts over the batch.
     *
     * @throws ShapeException if the inner dimensions differ or the ranks are not 2 or 3
     */
    public Tensor matmul(Tensor other) { return MatMul.matmul(this, other, false, false); }

    /** {@code this @ otherᵀ} (last two axes), without materialising the transpose. */
    public Tensor matmulT(Tensor other) { return MatMul.matmul(this, other, false, true); }

    /** {@code thisᵀ @ other} (last two axes), without materialising the transpose. */
    public Tensor tmatmul(Tensor other) { return MatMul.matmul(this, other, true, false); }

    /**
     * {@code x Wᵀ + b}, the affine map of a dense layer, in one GEMM whose output rows start as {@code
     * b}: {@code x} is {@code [.., m, k]} (2-D or 3-D), {@code w} {@code [n, k]}, {@code b} {@code [n]}.
     *
     * @throws ShapeException if the shapes do not fit together
     * @throws DTypeException if the dtypes differ
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) { return MatMul.linear(x, w, b); }

    /** {@code op(a) @ op(b)}, where {@code op} transposes the last two axes when its flag is set. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        return MatMul.matmul(a, b, transA, transB);
    }

    // ---- reductions (see Reductions) ----------------------------------------------------------

    /** Sum of all elements (rank 0). */
    public Tensor sum() { return Reductions.sum(this, allAxes(), false); }

    /** Sum over the given axes. */
    public Tensor sum(int axis, boolean keepDims) { return Reductions.sum(this, new int[] {axis}, keepDims); }

    /** Sum over several axes. */
    public Tensor sum(int[] axes, boolean keepDims) { return Reductions.sum(this, axes, keepDims); }

    /** Mean of all elements (rank 0). */
    public Tensor mean() { return Reductions.mean(this, allAxes(), false); }

    /** Mean over an axis. */
    public Tensor mean(int axis, boolean keepDims) { return Reductions.mean(this, new int[] {axis}, keepDims); }

    /** Mean over several axes. */
    public Tensor mean(int[] axes, boolean keepDims) { return Reductions.mean(this, axes, keepDims); }

    /**
     * Maximum over an axis; the gradient goes to the first maximal element.
     *
     * @throws ShapeException if the axis is out of range or has size 0
     */
    public Tensor max(int axis, boolean keepDims) { return Reductions.max(this, axis, keepDims); }

    /** Maximum of all elements (rank 0). */
    public Tensor max() { return reshape(numel()).max(0, false); }

    /**
     * {@code log sum_i exp(x_i)} over an axis, with the max shift (fused primitive, for stability). Its
     * gradient is the softmax {@code exp(x_i - y)}. All {@code -inf} gives {@code -inf} with a zero gradient;
     * a {@code +inf} entry gives {@code +inf}, with the gradient shared equally by the {@code +inf} entries
     * (the softmax's limit).
     *
     * @throws ShapeException if the axis is out of range
     */
    public Tensor logSumExp(int axis, boolean keepDims) { return Reductions.logSumExp(this, axis, keepDims); }

    /**
     * The log-likelihood of {@code x} under independent Bernoulli variables whose logits are this tensor,
     * summed over the last axis (fused primitive, for stability and speed):
     * <pre>
     *   y = Σ_d x_d ℓ_d - softplus(ℓ_d)       dℓ = dy · (x - σ(ℓ))       dx = dy · ℓ
     * </pre>
     * the negated binary cross-entropy with logits: finite and exact for logits of any size, where
     * {@code log σ(ℓ)} of a rounded probability would be {@code -inf}; for {@code x} in {@code [0, 1]} it
     * is the cross-entropy (not a normalised density). Two passes over the logits forward and backward,
     * where the composition {@code x.mul(ℓ).sub(ℓ.softplus()).sum(-1)} takes eight.
     *
     * @param x observations: the same last axis; the other axes broadcast against this tensor's
     * @return shape: the broadcast of both shapes without the last axis
     * @throws ShapeException if either is a scalar, the last axes differ, or the other axes do not broadcast
     * @throws DTypeException if the dtypes differ
     */
    public Tensor bernoulliLogProb(Tensor x) { return Reductions.bernoulliLogProb(this, x); }

    private int[] allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    // ---- shape operations (see Shaping) -------------------------------------------------------

    /**
     * The same elements with a new shape (one size may be -1: inferred). Shares storage.
     *
     * @throws ShapeException if the element counts differ
     */
    public Tensor reshape(int... dims) { return Shaping.reshape(this, dims); }

    /** Reorders axes: result axis i is this tensor's axis {@code axes[i]}. Copies. */
    public Tensor permute(int... axes) { return Shaping.permute(this, axes); }

    /** Swaps two axes. Copies. */
    public Tensor transpose(int axis1, int axis2) { return Shaping.transpose(this, axis1, axis2); }

    /** Transpose of a 2-D tensor. */
    public Tensor t() { return transpose(0, 1); }

    /** Expands size-1 (or missing leading) axes to {@code shape}. Copies. */
    public Tensor broadcastTo(int... shape) { return Shaping.broadcastTo(this, Shape.of(shape)); }

    /** Expands size-1 (or missing leading) axes to {@code shape}. Copies. */
    public Tensor broadcastTo(Shape shape) { return Shaping.broadcastTo(this, shape); }

    /** Elements {@code [start, start+length)} along {@code axis}. Copies. */
    public Tensor narrow(int axis, int start, int length) { return Shaping.narrow(this, axis, start, length); }

    /** Inserts an axis of size 1 at {@code axis} (composite: reshape). */
    public Tensor unsqueeze(int axis) { return Shaping.unsqueeze(this, axis); }

    /** Removes the size-1 axis {@code axis} (composite: reshape). */
    public Tensor squeeze(int axis) { return Shaping.squeeze(this, axis); }

    /** Joins tensors along an existing axis. */
    public static Tensor concat(int axis, Tensor... parts) { return Shaping.concat(axis, parts); }

    /** Joins equally shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... parts) { return Shaping.stack(axis, parts); }

    /** Picks the slices {@code indices} along {@code axis} (minibatching). */
    public Tensor indexSelect(int axis, int... indices) { return Shaping.indexSelect(this, axis, indices); }

    /**
     * Per-row selection: the result has this shape with {@code axis} of size {@code k}, and
     * {@code out[.., j, ..] = this[.., index[flat(.., j, ..)], ..]} where {@code index} holds one entry per
     * result element, row-major.
     */
    public Tensor gather(int axis, int[] index, int k) { return Shaping.gather(this, axis, index, k); }

    /** The same values, cut from the graph: no gradient flows back through the result. Shares storage. */
    public Tensor detach() { return Shaping.detach(this); }

    /** The values in another dtype (differentiable; same dtype returns this tensor). */
    public Tensor cast(DType target) { return Shaping.cast(this, target); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(shape);
        int n = Math.min(numel(), 8);
        sb.append(", [");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ").append(getFlat(i));
        }
        sb.append(numel() > n ? ", ...]" : "]");
        if (node != null) {
            sb.append(", grad_fn=").append(node.op);
        } else if (requiresGrad) {
            sb.append(", requiresGrad");
        }
        return sb.append(')').toString();
    }
}
