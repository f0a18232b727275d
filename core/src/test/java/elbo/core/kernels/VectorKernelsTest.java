package elbo.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every vector kernel against its scalar reference ({@link ScalarKernels}), for lengths
 * {@code 0 .. 3·VL+1} at random offsets. Skipped when the Vector API module is absent.
 *
 * <p>Tolerances are those documented on {@link VectorKernels}: bitwise equality for the exact
 * operations and every float64 elementwise kernel; float32 transcendental maps within
 * {@code 4e-6·|ref| + 2e-38}; GEMM within {@code 2·k·u·sum_p |a||b|} (u the unit roundoff).
 */
class VectorKernelsTest {
    private static final Set<UnaryOp> APPROXIMATE_F32 =
            EnumSet.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SOFTPLUS,
                    UnaryOp.LOG_SIGMOID);
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1e-40f, -1e-40f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 88.7f,
        -87.3f, 89f, -104f, 0.625f, -0.625f, 1e-8f, 1e4f, -1e4f, 0.70710677f};

    private final Kernels ref = new ScalarKernels();
    private Kernels vec;
    private int vl;
    private final Random rnd = new Random(42);

    @BeforeEach
    void vectorKernels() {
        assumeTrue(KernelProvider.vectorApiAvailable(), "jdk.incubator.vector is not resolved");
        vec = KernelProvider.choose("vector");
        vl = Integer.parseInt(vec.name().substring("vector-".length())) / 32;
    }

    private float[] floats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(8) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
                    : (float) (rnd.nextGaussian() * (rnd.nextBoolean() ? 3 : 40));
        }
        return x;
    }

    private double[] doubles(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(8) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : rnd.nextGaussian() * 20;
        }
        return x;
    }

    private static void assertClose(UnaryOp op, float x, float want, float got) {
        boolean ok = Float.compare(want, got) == 0
                || (Float.isNaN(want) && Float.isNaN(got))
                || (want == got)
                || Math.abs((double) got - want) <= 4e-6 * Math.abs(want) + 2e-38;
        if (!ok) {
            fail(op + "(" + x + "): reference " + want + ", vector " + got);
        }
    }

    @Test
    void mapFloatMatchesReference() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n = 0; n <= 3 * vl + 1; n++) {
                int xo = rnd.nextInt(5);
                int yo = rnd.nextInt(5);
                float[] x = floats(n + xo);
                float[] want = new float[n + yo];
                float[] got = new float[n + yo];
                ref.map(op, x, xo, want, yo, n);
                vec.map(op, x, xo, got, yo, n);
                for (int i = 0; i < n; i++) {
                    if (APPROXIMATE_F32.contains(op)) {
                        assertClose(op, x[xo + i], want[yo + i], got[yo + i]);
                    } else {
                        assertEquals(want[yo + i], got[yo + i], op + "(" + x[xo + i] + ")");
                    }
                }
            }
        }
    }

    @Test
    void transcendentalsOnDenseGrids() {
        int n = 200_001;
        float[] x = new float[n];
        for (UnaryOp op : APPROXIMATE_F32) {
            for (int i = 0; i < n; i++) {
                x[i] = op == UnaryOp.LOG ? (float) Math.exp(-100 + 190.0 * i / n) : -110f + 220f * i / n;
            }
            float[] want = new float[n];
            float[] got = new float[n];
            ref.map(op, x, 0, want, 0, n);
            vec.map(op, x, 0, got, 0, n);
            for (int i = 0; i < n; i++) {
                assertClose(op, x[i], want[i], got[i]);
            }
        }
    }

    @Test
    void mapDoubleIsExact() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n = 0; n <= 3 * vl + 1; n++) {
                int xo = rnd.nextInt(5);
                double[] x = doubles(n + xo);
                double[] want = new double[n];
                double[] got = new double[n];
                ref.map(op, x, xo, want, 0, n);
                vec.map(op, x, xo, got, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(want[i], got[i], op + "(" + x[xo + i] + ")");
                }
            }
        }
    }

    @Test
    void binaryOpsAreExact() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n = 0; n <= 3 * vl + 1; n++) {
                int o = rnd.nextInt(4);
                float[] a = floats(n + o);
                float[] b = floats(n + o);
                float s = floats(1)[0];
                float[] want = new float[n + o];
                float[] got = new float[n + o];
                ref.zip(op, a, o, b, 0, want, o, n);
                vec.zip(op, a, o, b, 0, got, o, n);
                assertArrayBitsEqual(want, got, op + " zip n=" + n);
                ref.zipScalar(op, a, o, s, want, 0, n);
                vec.zipScalar(op, a, o, s, got, 0, n);
                assertArrayBitsEqual(want, got, op + " zipScalar n=" + n);
                ref.scalarZip(op, s, b, o, want, 0, n);
                vec.scalarZip(op, s, b, o, got, 0, n);
                assertArrayBitsEqual(want, got, op + " scalarZip n=" + n);

                double[] da = doubles(n + o);
                double[] db = doubles(n + o);
                double[] dw = new double[n];
                double[] dg = new double[n];
                ref.zip(op, da, o, db, o, dw, 0, n);
                vec.zip(op, da, o, db, o, dg, 0, n);
                assertEquals(java.util.Arrays.toString(dw), java.util.Arrays.toString(dg), op + " zip f64");
                ref.zipScalar(op, da, o, 1.5, dw, 0, n);
                vec.zipScalar(op, da, o, 1.5, dg, 0, n);
                assertEquals(java.util.Arrays.toString(dw), java.util.Arrays.toString(dg), op + " zipScalar f64");
                ref.scalarZip(op, -2.5, db, o, dw, 0, n);
                vec.scalarZip(op, -2.5, db, o, dg, 0, n);
                assertEquals(java.util.Arrays.toString(dw), java.util.Arrays.toString(dg), op + " scalarZip f64");
            }
        }
    }

    /**
     * A broadcast zip a block of rows at a time: every pair of column strides (1, or 0 for a value
     * repeated along the row), row strides of 0 (the same row again) and past the row, every row tail,
     * and rows summed into one in place (y = a with row stride 0), against the reference bit for bit.
     */
    @Test
    void zipRowsMatchesReference() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int cols = 0; cols <= 2 * vl + 1; cols++) {
                for (int strides = 0; strides < 16; strides++) {
                    int rows = 1 + (cols + strides) % 4;
                    int aCol = strides & 1, bCol = (strides >> 1) & 1;
                    int aRow = (strides & 4) != 0 ? 0 : cols + 2, bRow = (strides & 8) != 0 ? 0 : cols + 1;
                    int o = rnd.nextInt(3);
                    float[] a = floats(o + rows * (cols + 2) + 1);
                    float[] b = floats(o + rows * (cols + 1) + 1);
                    float[] want = floats(o + rows * cols);
                    float[] got = want.clone();
                    ref.zipRows(op, a, o, aRow, aCol, b, o, bRow, bCol, want, o, cols, rows, cols);
                    vec.zipRows(op, a, o, aRow, aCol, b, o, bRow, bCol, got, o, cols, rows, cols);
                    String what = op + " zipRows " + rows + "x" + cols + " strides " + aRow + "/" + aCol + ", " + bRow + "/" + bCol;
                    assertArrayBitsEqual(want, got, what);

                    double[] da = doubles(o + rows * (cols + 2) + 1);
                    double[] db = doubles(o + rows * (cols + 1) + 1);
                    double[] dw = doubles(o + rows * cols);
                    double[] dg = dw.clone();
                    ref.zipRows(op, da, o, aRow, aCol, db, o, bRow, bCol, dw, o, cols, rows, cols);
                    vec.zipRows(op, da, o, aRow, aCol, db, o, bRow, bCol, dg, o, cols, rows, cols);
                    assertEquals(java.util.Arrays.toString(dw), java.util.Arrays.toString(dg), what + " f64");
                }
                // rows summed into one row in place, as a broadcast's gradient is: t += b[r] for each row r
                int rows = 5;
                float[] b = floats(rows * cols);
                float[] want = floats(cols);
                float[] got = want.clone();
                ref.zipRows(BinaryOp.ADD, want, 0, 0, 1, b, 0, cols, 1, want, 0, 0, rows, cols);
                vec.zipRows(BinaryOp.ADD, got, 0, 0, 1, b, 0, cols, 1, got, 0, 0, rows, cols);
                assertArrayBitsEqual(want, got, "zipRows summing " + rows + " rows of " + cols);
            }
        }
        // rows summed into one, four vectors at a time: every group count and tail, and many rows split
        // over threads by columns
        for (int cols = 0; cols <= 9 * vl + 1; cols++) {
            for (int rows : new int[] {1, 3, 2 + VectorKernels.PARALLEL_MIN / Math.max(1, cols)}) {
                int o = rnd.nextInt(3);
                float[] b = floats(o + rows * (cols + 1));
                float[] want = floats(o + cols);
                float[] got = want.clone();
                ref.zipRows(BinaryOp.ADD, want, o, 0, 1, b, o, cols + 1, 1, want, o, 0, rows, cols);
                vec.zipRows(BinaryOp.ADD, got, o, 0, 1, b, o, cols + 1, 1, got, o, 0, rows, cols);
                assertArrayBitsEqual(want, got, "zipRows summing " + rows + " rows of " + cols + " (row stride " + (cols + 1) + ")");
            }
        }
        // long rows go through zip's split over threads
        int cols = VectorKernels.PARALLEL_MIN + 3;
        float[] a = floats(2 * cols);
        float[] want = new float[2 * cols];
        float[] got = new float[2 * cols];
        ref.zipRows(BinaryOp.MUL, a, 0, cols, 1, a, 1, 0, 0, want, 0, cols, 2, cols);
        vec.zipRows(BinaryOp.MUL, a, 0, cols, 1, a, 1, 0, 0, got, 0, cols, 2, cols);
        assertArrayBitsEqual(want, got, "zipRows of long rows");
    }

    /**
     * One operand's row repeated down contiguous rows ([B, 1, D] − [K, D]), which the vector kernel
     * copies into a scratch row to cover many rows per loop: every op, either operand repeated, short and
     * long rows, and row counts around the number of rows one scratch row holds.
     */
    @Test
    void zipRowsWithARepeatedRowMatchesReference() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int cols : new int[] {1, 2, 3, vl - 1, vl, vl + 1, 2 * vl + 1, 40, 1024, 1025}) {
                int per = Math.max(1, VectorKernels.REPEATED_ELEMENTS / cols);
                for (int rows : new int[] {2, 3, per + 1, 2 * per + 3}) {
                    if ((long) rows * cols > 200_000) {
                        continue;
                    }
                    for (boolean aRepeats : new boolean[] {true, false}) {
                        int o = rnd.nextInt(3);
                        float[] a = floats(o + (aRepeats ? cols : rows * cols));
                        float[] b = floats(o + (aRepeats ? rows * cols : cols));
                        float[] want = new float[o + rows * cols];
                        float[] got = new float[o + rows * cols];
                        int aRow = aRepeats ? 0 : cols, bRow = aRepeats ? cols : 0;
                        ref.zipRows(op, a, o, aRow, 1, b, o, bRow, 1, want, o, cols, rows, cols);
                        vec.zipRows(op, a, o, aRow, 1, b, o, bRow, 1, got, o, cols, rows, cols);
                        assertArrayBitsEqual(want, got, op + " zipRows " + rows + "x" + cols + (aRepeats ? ", a" : ", b")
                                + "'s row repeated");
                    }
                }
            }
        }
    }

    @Test
    void zipRowsRejectsBadArguments() {
        float[] x = new float[12];
        for (Kernels k : new Kernels[] {ref, vec}) {
            IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                    () -> k.zipRows(BinaryOp.ADD, x, 0, 4, 2, x, 0, 4, 1, x, 0, 4, 3, 4));
            assertTrue(stride.getMessage().contains("0 or 1"), stride.getMessage());
            IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                    () -> k.zipRows(BinaryOp.ADD, x, 0, 4, 1, x, 0, 5, 1, x, 0, 4, 3, 4));
            assertTrue(range.getMessage().contains("rows of b") && range.getMessage().contains("array of 12"),
                    range.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.zipRows(BinaryOp.ADD, x, 0, 4, 1, x, 0, 4, 1, x, 0, 4, -1, 4));
        }
    }

    /** One row copied down many: every row length and tail, offsets, and enough rows to split over threads. */
    @Test
    void repeatRowMatchesReference() {
        for (int n = 0; n <= 2 * vl + 1; n++) {
            for (int rows : new int[] {0, 1, 3, 2 + VectorKernels.PARALLEL_MIN / Math.max(1, n)}) {
                int o = rnd.nextInt(3);
                float[] row = floats(o + n + 1);
                float[] want = floats(o + rows * n + 2);
                float[] got = want.clone();
                ref.repeatRow(row, o, n, want, o + 1, rows);
                vec.repeatRow(row, o, n, got, o + 1, rows);
                assertArrayBitsEqual(want, got, "repeatRow of " + n + " down " + rows + " rows");
                for (int i = 0; i < rows * n; i++) {
                    assertEquals(row[o + i % n], want[o + 1 + i], "repeatRow of " + n + ", element " + i);
                }

                double[] drow = doubles(o + n + 1);
                double[] dw = doubles(o + rows * n + 2);
                double[] dg = dw.clone();
                ref.repeatRow(drow, o, n, dw, o + 1, rows);
                vec.repeatRow(drow, o, n, dg, o + 1, rows);
                assertEquals(java.util.Arrays.toString(dw), java.util.Arrays.toString(dg), "repeatRow f64 of " + n + " down " + rows);
            }
        }
    }

    @Test
    void repeatRowRejectsBadArguments() {
        float[] row = new float[4];
        float[] y = new float[12];
        for (Kernels k : new Kernels[] {ref, vec}) {
            IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> k.repeatRow(row, 0, 4, y, 1, 3));
            assertTrue(past.getMessage().contains("3 rows of 4") && past.getMessage().contains("array of 12"), past.getMessage());
            IndexOutOfBoundsException rowPast = assertThrows(IndexOutOfBoundsException.class, () -> k.repeatRow(row, 1, 4, y, 0, 2));
            assertTrue(rowPast.getMessage().contains("the row [1, 5)"), rowPast.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.repeatRow(row, 0, 4, y, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> k.repeatRow(new double[4], 0, -1, new double[4], 0, 1));
        }
    }

    @Test
    void largeElementwiseMatchesAcrossTheParallelSplit() {
        int n = VectorKernels.PARALLEL_MIN + 3 * VectorKernels.TASK_ELEMENTS + 5;
        float[] x = floats(n + 1);
        float[] want = new float[n];
        float[] got = new float[n];
        ref.zip(BinaryOp.MUL, x, 1, x, 0, want, 0, n);
        vec.zip(BinaryOp.MUL, x, 1, x, 0, got, 0, n);
        assertArrayBitsEqual(want, got, "large zip");
        ref.map(UnaryOp.TANH, x, 1, want, 0, n);
        vec.map(UnaryOp.TANH, x, 1, got, 0, n);
        for (int i = 0; i < n; i++) {
            assertClose(UnaryOp.TANH, x[1 + i], want[i], got[i]);
        }
    }

    @Test
    void sumsAndMaxima() {
        for (int n : new int[] {0, 1, 2, 3 * vl + 1, 1000, VectorKernels.SUM_BLOCK + 7, VectorKernels.PARALLEL_MIN + 1234}) {
            int o = rnd.nextInt(4);
            float[] x = new float[n + o];
            double[] d = new double[n + o];
            double abs = 0;
            for (int i = 0; i < n + o; i++) {
                x[i] = (float) rnd.nextGaussian();
                d[i] = rnd.nextGaussian();
                abs += Math.abs(x[i]) + Math.abs(d[i]);
            }
            assertEquals(ref.sum(x, o, n), vec.sum(x, o, n), 1e-12 * abs + 1e-300, "sum f32 n=" + n);
            assertEquals(ref.sum(d, o, n), vec.sum(d, o, n), 1e-12 * abs + 1e-300, "sum f64 n=" + n);
            assertEquals(ref.max(x, o, n), vec.max(x, o, n), "max f32 n=" + n);
            assertEquals(ref.max(d, o, n), vec.max(d, o, n), "max f64 n=" + n);
            if (n > 2) {
                x[o + n / 2] = Float.NaN;
                d[o + n - 1] = Double.NaN;
                assertTrue(Double.isNaN(vec.max(x, o, n)));
                assertTrue(Double.isNaN(vec.max(d, o, n)));
            }
        }
    }

    @Test
    void logSumExpRows() {
        for (int cols = 0; cols <= 3 * vl + 1; cols++) {
            int rows = 5;
            float[] x = new float[rows * cols + 1];
            double[] d = new double[rows * cols + 1];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 10);
                d[i] = x[i];
            }
            if (cols > 0) {
                java.util.Arrays.fill(x, 1, 1 + cols, Float.NEGATIVE_INFINITY); // row 0: all -inf
                x[1 + cols + cols / 2] = Float.POSITIVE_INFINITY; // row 1: one +inf
                java.util.Arrays.fill(d, 1, 1 + cols, Double.NEGATIVE_INFINITY);
            }
            float[] want = new float[rows];
            float[] got = new float[rows];
            ref.logSumExpRows(x, 1, rows, cols, want, 0);
            vec.logSumExpRows(x, 1, rows, cols, got, 0);
            for (int r = 0; r < rows; r++) {
                if (Float.isInfinite(want[r]) || Float.isNaN(want[r])) {
                    assertEquals(want[r], got[r], "row " + r + " cols " + cols);
                } else {
                    assertEquals(want[r], got[r], 1e-6 * (Math.abs(want[r]) + 1), "row " + r + " cols " + cols);
                }
            }
            double[] dw = new double[rows];
            double[] dg = new double[rows];
            ref.logSumExpRows(d, 1, rows, cols, dw, 0);
            vec.logSumExpRows(d, 1, rows, cols, dg, 0);
            for (int r = 0; r < rows; r++) {
                assertEquals(dw[r], dg[r], "f64 row " + r);
            }
        }
        int rows = 300;
        int cols = 784;
        float[] x = floats(rows * cols);
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.isFinite(x[i]) ? x[i] : 0f;
        }
        float[] want = new float[rows];
        float[] got = new float[rows];
        ref.logSumExpRows(x, 0, rows, cols, want, 0);
        vec.logSumExpRows(x, 0, rows, cols, got, 0);
        for (int r = 0; r < rows; r++) {
            assertEquals(want[r], got[r], 1e-6 * (Math.abs(want[r]) + 1), "large row " + r);
        }
    }

    /**
     * The Bernoulli log-likelihood with logits and its gradient, against the reference at every tail
     * length, past one softplus block (2048), and large enough to be split over threads; logits up to
     * ±1e4 (where "sigmoid, then log" gives -inf), binary and continuous x, a row with a zero gradient
     * and NaN logits (exact zeros), and the gradient in place.
     */
    @Test
    void bernoulliRowsMatchReference() {
        for (int cols : new int[] {1, 2, vl - 1, vl, vl + 1, 2 * vl + 3, 3 * vl + 1, 784, 2047, 2049, 4100}) {
            checkBernoulli(6, 6, Math.max(1, cols));
            checkBernoulli(3, 6, Math.max(1, cols)); // x's 3 rows repeated down 6 rows of logits
        }
        checkBernoulli(200, 200, 784); // 156,800 elements: split by rows
        checkBernoulli(50, 200, 784);  // and x's rows repeating across the split
    }

    private void checkBernoulli(int xRows, int rows, int cols) {
        int n = rows * cols;
        float[] l = new float[n + 1];
        float[] x = new float[n + 2];
        float[] dy = new float[rows + 1];
        for (int i = 0; i < l.length; i++) {
            double u = rnd.nextDouble();
            l[i] = (float) (u < 0.05 ? (rnd.nextBoolean() ? 1e4 : -1e4) : rnd.nextGaussian() * 6);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? rnd.nextFloat() : rnd.nextInt(2);
        }
        for (int r = 0; r < dy.length; r++) {
            dy[r] = (float) rnd.nextGaussian();
        }
        dy[1 + 1] = 0f; // row 1: no gradient, even where its logits are NaN
        l[1 + cols] = Float.NaN;
        float[] want = new float[rows];
        float[] got = new float[rows];
        ref.bernoulliLogProbRows(l, 1, x, 2, xRows, rows, cols, want, 0);
        vec.bernoulliLogProbRows(l, 1, x, 2, xRows, rows, cols, got, 0);
        for (int r = 0; r < rows; r++) {
            double scale = 0;
            for (int j = 0; j < cols; j++) {
                scale += Math.abs(x[2 + r % xRows * cols + j] * l[1 + r * cols + j]) + Math.abs(l[1 + r * cols + j]) + 1;
            }
            if (Float.isNaN(want[r])) {
                assertTrue(Float.isNaN(got[r]), "NaN logit in row " + r + ", cols " + cols);
            } else {
                assertEquals(want[r], got[r], 1e-6 * scale, "row " + r + ", cols " + cols);
            }
        }
        float[] gWant = new float[n + 3];
        float[] gGot = new float[n + 3];
        ref.bernoulliScoreRows(dy, 1, l, 1, x, 2, xRows, rows, cols, gWant, 3);
        vec.bernoulliScoreRows(dy, 1, l, 1, x, 2, xRows, rows, cols, gGot, 3);
        for (int i = 0; i < n; i++) {
            int r = i / cols;
            String where = "gradient " + i + ", row " + r + ", cols " + cols;
            if (r == 1) {
                assertEquals(0f, gGot[3 + i], 0f, where);
            } else {
                assertEquals(gWant[3 + i], gGot[3 + i], 1e-6 * Math.abs(dy[1 + r]) + 1e-30, where);
            }
        }
        float[] inPlace = l.clone();
        vec.bernoulliScoreRows(dy, 1, inPlace, 1, x, 2, xRows, rows, cols, inPlace, 1);
        for (int i = 0; i < n; i++) {
            assertEquals(gGot[3 + i], inPlace[1 + i], 0f, "in place, " + i);
        }
        double[] dl = new double[n];
        double[] dx = new double[n];
        for (int i = 0; i < n; i++) {
            dl[i] = l[1 + i];
            dx[i] = x[2 + i];
        }
        double[] dWant = new double[rows];
        double[] dGot = new double[rows];
        ref.bernoulliLogProbRows(dl, 0, dx, 0, xRows, rows, cols, dWant, 0);
        vec.bernoulliLogProbRows(dl, 0, dx, 0, xRows, rows, cols, dGot, 0);
        assertArrayEquals(dWant, dGot, "f64");
        double[] ddy = new double[rows];
        for (int r = 0; r < rows; r++) {
            ddy[r] = dy[1 + r];
        }
        double[] dgWant = new double[n];
        double[] dgGot = new double[n];
        ref.bernoulliScoreRows(ddy, 0, dl, 0, dx, 0, xRows, rows, cols, dgWant, 0);
        vec.bernoulliScoreRows(ddy, 0, dl, 0, dx, 0, xRows, rows, cols, dgGot, 0);
        assertArrayEquals(dgWant, dgGot, "f64 gradient");
    }

    /** Shapes that reach every path: tails in m, n and k, the swapped orientation, k-blocks, threads. */
    private static final int[][] SHAPES = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {7, 5, 3}, {8, 32, 16}, {9, 33, 17}, {33, 40, 7},
        {64, 5, 30}, {128, 40, 19}, {17, 100, 401}, {40, 70, 800}, {96, 130, 64}, {130, 96, 33}, {3, 200, 5},
        // GEMM blocking: several k-blocks with a tail tile and a one-vector last panel, split over
        // tasks (rows and columns); the transposed orientation split over tasks, and with whole tiles
        // (transposed in registers) over several k-blocks; a wide last panel; several row blocks of
        // both A' layouts (Aᵀ packs k-steps where MR-lane vectors exist, else rows through transposes; A packs rows); the row-layout tile's two-step loop
        // with an odd k-step left over
        {130, 300, 400}, {300, 40, 300}, {37, 45, 800}, {70, 530, 90}, {300, 33, 20}, {64, 24, 700},
        {800, 64, 300}, {24, 40, 65},
    };

    @Test
    void gemmFloatMatchesReference() {
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                checkGemmFloat(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, rnd.nextBoolean());
            }
        }
        for (int trial = 0; trial < 40; trial++) {
            checkGemmFloat(1 + rnd.nextInt(3 * vl + 1), 1 + rnd.nextInt(3 * vl + 1), 1 + rnd.nextInt(40),
                    rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
        }
    }

    /**
     * Every tail of every register tile: m up to two 8-row tiles and one more, n up to three vectors
     * and two more (the 16-register tile is three vectors wide, the others two), both orientations.
     */
    @Test
    void gemmFloatMatchesReferenceAtEveryTail() {
        for (int m = 1; m <= 17; m++) {
            for (int n = 1; n <= 3 * vl + 2; n++) {
                for (int t = 0; t < 4; t++) {
                    checkGemmFloat(m, n, 1 + (m + n + t) % 9, (t & 1) != 0, (t & 2) != 0, (m + n) % 2 == 0);
                }
            }
        }
    }

    /**
     * Each element of C is the same chain of fma's whichever register tile computes it: the first
     * columns of a product come out bit for bit the same when more columns are added, so the last
     * panel's narrower tiles (the 16-register tile's 4 rows × 2 vectors, the one-vector tiles) match
     * the whole ones; and a transposed B (packed ahead) gives the bits of B (packed by the first tile
     * as it reads it). Every row count up to two tiles of 4 and 3 and more, and row blocks.
     */
    @Test
    void gemmFloatBitsDoNotDependOnTheColumnCount() {
        int wide = 6 * vl;
        for (int m : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 25, 128, 301}) {
            for (int n = 1; n <= wide; n += (n < 3 * vl ? vl - 1 : 1)) {
                for (int k : new int[] {1, 7, 300, 785}) {
                    if ((long) m * k > 60_000 && n % 3 != 0) {
                        continue;
                    }
                    boolean acc = (m + n + k) % 2 == 0;
                    float[] a = randomFloats(m * k, -1, 1);
                    float[] b = randomFloats(k * wide, -1, 1);
                    float[] c0 = randomFloats(m * wide, 0, 1);
                    float[] bt = new float[n * k]; // B's first n columns, stored transposed
                    for (int p = 0; p < k; p++) {
                        for (int j = 0; j < n; j++) {
                            bt[j * k + p] = b[p * wide + j];
                        }
                    }
                    float[] all = c0.clone();
                    float[] part = c0.clone();
                    float[] fromBt = c0.clone();
                    vec.gemm(false, false, m, wide, k, a, 0, k, b, 0, wide, acc, all, 0, wide);
                    vec.gemm(false, false, m, n, k, a, 0, k, b, 0, wide, acc, part, 0, wide);
                    // packed ahead through transposes, not as the first tile reads it
                    vec.gemm(false, true, m, n, k, a, 0, k, bt, 0, k, acc, fromBt, 0, wide);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            String at = m + "x" + n + "x" + k + " at " + i + "," + j;
                            assertEquals(Float.floatToRawIntBits(all[i * wide + j]),
                                    Float.floatToRawIntBits(part[i * wide + j]), at);
                            assertEquals(Float.floatToRawIntBits(all[i * wide + j]),
                                    Float.floatToRawIntBits(fromBt[i * wide + j]), at + " (Bᵀ)");
                        }
                    }
                }
            }
        }
    }

    /**
     * A transposed B packed at every k tail: whole panels of its columns go through L x L transposes,
     * the last k mod L rows through a block cut by the edge (GemmFloat.transpose).
     */
    @Test
    void gemmFloatTransposedBAtEveryKTail() {
        for (int k = 1; k <= 3 * vl + 3; k++) {
            for (int n : new int[] {3 * vl, 6 * vl + 1}) {
                checkGemmFloat(40, n, k, false, true, k % 2 == 0);
                checkGemmFloat(40, n, k, true, true, k % 2 == 1);
            }
        }
    }

    /**
     * A transposed A packed at every row tail and k tail: where no vector has exactly as many lanes
     * as the tile has rows (the 16-register tile, and 8-row tiles of 4-lane vectors), its rows are
     * moved in L x L transposes and the leftover strips an element at a time.
     */
    @Test
    void gemmFloatTransposedAAtEveryTail() {
        for (int m = 1; m <= 2 * vl + 3; m++) {
            for (int k = 1; k <= 2 * vl + 3; k++) {
                checkGemmFloat(m, 3 * vl + 1, k, true, (m + k) % 2 == 0, k % 2 == 0);
            }
        }
        checkGemmFloat(300, 40, 5 * vl + 3, true, false, true); // several tiles, a k tail
    }

    /**
     * Panels of B' are kept per thread across the row blocks of one product: the next product, with
     * B changed in place in the same array, must pack them again.
     */
    @Test
    void gemmFloatKeepsNoPanelAcrossProducts() {
        int m = 900, n = 70, k = 500; // several row blocks, two k-blocks
        for (boolean tb : new boolean[] {false, true}) {
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextFloat() - 0.5f;
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = rnd.nextFloat() - 0.5f;
                }
                float[] want = new float[m * n];
                float[] got = new float[m * n];
                ref.gemm(false, tb, m, n, k, a, 0, k, b, 0, tb ? k : n, false, want, 0, n);
                vec.gemm(false, tb, m, n, k, a, 0, k, b, 0, tb ? k : n, false, got, 0, n);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-3, "round " + round + ", transB " + tb + ", element " + i);
                }
            }
        }
    }

    /** {@code n} floats uniform in {@code [lo, hi)}. */
    private float[] randomFloats(int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return x;
    }

    private void checkGemmFloat(int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        int lda = Math.max(1, ta ? m : k) + rnd.nextInt(3);
        int ldb = Math.max(1, tb ? k : n) + rnd.nextInt(3);
        int ldc = Math.max(1, n) + rnd.nextInt(3);
        int ao = rnd.nextInt(4);
        int bo = rnd.nextInt(4);
        int co = rnd.nextInt(4);
        float[] a = randomFloats(ao + (ta ? k : m) * lda, -1, 1);
        float[] b = randomFloats(bo + (tb ? n : k) * ldb, -1, 1);
        float[] c0 = randomFloats(co + m * ldc + 2, 0, 1);
        float[] want = c0.clone();
        float[] got = c0.clone();
        ref.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, acc, want, co, ldc);
        vec.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, acc, got, co, ldc);
        float[] absA = a.clone();
        float[] absB = b.clone();
        for (int i = 0; i < absA.length; i++) {
            absA[i] = Math.abs(absA[i]);
        }
        for (int i = 0; i < absB.length; i++) {
            absB[i] = Math.abs(absB[i]);
        }
        float[] bound = new float[c0.length];
        ref.gemm(ta, tb, m, n, k, absA, ao, lda, absB, bo, ldb, false, bound, co, ldc);
        String shape = m + "x" + n + "x" + k + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "") + (acc ? " +=" : "");
        for (int i = 0; i < c0.length; i++) {
            int rel = i - co;
            boolean inC = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inC) {
                assertEquals(c0[i], got[i], shape + ": wrote outside C at " + i);
            } else {
                double tol = 2.0 * (k + 2) * 0x1p-24 * (bound[i] + Math.abs(c0[i])) + 1e-30;
                assertEquals(want[i], got[i], tol, shape + " at " + rel / ldc + "," + rel % ldc);
            }
        }
    }

    @Test
    void gemmDoubleMatchesReference() {
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                int m = s[0];
                int n = s[1];
                int k = s[2];
                int lda = (ta ? m : k) + 1;
                int ldb = (tb ? k : n) + 2;
                int ldc = n + 1;
                double[] a = new double[1 + (ta ? k : m) * lda];
                double[] b = new double[(tb ? n : k) * ldb];
                double[] want = new double[2 + m * ldc];
                for (int i = 0; i < a.length; i++) {
                    a[i] = rnd.nextDouble() * 2 - 1;
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = rnd.nextDouble() * 2 - 1;
                }
                for (int i = 0; i < want.length; i++) {
                    want[i] = rnd.nextDouble();
                }
                double[] got = want.clone();
                boolean acc = t < 2;
                ref.gemm(ta, tb, m, n, k, a, 1, lda, b, 0, ldb, acc, want, 2, ldc);
                vec.gemm(ta, tb, m, n, k, a, 1, lda, b, 0, ldb, acc, got, 2, ldc);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 2.0 * (k + 2) * 0x1p-53 * (k + 1), m + "x" + n + "x" + k + " t=" + t);
                }
            }
        }
    }

    @Test
    void gemmRejectsBadArguments() {
        float[] a = new float[6];
        assertThrows(IllegalArgumentException.class, () -> vec.gemm(false, false, -1, 2, 3, a, 0, 3, a, 0, 2, false, a, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> vec.gemm(false, false, 2, 2, 3, a, 0, 2, a, 0, 2, false, a, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> vec.gemm(false, false, 2, 3, 3, a, 0, 3, a, 1, 3, false, a, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> vec.map(UnaryOp.EXP, a, 2, a, 0, 5));
    }

    private static void assertArrayBitsEqual(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                fail(what + " at " + i + ": reference " + want[i] + ", vector " + got[i]);
            }
        }
    }

    @Test
    void adamUpdateMatchesReferenceForAllTailLengths() {
        double bc1 = 1 - Math.pow(0.9, 3), bc2 = 1 - Math.pow(0.999, 3), shrink = 1 - 1e-3 * 1e-2;
        for (int n = 0; n <= 3 * vl + 1; n++) {
            float[] theta = new float[n], grad = new float[n], m = new float[n], v = new float[n];
            for (int i = 0; i < n; i++) {
                theta[i] = (float) rnd.nextGaussian();
                grad[i] = (float) (rnd.nextGaussian() * 0.1);
                m[i] = (float) (rnd.nextGaussian() * 0.01);
                v[i] = (float) (rnd.nextDouble() * 1e-3);
            }
            float[][] want = {theta.clone(), grad.clone(), m.clone(), v.clone()};
            float[][] got = {theta.clone(), grad.clone(), m.clone(), v.clone()};
            ref.adamUpdate(want[0], want[1], want[2], want[3], n, 0.9, 0.999, 1e-3, 1e-8, bc1, bc2, 1e-4, shrink);
            vec.adamUpdate(got[0], got[1], got[2], got[3], n, 0.9, 0.999, 1e-3, 1e-8, bc1, bc2, 1e-4, shrink);
            for (int i = 0; i < n; i++) {
                // float32 error bound relative to the sum of the absolute terms (they may cancel)
                double g = grad[i] + 1e-4 * theta[i];
                double mTerms = Math.abs(0.9 * m[i]) + Math.abs(0.1 * g);
                double vTerms = Math.abs(0.999 * v[i]) + Math.abs(0.001 * g * g);
                double thetaTerms = Math.abs(theta[i]) + Math.abs(want[0][i] - theta[i]);
                double[] bound = {thetaTerms, 0, mTerms, vTerms};
                for (int a = 0; a < 4; a++) {
                    double tol = 4e-6 * bound[a] + 1e-12;
                    assertTrue(Math.abs(want[a][i] - got[a][i]) <= tol,
                            "adam array " + a + " element " + i + " of " + n + ": " + want[a][i] + " vs " + got[a][i]);
                }
            }
        }
    }
}
