package elbo.core.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major float64 GEMM {@code C (+)= op(A)·op(B)}, written to be read: float64 serves verification
 * (gradient checks, the theory properties), whose matrices are small, so this is the textbook loop with the
 * innermost loop vectorised, not {@link GemmFloat}'s packed register tiles.
 *
 * <pre>
 *   for each row i of C:   acc = 0
 *     for p = 0 .. k−1:    acc += op(A)[i, p] · op(B)[p, :]      (axpy: loopBound + fma + scalar tail)
 *   C[i, :] = acc  (or C[i, :] + acc)
 * </pre>
 *
 * {@code op(B)} is read in place when it is row-major; a transposed {@code B} is copied row-major first.
 * Rows of {@code C} are shared out among threads; each element is the same chain of {@code fma}s ({@code p}
 * ascending from zero, then added to {@code C}) whichever thread computes it, so results are bitwise
 * identical for any thread count. The scalar tail uses {@link Math#fma}, which rounds as the vector lanes do.
 */
final class GemmDouble {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    static final long PARALLEL_MIN_FMAS = 1L << 18;
    private static final ThreadLocal<double[][]> ROW = ThreadLocal.withInitial(() -> new double[1][0]);

    private GemmDouble() {
    }

    /** See {@link Kernels#gemm(boolean, boolean, int, int, int, double[], int, int, double[], int, int, boolean, double[], int, int)}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     boolean accumulate, double[] c, int cOff, int ldc) {
        checkGemm(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        double[] bRows = transB ? transposed(b, bOff, ldb, n, k) : b;     // op(B) as k rows of n
        int bRowsOff = transB ? 0 : bOff;
        int bRowsLd = transB ? n : ldb;
        int tasks = (long) m * n * k < PARALLEL_MIN_FMAS ? 1 : Math.min(m, 4 * Parallel.threads());
        Parallel.run(tasks, t -> {
            double[] acc = row(n);
            for (int i = (int) ((long) m * t / tasks), end = (int) ((long) m * (t + 1) / tasks); i < end; i++) {
                java.util.Arrays.fill(acc, 0, n, 0.0);
                for (int p = 0; p < k; p++) {
                    double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    axpy(aip, bRows, bRowsOff + p * bRowsLd, acc, n);
                }
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[ci + j] = accumulate ? c[ci + j] + acc[j] : acc[j];
                }
            }
        });
    }

    /** {@code y[0, n) += alpha · x[xOff, xOff + n)}. */
    private static void axpy(double alpha, double[] x, int xOff, double[] y, int n) {
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += S.length()) {
            DoubleVector.fromArray(S, x, xOff + j).fma(va, DoubleVector.fromArray(S, y, j)).intoArray(y, j);
        }
        for (; j < n; j++) {
            y[j] = Math.fma(x[xOff + j], alpha, y[j]);
        }
    }

    /** {@code Bᵀ} of the stored {@code n × k} matrix B, as a fresh row-major {@code k × n} array. */
    private static double[] transposed(double[] b, int bOff, int ldb, int n, int k) {
        double[] t = new double[k * n];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                t[p * n + j] = b[bOff + j * ldb + p];
            }
        }
        return t;
    }

    /** This thread's accumulator row, at least {@code n} long. */
    private static double[] row(int n) {
        double[][] holder = ROW.get();
        if (holder[0].length < n) {
            holder[0] = new double[n];
        }
        return holder[0];
    }

    /**
     * @throws IllegalArgumentException if a size is negative or a leading dimension is smaller than
     *     the stored row
     * @throws IndexOutOfBoundsException if an operand does not fit its array
     */
    static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
                          int aLen, int aOff, int lda, int bLen, int bOff, int ldb,
                          int cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
        checkOperand("A", transA ? k : m, transA ? m : k, aLen, aOff, lda);
        checkOperand("B", transB ? n : k, transB ? k : n, bLen, bOff, ldb);
        checkOperand("C", m, n, cLen, cOff, ldc);
    }

    private static void checkOperand(String name, int rows, int cols, int len, int off, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException(name + ": leading dimension " + ld + " < " + cols + " columns");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > len) {
            throw new IndexOutOfBoundsException(name + ": " + rows + "x" + cols + " with stride " + ld
                    + " at offset " + off + " does not fit an array of " + len);
        }
    }
}
