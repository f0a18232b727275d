package elbo.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same computations at 1, 2 and 8 threads are bitwise identical. Runs with whichever kernels
 * were chosen at start-up (the vector ones when the module is present, the scalar ones otherwise).
 */
class DeterminismTest {
    private final int before = Parallel.threads();
    private final Kernels kernels = KernelProvider.get();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(before);
    }

    /** Everything large enough to be split over threads, concatenated as raw bits. */
    private long[] workload() {
        Random rnd = new Random(7);
        long[] out = new long[0];
        // GEMM: every orientation and transpose, several k-blocks, a column tail, several row blocks,
        // a product wide enough (n >= 4m) to be split by columns whatever its transposes
        int[][] shapes = {{128, 300, 40}, {128, 784, 300}, {100, 200, 300}, {784, 128, 37}, {800, 300, 64},
            {64, 300, 400}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                int m = s[0];
                int k = s[1];
                int n = s[2];
                float[] a = randomFloats(rnd, m * k);
                float[] b = randomFloats(rnd, k * n);
                float[] c = new float[m * n];
                kernels.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, false, c, 0, n);
                out = append(out, c);
                double[] da = new double[m * k];
                double[] db = new double[k * n];
                for (int i = 0; i < da.length; i++) {
                    da[i] = a[i];
                }
                for (int i = 0; i < db.length; i++) {
                    db[i] = b[i];
                }
                double[] dc = new double[m * n];
                kernels.gemm(ta, tb, m, n, k, da, 0, ta ? m : k, db, 0, tb ? k : n, false, dc, 0, n);
                long[] bits = new long[dc.length];
                for (int i = 0; i < dc.length; i++) {
                    bits[i] = Double.doubleToRawLongBits(dc[i]);
                }
                out = concat(out, bits);
            }
        }
        // reductions and elementwise kernels above the parallel threshold
        float[] x = randomFloats(rnd, 1_000_003);
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        out = concat(out, new long[] {Double.doubleToRawLongBits(kernels.sum(x, 1, x.length - 1)),
            Double.doubleToRawLongBits(kernels.sum(d, 0, d.length)),
            Double.doubleToRawLongBits(kernels.max(x, 0, x.length))});
        float[] y = new float[x.length];
        kernels.map(UnaryOp.TANH, x, 0, y, 0, x.length);
        out = append(out, y);
        kernels.zip(BinaryOp.MUL, x, 0, y, 0, y, 0, x.length);
        out = append(out, y);
        float[] lse = new float[1000];
        kernels.logSumExpRows(x, 0, 1000, 1000, lse, 0);
        out = append(out, lse);
        // softplus (two passes through a per-thread scratch) and the fused Adam update (chunked)
        kernels.map(UnaryOp.SOFTPLUS, x, 0, y, 0, x.length);
        out = append(out, y);
        float[] theta = x.clone(), m = new float[x.length], v = new float[x.length];
        for (int step = 1; step <= 3; step++) {
            kernels.adamUpdate(theta, y, m, v, x.length, 0.9, 0.999, 1e-3, 1e-8, 1 - Math.pow(0.9, step),
                    1 - Math.pow(0.999, step), 1e-4, 1.0);
        }
        return append(append(append(out, theta), m), v);
    }

    @Test
    void bitwiseIdenticalFor1And2And8Threads() {
        Parallel.setThreads(1);
        long[] one = workload();
        Parallel.setThreads(2);
        long[] two = workload();
        Parallel.setThreads(8);
        long[] eight = workload();
        assertArrayEquals(one, two, "1 vs 2 threads");
        assertArrayEquals(one, eight, "1 vs 8 threads");
    }

    @Test
    void poolRunsEveryTaskOnceAndRethrows() {
        Parallel.setThreads(3);
        AtomicIntegerArray hits = new AtomicIntegerArray(1000);
        Parallel.run(1000, t -> {
            hits.incrementAndGet(t);
            Parallel.run(3, u -> hits.addAndGet(t, 0)); // nested: runs on the calling thread
        });
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, hits.get(i));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.run(50, t -> {
            if (t == 17) {
                throw new IllegalStateException("task 17");
            }
        }));
        assertEquals("task 17", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static long[] append(long[] out, float[] x) {
        long[] bits = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            bits[i] = Float.floatToRawIntBits(x[i]);
        }
        return concat(out, bits);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
