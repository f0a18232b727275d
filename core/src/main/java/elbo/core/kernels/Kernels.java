package elbo.core.kernels;

/**
 * The compute layer: loops over arrays, offsets and lengths. Kernels know nothing of tensors,
 * shapes or the autodiff tape; the tensor operations in {@code elbo.core} call them.
 *
 * <p>Two implementations stand behind this interface: {@link ScalarKernels}, plain loops that are the
 * readable specification, and a Vector API one chosen at start-up when {@code jdk.incubator.vector}
 * is available (see {@link KernelProvider}). Every method exists for {@code float[]} (training) and
 * {@code double[]} (verification). Results of reductions do not depend on the thread count.
 *
 * <p>Arrays never overlap unless a method says so; {@code y} may be the same array as an input at the
 * same offset (in-place) for the elementwise methods.
 */
public interface Kernels {

    /** A short name for logs and benchmarks, e.g. {@code "scalar"} or {@code "vector-512"}. */
    String name();

    // ---- elementwise -------------------------------------------------------------------------

    /** {@code y[yOff+i] = op(x[xOff+i])} for {@code i < n}. */
    void map(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(x[xOff+i])} for {@code i < n}. */
    void map(UnaryOp op, double[] x, int xOff, double[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(a[aOff+i], b[bOff+i])} for {@code i < n}. */
    void zip(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(a[aOff+i], b[bOff+i])} for {@code i < n}. */
    void zip(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(a[aOff+i], s)} for {@code i < n}. */
    void zipScalar(BinaryOp op, float[] a, int aOff, float s, float[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(a[aOff+i], s)} for {@code i < n}. */
    void zipScalar(BinaryOp op, double[] a, int aOff, double s, double[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(s, b[bOff+i])} for {@code i < n} (scalar on the left). */
    void scalarZip(BinaryOp op, float s, float[] b, int bOff, float[] y, int yOff, int n);

    /** {@code y[yOff+i] = op(s, b[bOff+i])} for {@code i < n} (scalar on the left). */
    void scalarZip(BinaryOp op, double s, double[] b, int bOff, double[] y, int yOff, int n);

    /**
     * {@code rows} rows of a broadcast {@code zip}, in one call (a broadcast whose innermost run is short,
     * e.g. {@code [B, 1, D] − [K, D]}, would otherwise be {@code B·K} calls of {@code D} elements):
     * {@code y[yOff + r·yRow + j] = op(a[aOff + r·aRow + j·aCol], b[bOff + r·bRow + j·bCol])} for
     * {@code r < rows}, {@code j < cols}. A column stride is 1, or 0 for an operand repeated along the
     * row. Row {@code r} gives the bits of the one {@code zip}, {@code zipScalar} or {@code scalarZip}
     * call it stands for, and rows are done in order, so {@code y} may be {@code a} with
     * {@code yRow = aRow = 0}: the rows of {@code b} added up into one, each sum the same chain of
     * additions as {@code rows} {@code zip} calls.
     *
     * @throws IllegalArgumentException  if a column stride is not 0 or 1, or {@code rows} or {@code cols} is negative
     * @throws IndexOutOfBoundsException if a row reaches outside its array
     */
    void zipRows(BinaryOp op, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int bRow, int bCol,
                 float[] y, int yOff, int yRow, int rows, int cols);

    /** The float64 {@link #zipRows(BinaryOp, float[], int, int, int, float[], int, int, int, float[], int, int, int, int)}. */
    void zipRows(BinaryOp op, double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow, int bCol,
                 double[] y, int yOff, int yRow, int rows, int cols);

    /**
     * {@code y[yOff + r·n + j] = row[rowOff + j]} for {@code r < rows}, {@code j < n}: one row copied
     * down {@code rows} contiguous rows (a dense layer's output starts as copies of its bias, see
     * {@code MatMul.linear}).
     *
     * @throws IllegalArgumentException  if {@code n} or {@code rows} is negative
     * @throws IndexOutOfBoundsException if the row or the rows reach outside their arrays
     */
    void repeatRow(float[] row, int rowOff, int n, float[] y, int yOff, int rows);

    /** The float64 {@link #repeatRow(float[], int, int, float[], int, int)}. */
    void repeatRow(double[] row, int rowOff, int n, double[] y, int yOff, int rows);

    // ---- reductions --------------------------------------------------------------------------

    /** {@code sum_i x[off+i]}, accumulated in double, in an order fixed by {@code n} alone. */
    double sum(float[] x, int off, int n);

    /** {@code sum_i x[off+i]}, in an order fixed by {@code n} alone. */
    double sum(double[] x, int off, int n);

    /** {@code max_i x[off+i]}; {@code -inf} for {@code n == 0}; NaN if any element is NaN. */
    double max(float[] x, int off, int n);

    /** {@code max_i x[off+i]}; {@code -inf} for {@code n == 0}; NaN if any element is NaN. */
    double max(double[] x, int off, int n);

    /**
     * Row-wise log-sum-exp with max shift: {@code out[r] = m + log sum_j exp(x[r,j] - m)},
     * {@code m = max_j x[r,j]}; a row of all {@code -inf} gives {@code -inf} (not NaN); a row with
     * {@code +inf} gives {@code +inf}.
     */
    void logSumExpRows(float[] x, int off, int rows, int cols, float[] out, int outOff);

    /** Row-wise log-sum-exp with max shift; see the float version. */
    void logSumExpRows(double[] x, int off, int rows, int cols, double[] out, int outOff);

    // ---- the Bernoulli log-likelihood with logits ----------------------------------------------

    /**
     * Row by row, the log-likelihood of {@code x} under independent Bernoulli variables with logits
     * {@code ℓ}, and its gradient with respect to {@code ℓ}:
     * <pre>
     *   out[r] = Σ_j x[r,j]·ℓ[r,j] - softplus(ℓ[r,j])       (= Σ_j log σ(ℓ)^x (1-σ(ℓ))^(1-x))
     * </pre>
     * with {@code softplus(ℓ) = max(ℓ,0) + log1p(e^-|ℓ|)}: finite and exact for logits of any size
     * (binary cross-entropy with logits, negated), for rows {@code r < rows} of {@code cols} elements:
     * {@code ℓ[r,j] = logits[lOff + r·cols + j]} and {@code x[r,j] = x[xOff + (r mod xRows)·cols + j]},
     * the observations' {@code xRows} rows repeating down the logits' rows ({@code xRows = rows}: no
     * repeat; {@code K} samples of a batch's logits scored against the batch: {@code xRows = B}).
     * Fused, because the composition of tensor ops takes eight passes over the logits and two of them
     * for the gradient.
     */
    void bernoulliLogProbRows(float[] logits, int lOff, float[] x, int xOff, int xRows, int rows, int cols,
                              float[] out, int outOff);

    /** Row-wise Bernoulli log-likelihood with logits; see the float version. */
    void bernoulliLogProbRows(double[] logits, int lOff, double[] x, int xOff, int xRows, int rows, int cols,
                              double[] out, int outOff);

    /**
     * The gradient of {@link #bernoulliLogProbRows(float[], int, float[], int, int, int, int, float[], int)}
     * with respect to the logits: {@code g[r,j] = dy[r]·(x[r,j] - σ(ℓ[r,j]))} ({@code x}'s rows
     * repeating every {@code xRows}), and exactly 0 in a row whose {@code dy[r]} is 0 (see
     * {@code BinaryOp.MUL_KEEP_ZERO}). {@code g} may be {@code logits} at the same offset (in place).
     */
    void bernoulliScoreRows(float[] dy, int dyOff, float[] logits, int lOff, float[] x, int xOff, int xRows,
                            int rows, int cols, float[] g, int gOff);

    /** The gradient of the row-wise Bernoulli log-likelihood; see the float version. */
    void bernoulliScoreRows(double[] dy, int dyOff, double[] logits, int lOff, double[] x, int xOff, int xRows,
                            int rows, int cols, double[] g, int gOff);

    // ---- optimizer update ---------------------------------------------------------------------

    /**
     * One Adam step over {@code n} parameters, in place (fused: one pass instead of a dozen tensor ops):
     * <pre>
     *   g = grad + l2·θ
     *   m = β1·m + (1-β1)·g          v = β2·v + (1-β2)·g²
     *   θ = shrink·θ - lr · (m / bc1) / (sqrt(v / bc2) + eps)
     * </pre>
     * with bias corrections {@code bc1 = 1-β1^t}, {@code bc2 = 1-β2^t}, coupled L2 {@code l2} and decoupled
     * decay {@code shrink = 1 - lr·λ} (AdamW). The scalars are plain arguments, BLAS-style, so that an
     * optimizer step allocates nothing. The reference computes in double and rounds once; the vector
     * kernel computes in float (with {@code shrink·θ} as {@code θ - (1-shrink)·θ}, so that a tiny decay
     * keeps its precision): each result is within float rounding of its terms, i.e.
     * {@code |err| <~ 1e-6 · (|β1 m| + |(1-β1) g|)} for {@code m}, which may cancel.
     */
    void adamUpdate(float[] theta, float[] grad, float[] m, float[] v, int n, double beta1, double beta2,
                    double lr, double eps, double bc1, double bc2, double l2, double shrink);

    /** One Adam step in double precision; see the float version. */
    void adamUpdate(double[] theta, double[] grad, double[] m, double[] v, int n, double beta1, double beta2,
                    double lr, double eps, double bc1, double bc2, double l2, double shrink);

    // ---- matrix multiply ---------------------------------------------------------------------

    /**
     * Row-major GEMM: {@code C = op(A) · op(B)} (or {@code C += ...} when {@code accumulate}), where
     * {@code C} is {@code m × n}, {@code op(A)} is {@code m × k} and {@code op(B)} is {@code k × n}.
     * {@code op(A) = A} stored {@code m × k} with row stride {@code lda}, or {@code Aᵀ} when
     * {@code transA}, with A stored {@code k × m}; likewise for B. No transpose is materialised by the
     * caller.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              boolean accumulate, float[] c, int cOff, int ldc);

    /** Row-major GEMM in double precision; see the float version. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
              boolean accumulate, double[] c, int cOff, int ldc);
}
