package elbo.core.kernels;

/**
 * The reference kernels: plain loops, one line of math each. They are the specification the vector
 * kernels are tested against, and the fallback when the Vector API module is not present.
 * Single-threaded; every reduction runs left to right.
 */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void map(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) op.apply(x[xOff + i]);
        }
    }

    @Override
    public void map(UnaryOp op, double[] x, int xOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = op.apply(x[xOff + i]);
        }
    }

    @Override
    public void zip(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) op.apply(a[aOff + i], b[bOff + i]);
        }
    }

    @Override
    public void zip(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = op.apply(a[aOff + i], b[bOff + i]);
        }
    }

    @Override
    public void zipScalar(BinaryOp op, float[] a, int aOff, float s, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) op.apply(a[aOff + i], s);
        }
    }

    @Override
    public void zipScalar(BinaryOp op, double[] a, int aOff, double s, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = op.apply(a[aOff + i], s);
        }
    }

    @Override
    public void scalarZip(BinaryOp op, float s, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) op.apply(s, b[bOff + i]);
        }
    }

    @Override
    public void scalarZip(BinaryOp op, double s, double[] b, int bOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = op.apply(s, b[bOff + i]);
        }
    }

    @Override
    public void zipRows(BinaryOp op, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int bRow, int bCol,
                        float[] y, int yOff, int yRow, int rows, int cols) {
        RowChecks.check(a.length, aOff, aRow, aCol, b.length, bOff, bRow, bCol, y.length, yOff, yRow, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                y[yOff + r * yRow + j] = (float) op.apply(a[aOff + r * aRow + j * aCol], b[bOff + r * bRow + j * bCol]);
            }
        }
    }

    @Override
    public void zipRows(BinaryOp op, double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow, int bCol,
                        double[] y, int yOff, int yRow, int rows, int cols) {
        RowChecks.check(a.length, aOff, aRow, aCol, b.length, bOff, bRow, bCol, y.length, yOff, yRow, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                y[yOff + r * yRow + j] = op.apply(a[aOff + r * aRow + j * aCol], b[bOff + r * bRow + j * bCol]);
            }
        }
    }

    @Override
    public void repeatRow(float[] row, int rowOff, int n, float[] y, int yOff, int rows) {
        RowChecks.checkRepeat(row.length, rowOff, n, y.length, yOff, rows);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                y[yOff + r * n + j] = row[rowOff + j];
            }
        }
    }

    @Override
    public void repeatRow(double[] row, int rowOff, int n, double[] y, int yOff, int rows) {
        RowChecks.checkRepeat(row.length, rowOff, n, y.length, yOff, rows);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                y[yOff + r * n + j] = row[rowOff + j];
            }
        }
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    @Override
    public double sum(double[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    @Override
    public double max(float[] x, int off, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public double max(double[] x, int off, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public void logSumExpRows(float[] x, int off, int rows, int cols, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            double m = max(x, base, cols);
            double s = 0;
            if (Double.isFinite(m)) {
                for (int j = 0; j < cols; j++) {
                    s += Math.exp(x[base + j] - m);
                }
            }
            out[outOff + r] = (float) logSumExpFromMax(m, s);
        }
    }

    @Override
    public void logSumExpRows(double[] x, int off, int rows, int cols, double[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            double m = max(x, base, cols);
            double s = 0;
            if (Double.isFinite(m)) {
                for (int j = 0; j < cols; j++) {
                    s += Math.exp(x[base + j] - m);
                }
            }
            out[outOff + r] = logSumExpFromMax(m, s);
        }
    }

    @Override
    public void bernoulliLogProbRows(float[] logits, int lOff, float[] x, int xOff, int xRows, int rows, int cols,
                                     float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += bernoulliLogProb(logits[lOff + r * cols + j], x[xOff + r % xRows * cols + j]);
            }
            out[outOff + r] = (float) s;
        }
    }

    @Override
    public void bernoulliLogProbRows(double[] logits, int lOff, double[] x, int xOff, int xRows, int rows, int cols,
                                     double[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += bernoulliLogProb(logits[lOff + r * cols + j], x[xOff + r % xRows * cols + j]);
            }
            out[outOff + r] = s;
        }
    }

    /** {@code x·ℓ - softplus(ℓ)}: one term of {@link #bernoulliLogProbRows}. */
    private static double bernoulliLogProb(double logit, double x) {
        return x * logit - UnaryOp.SOFTPLUS.apply(logit);
    }

    @Override
    public void bernoulliScoreRows(float[] dy, int dyOff, float[] logits, int lOff, float[] x, int xOff, int xRows,
                                   int rows, int cols, float[] g, int gOff) {
        for (int r = 0; r < rows; r++) {
            double d = dy[dyOff + r];
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                g[gOff + i] = d == 0 ? 0f : (float) (d * (x[xOff + r % xRows * cols + j] - UnaryOp.SIGMOID.apply(logits[lOff + i])));
            }
        }
    }

    @Override
    public void bernoulliScoreRows(double[] dy, int dyOff, double[] logits, int lOff, double[] x, int xOff, int xRows,
                                   int rows, int cols, double[] g, int gOff) {
        for (int r = 0; r < rows; r++) {
            double d = dy[dyOff + r];
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                g[gOff + i] = d == 0 ? 0.0 : d * (x[xOff + r % xRows * cols + j] - UnaryOp.SIGMOID.apply(logits[lOff + i]));
            }
        }
    }

    /** {@code m + log(s)}, where a non-finite max (all -inf, any +inf, NaN) is the answer itself. */
    static double logSumExpFromMax(double m, double s) {
        return Double.isFinite(m) ? m + Math.log(s) : m;
    }

    @Override
    public void adamUpdate(float[] theta, float[] grad, float[] m, float[] v, int n, double beta1, double beta2,
                           double lr, double eps, double bc1, double bc2, double l2, double shrink) {
        for (int i = 0; i < n; i++) {
            double g = grad[i] + l2 * theta[i];
            double mi = beta1 * m[i] + (1 - beta1) * g;
            double vi = beta2 * v[i] + (1 - beta2) * g * g;
            m[i] = (float) mi;
            v[i] = (float) vi;
            theta[i] = (float) (shrink * theta[i] - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
        }
    }

    @Override
    public void adamUpdate(double[] theta, double[] grad, double[] m, double[] v, int n, double beta1, double beta2,
                           double lr, double eps, double bc1, double bc2, double l2, double shrink) {
        for (int i = 0; i < n; i++) {
            double g = grad[i] + l2 * theta[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            theta[i] = shrink * theta[i] - lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean accumulate, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? (float) (c[ci] + s) : (float) s;
            }
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     boolean accumulate, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
