package elbo.core.kernels;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Runs every float32 vector kernel of a training step until C2 has compiled it and prints the fewest
 * bytes the thread allocated per call of each over a round of calls, a line
 * {@code alloc <kernel> <bytes per call>} each. Run in its own JVM by {@link KernelAllocationTest}.
 */
public final class AllocationProbe {
    private static final int N = 1000;
    private static final Random RND = new Random(5);
    private static final float[] A = randomFloats(N);
    private static final float[] B = randomFloats(N);
    private static final float[] Y = new float[N];
    private static final float[] M = new float[N];
    private static final float[] V = new float[N];
    private static final float[] OUT = new float[10];

    private AllocationProbe() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        Kernels k = KernelProvider.get();
        if (!(k instanceof VectorKernels)) {
            throw new IllegalStateException("the probe needs the vector kernels, got " + k.name());
        }
        Map<String, Runnable> kernels = kernels(k);
        long limitNanos = Long.parseLong(args.length > 0 ? args[0] : "30000000000");
        // HotSpot's per-thread allocation counter, by reflection: module elbo.core (which the tests are
        // compiled into) does not read jdk.management; the probe itself runs on the class path
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        // Rounds of 200 calls of each kernel, until every kernel has had a round without allocation or
        // the time is up. A kernel still interpreted or in C1 allocates until C2 compiles it, which takes
        // longer on a busy machine; one that C2 compiled with a call left un-inlined allocates for ever.
        Map<String, Long> fewest = new LinkedHashMap<>();
        kernels.keySet().forEach(name -> fewest.put(name, Long.MAX_VALUE));
        int calls = 200;
        long t0 = System.nanoTime();
        while (fewest.values().stream().anyMatch(b -> b > 0) && System.nanoTime() - t0 < limitNanos) {
            for (Map.Entry<String, Runnable> kernel : kernels.entrySet()) {
                Runnable run = kernel.getValue();
                long before = (long) allocated.invoke(threads);
                for (int c = 0; c < calls; c++) {
                    run.run();
                }
                long perCall = ((long) allocated.invoke(threads) - before) / calls;
                fewest.merge(kernel.getKey(), perCall, Math::min);
            }
        }
        System.out.printf(Locale.ROOT, "seconds %.1f%n", (System.nanoTime() - t0) / 1e9);
        fewest.forEach((name, bytes) -> System.out.printf(Locale.ROOT, "alloc %s %d%n", name, bytes));
    }

    /** Each float32 kernel over N elements (every vector loop and tail), by name. */
    private static Map<String, Runnable> kernels(Kernels k) {
        Map<String, Runnable> kernels = new LinkedHashMap<>();
        for (BinaryOp op : BinaryOp.values()) {
            if (op != BinaryOp.POW) { // scalar by design
                kernels.put("zip/" + op, () -> k.zip(op, A, 0, B, 0, Y, 0, N));
                kernels.put("zipScalar/" + op, () -> k.zipScalar(op, A, 0, 1.5f, Y, 0, N));
                kernels.put("scalarZip/" + op, () -> k.scalarZip(op, 1.5f, B, 0, Y, 0, N));
                // rows of 37 (whole vectors and a tail at every width), a's row repeated: a broadcast
                kernels.put("zipRows/" + op, () -> k.zipRows(op, A, 0, 0, 1, B, 0, 37, 1, Y, 0, 37, N / 37, 37));
            }
        }
        // rows summed into one (a broadcast's gradient): 27 rows of 37, and 512 rows of 300 split over threads
        kernels.put("zipRows/sum", () -> k.zipRows(BinaryOp.ADD, Y, 0, 0, 1, B, 0, 37, 1, Y, 0, 0, N / 37, 37));
        float[] rows = randomFloats(512 * 300);
        float[] sums = new float[300];
        kernels.put("zipRows/sum/512x300", () -> k.zipRows(BinaryOp.ADD, sums, 0, 0, 1, rows, 0, 300, 1, sums, 0, 0, 512, 300));
        kernels.put("repeatRow/512x300", () -> k.repeatRow(sums, 0, 300, rows, 0, 512)); // split over threads
        for (UnaryOp op : UnaryOp.values()) {
            if (op != UnaryOp.LOG1P && op != UnaryOp.EXPM1) { // computed in double, element by element
                kernels.put("map/" + op, () -> k.map(op, B, 0, Y, 0, N));
            }
        }
        kernels.put("logSumExpRows", () -> k.logSumExpRows(A, 0, 10, N / 10, OUT, 0));
        // 10 rows of 99 (whole vectors and a tail in every row, at every width), x's 5 rows repeated
        kernels.put("bernoulliLogProbRows", () -> k.bernoulliLogProbRows(A, 0, B, 0, 5, 10, 99, OUT, 0));
        kernels.put("bernoulliScoreRows", () -> k.bernoulliScoreRows(A, 0, A, 0, B, 0, 5, 10, 99, Y, 0));
        kernels.put("adamUpdate", () -> k.adamUpdate(Y, A, M, V, N, 0.9, 0.999, 1e-3, 1e-8, 0.5, 0.5, 0, 1));
        // GEMM C(m×n) = A(m×k)·B(k×n), both orientations (n = 40 stores C transposed, through registers)
        float[] ga = randomFloats(64 * 300);
        float[] gb = randomFloats(300 * 64);
        float[] gc = new float[64 * 64];
        kernels.put("gemm/64x300x64", () -> k.gemm(false, false, 64, 64, 300, ga, 0, 300, gb, 0, 64, false, gc, 0, 64));
        kernels.put("gemm/64x300x40:NT", () -> k.gemm(false, true, 64, 40, 300, ga, 0, 300, gb, 0, 300, false, gc, 0, 40));
        // a transposed B in whole panels: packed through rounds of zips (a 16 x 16 block held in
        // registers once compiled, now and then, with its zips left un-inlined, boxing every one)
        kernels.put("gemm/64x300x64:NT", () -> k.gemm(false, true, 64, 64, 300, ga, 0, 300, gb, 0, 300, false, gc, 0, 64));
        // a transposed A (a weight gradient's Aᵀ·dC): its rows through the same zips where the tile has 3 rows
        kernels.put("gemm/64x300x64:TN", () -> k.gemm(true, false, 64, 64, 300, ga, 0, 64, gb, 0, 64, false, gc, 0, 64));
        kernels.put("sum", () -> k.sum(A, 0, N));
        kernels.put("max", () -> k.max(A, 0, N));
        return kernels;
    }

    private static float[] randomFloats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = RND.nextFloat() + 0.25f; // positive, so log and sqrt stay on their fast paths
        }
        return x;
    }
}
