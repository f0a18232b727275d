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

        int stride() {
            return batch == 1 ? 0 : rows * cols;
        }
    }

    static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Elementwise.checkSameDType("matmul", a, b);
        Operand A = Operand.of(a, "left", a, transA, b, transB);
        Operand B = Operand.of(b, "right", a, transA, b, transB);
        int m = transA ? A.cols : A.rows, k = transA ? A.rows : A.cols;
        int kb = transB ? B.cols : B.rows, n = transB ? B.rows : B.cols;
        if (k != kb) {
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
        gemmBatched(batch, transA, transB, m, n, k, a, A.stride(), A.cols, b, B.stride(), B.cols, c, m * n, n);

        return Autograd.record(Op.MATMUL, c, dc -> {
            Tensor da = null, db = null;
            if (a.requiresGrad()) {
                // d op(A) = dC · op(B)ᵀ ; stored dA = transA ? (dC op(B)ᵀ)ᵀ = op(B) dCᵀ : dC op(B)ᵀ
                da = batch == 0 ? Tensor.zerosLike(a) : Tensor.gradientBuffer(a); // written whole by gemm
                if (!transA) {
                    gemmBatched(batch, false, !transB, m, k, n, dc, m * n, n, b, B.stride(), B.cols,
                            da, A.stride(), A.cols);
                } else {
                    gemmBatched(batch, transB, true, k, m, n, b, B.stride(), B.cols, dc, m * n, n,
                            da, A.stride(), A.cols);
                }
            }
            if (b.requiresGrad()) {
                // d op(B) = op(A)ᵀ · dC ; stored dB = transB ? dCᵀ op(A) : op(A)ᵀ dC
                db = batch == 0 ? Tensor.zerosLike(b) : Tensor.gradientBuffer(b);
                if (!transB) {
                    gemmBatched(batch, !transA, false, k, n, m, a, A.stride(), A.cols, dc, m * n, n,
                            db, B.stride(), B.cols);
                } else {
                    gemmBatched(batch, true, transA, n, k, m, dc, m * n, n, a, A.stride(), A.cols,
                            db, B.stride(), B.cols);
                }
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
        Tensor y = Tensor.uninitialized(Shape.of(outDims), x.dtype()); // every row starts as a copy of b
        Object bias = y.dtype() == DType.FLOAT32 ? b.f32() : b.f64();
        Object out = y.dtype() == DType.FLOAT32 ? y.f32() : y.f64();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bias, 0, out, r * n, n);
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
     * {@code C_i = op(X_i) op(Y_i)} for each batch element i. An operand stride of 0 shares that
     * operand across the batch; an output stride of 0 sums the products over the batch (the gradient
     * of a shared operand).
     */
    private static void gemmBatched(int batch, boolean tx, boolean ty, int m, int n, int k,
                                    Tensor x, int xStride, int ldx, Tensor y, int yStride, int ldy,
                                    Tensor c, int cStride, int ldc) {
        for (int i = 0; i < batch; i++) {
            boolean accumulate = cStride == 0 && i > 0;
            gemm(tx, ty, m, n, k, x, i * xStride, ldx, y, i * yStride, ldy, accumulate, c, i * cStride, ldc);
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
