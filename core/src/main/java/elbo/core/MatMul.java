package elbo.core;

/**
 * Matrix multiplication, 2-D and batched 3-D, with optional transposes of either operand that are
 * never materialised: the GEMM kernel reads the stored layout directly.
 *
 * <p>Shapes: {@code op(A)} is {@code [.., m, k]} and {@code op(B)} is {@code [.., k, n]}; a 2-D
 * operand, or a batch of size 1, is shared by every batch element of the other.
 *
 * <p>Gradients, with {@code C = op(A) op(B)}: {@code d op(A) = dC op(B)ᵀ} and
 * {@code d op(B) = op(A)ᵀ dC}, each again a GEMM with transpose flags; an operand shared across the
 * batch sums its gradient over the batch (the kernel's accumulate flag).
 *
 * <p>Each product is one {@code Kernels.gemm} call per batch element: {@code C = op(X) op(Y)}, or
 * {@code C += op(X) op(Y)} to accumulate, on arrays with offsets and row lengths. What it computes is
 * {@link elbo.core.kernels.ScalarKernels#gemm ScalarKernels.gemm}, the textbook triple loop that the
 * fast kernels must match: read that one.
 */
final class MatMul {
    private MatMul() {
    }

    /** A matrix operand: its batch size (1 if shared) and stored rows × cols. */
    private record Operand(Tensor t, int batch, int rows, int cols) {
        static Operand of(Tensor t, String side, Tensor a, boolean transA, Tensor b, boolean transB) {
            if (t.rank() != 2 && t.rank() != 3) {
                throw new ShapeException("matmul: operands must be 2-D or 3-D, got " + a.shape() + (transA ? "ᵀ" : "")
                        + " @ " + b.shape() + (transB ? "ᵀ" : "") + " (" + side + " has rank " + t.rank() + ")");
            }
            int batch = t.rank() == 3 ? t.dim(0) : 1;
            return new Operand(t, batch, t.dim(-2), t.dim(-1));
        }

        /** The operand as the product reads it: {@code t}, or {@code tᵀ} if {@code trans}. */
        Mat read(boolean trans) {
            int stride = batch == 1 ? 0 : rows * cols;
            return trans ? new Mat(t, stride, cols, true, cols, rows) : new Mat(t, stride, cols, false, rows, cols);
        }
    }

    /**
     * A batch of matrices as a GEMM reads them: {@code rows × cols}, each stored row-major with row length
     * {@code ld}, and read transposed if {@code trans}; the matrices start {@code stride} apart, and a
     * stride of 0 means one matrix shared by the whole batch.
     */
    private record Mat(Tensor t, int stride, int ld, boolean trans, int rows, int cols) {
        /** {@code Xᵀ}: the same storage, read the other way. */
        Mat T() {
            return new Mat(t, stride, ld, !trans, cols, rows);
        }

        /** A matrix of this shape and layout in other storage (e.g. the gradient of this one). */
        Mat over(Tensor storage) {
            return new Mat(storage, stride, ld, trans, rows, cols);
        }

        /** {@code [batch, rows, cols]} or {@code [rows, cols]} fresh output, read as stored. */
        static Mat output(Tensor c) {
            int rows = c.dim(-2), cols = c.dim(-1);
            return new Mat(c, rows * cols, cols, false, rows, cols);
        }
    }

    static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Elementwise.checkSameDType("matmul", a, b);
        Operand A = Operand.of(a, "left", a, transA, b, transB);
        Operand B = Operand.of(b, "right", a, transA, b, transB);
        Mat opA = A.read(transA), opB = B.read(transB);
        int m = opA.rows(), k = opA.cols(), n = opB.cols();
        if (k != opB.rows()) {
            throw new ShapeException("matmul: inner dimensions differ: " + a.shape() + (transA ? "ᵀ" : "")
                    + " @ " + b.shape() + (transB ? "ᵀ" : ""));
        }
        if (A.batch != B.batch && A.batch != 1 && B.batch != 1) {
            throw new ShapeException("matmul: batch sizes differ: " + a.shape() + " @ " + b.shape());
        }
        // A batch of 1 (or a 2-D operand) takes the other's batch size, which may be 0.
        int batch = A.batch == 1 ? B.batch : A.batch;
        boolean batched = a.rank() == 3 || b.rank() == 3;
        Shape outShape = batched ? Shape.of(batch, m, n) : Shape.of(m, n);
        Tensor c = Tensor.uninitialized(outShape, a.dtype());
        gemmInto(batch, Mat.output(c), opA, opB);                               // C = op(A)·op(B)

        return Autograd.record(Op.MATMUL, c, dc -> {                            // matmul: dA = dC·Bᵀ, dB = Aᵀ·dC
            // With transposes, A and B stand for op(A) and op(B). A gradient has its operand's layout
            // (opA.over(da)), so a transposed operand receives its gradient transposed: see gemmInto.
            Mat dC = Mat.output(dc);
            Tensor da = null, db = null;
            if (a.requiresGrad()) {
                da = batch == 0 ? Tensor.zerosLike(a) : Tensor.gradientBuffer(a); // written whole by gemm
                gemmInto(batch, opA.over(da), dC, opB.T());                      // dA = dC·Bᵀ
            }
            if (b.requiresGrad()) {
                db = batch == 0 ? Tensor.zerosLike(b) : Tensor.gradientBuffer(b);
                gemmInto(batch, opB.over(db), opA.T(), dC);                      // dB = Aᵀ·dC
            }
            return new Tensor[] {da, db};
        }, a, b);
    }

    /**
     * {@code y = x Wᵀ + b}, the affine map of a dense layer, for {@code x} of shape {@code [.., m, k]}
     * (2-D or 3-D), {@code W} {@code [n, k]} and {@code b} {@code [n]}. Fused into one GEMM: the rows of
     * {@code y} start as copies of {@code b} and the product accumulates onto them, which saves the
     * separate broadcast add (a pass over {@code y}, a tensor and a graph node per layer).
     *
     * <p>Backward, with the rows of {@code x} and {@code dy} flattened to {@code [r, k]} and {@code [r,
     * n]}: {@code dx = dy W}, {@code dW = dyᵀ x}, {@code db = sum over rows of dy}.
     */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Elementwise.checkSameDType("linear", x, w);
        Elementwise.checkSameDType("linear", x, b);
        if ((x.rank() != 2 && x.rank() != 3) || w.rank() != 2 || b.rank() != 1
                || x.dim(-1) != w.dim(1) || b.dim(0) != w.dim(0)) {
            throw new ShapeException("linear: expected x [.., m, k], W [n, k] and b [n]; got x " + x.shape()
                    + ", W " + w.shape() + " and b " + b.shape());
        }
        int k = w.dim(1), n = w.dim(0);
        int rows = x.rank() == 2 ? x.dim(0) : x.dim(0) * x.dim(1); // every axis but the last
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = n;
        Tensor y = Tensor.uninitialized(Shape.of(outDims), x.dtype()); // every row starts as a copy of b:
        if (y.dtype() == DType.FLOAT32) {
            Tensor.K.repeatRow(b.f32(), 0, n, y.f32(), 0, rows);
        } else {
            Tensor.K.repeatRow(b.f64(), 0, n, y.f64(), 0, rows);
        }
        gemm(false, true, rows, n, k, x, 0, k, w, 0, k, true, y, 0, n);

        return Autograd.record(Op.LINEAR, y, dy -> {
            Tensor dx = null, dw = null, db = null;
            if (x.requiresGrad()) { // dx = dy W
                dx = Tensor.gradientBuffer(x); // written whole by gemm
                gemm(false, false, rows, k, n, dy, 0, n, w, 0, k, false, dx, 0, k);
            }
            if (w.requiresGrad()) { // dW = dyᵀ x
                dw = Tensor.gradientBuffer(w); // a weight's gradient is computed in place
                gemm(true, false, n, k, rows, dy, 0, n, x, 0, k, false, dw, 0, k);
            }
            if (b.requiresGrad()) { // db = sum over rows of dy
                db = Elementwise.sumTo(dy.reshapeRaw(Shape.of(rows, n)), Shape.of(1, n)).reshapeRaw(b.shape());
            }
            return new Tensor[] {dx, dw, db};
        }, x, w, b);
    }

    /**
     * {@code C_i = X_i·Y_i} for each batch element {@code i}. An output stride of 0 sums the products over
     * the batch (the gradient of a shared operand): the first overwrites, the rest accumulate.
     *
     * <p>The kernel writes {@code C} as stored, so a {@code C} read transposed is computed as
     * {@code Cᵀ = Yᵀ·Xᵀ}.
     */
    private static void gemmInto(int batch, Mat c, Mat x, Mat y) {
        if (c.trans()) {
            gemmInto(batch, c.T(), y.T(), x.T());
            return;
        }
        for (int i = 0; i < batch; i++) {
            boolean accumulate = c.stride() == 0 && i > 0;
            gemm(x.trans(), y.trans(), c.rows(), c.cols(), x.cols(), x.t(), i * x.stride(), x.ld(),
                    y.t(), i * y.stride(), y.ld(), accumulate, c.t(), i * c.stride(), c.ld());
        }
    }

    private static void gemm(boolean tx, boolean ty, int m, int n, int k, Tensor x, int xOff, int ldx,
                             Tensor y, int yOff, int ldy, boolean acc, Tensor c, int cOff, int ldc) {
        if (c.dtype() == DType.FLOAT32) {
            Tensor.K.gemm(tx, ty, m, n, k, x.f32(), xOff, ldx, y.f32(), yOff, ldy, acc, c.f32(), cOff, ldc);
        } else {
            Tensor.K.gemm(tx, ty, m, n, k, x.f64(), xOff, ldx, y.f64(), yOff, ldy, acc, c.f64(), cOff, ldc);
        }
    }
}
