import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ELBO's sgemm and OpenBLAS's {@code cblas_sgemm} timed in one JVM, in alternating blocks, so that a
 * busy spell of the shared machine falls on both: the figure that matters is the median, over the
 * pairs, of each pair's ratio (ELBO's rate over OpenBLAS's). The same is done for the 1024³ product
 * against an FMA peak loop (as {@code PeakBench}), which gives its share of the peak pair by pair.
 *
 * <p>Run by {@code bench/compare} after its JMH and Python rounds. It is a single source file, started
 * with the source launcher of a JDK >= 22, because it calls OpenBLAS through the foreign function API
 * ({@code java.lang.foreign}), final only from Java 22 on; ELBO itself stays Java 21 bytecode.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
 * -cp core/target/classes bench/paired/PairedGemm.java [--quick] [library]}; the library defaults to
 * Debian's {@code libopenblas.so.0}. Set {@code OPENBLAS_CORETYPE} as {@code bench/compare} does: the
 * library reads it when it loads. Prints a table, then one line per figure in {@code bench/compare}'s
 * form, {@code workload paired/<workload> elbo <GFLOP/s> reference <GFLOP/s> unit GFLOP/s speedup <r>},
 * where the rates are medians over the pairs and {@code r} is the median of the pairs' ratios.
 * {@code -Dpaired.verbose=true} prints every pair to standard error.
 */
public final class PairedGemm {
    private static final String[] SHAPES = {"128x784x300", "128x300x300", "128x300x40", "128x40x300",
        "128x300x784", "784x128x300:TN", "128x300x784:NT", "1024x1024x1024"};
    private static final String DEFAULT_LIBRARY = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    // CBLAS enumerations
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static MethodHandle sgemm;
    private static MethodHandle setThreads;

    private PairedGemm() {
    }

    public static void main(String[] args) throws Throwable {
        boolean quick = Arrays.asList(args).contains("--quick");
        String library = Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().orElse(DEFAULT_LIBRARY);
        if (!Files.exists(Path.of(library))) {
            throw new IllegalArgumentException("no OpenBLAS library at " + library);
        }
        if (!KernelProvider.vectorApiAvailable()) {
            throw new IllegalStateException("run with --add-modules jdk.incubator.vector: else ELBO's scalar kernels are timed");
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup blas = SymbolLookup.libraryLookup(Path.of(library), Arena.global());
        ValueLayout.OfInt i32 = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT;
        sgemm = linker.downcallHandle(blas.find("cblas_sgemm").orElseThrow(), FunctionDescriptor.ofVoid(
                i32, i32, i32, i32, i32, i32, f32, ValueLayout.ADDRESS, i32, ValueLayout.ADDRESS, i32, f32,
                ValueLayout.ADDRESS, i32));
        setThreads = linker.downcallHandle(blas.find("openblas_set_num_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(i32));

        // many short pairs: on this shared machine a core's speed changes within a fraction of a second
        int pairs = quick ? 15 : 41;
        double blockSeconds = quick ? 0.03 : 0.05;
        System.err.printf("paired: %d pairs of %.0f ms blocks per figure, OpenBLAS from %s%n",
                pairs, blockSeconds * 1e3, library);
        List<Row> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            setThreads.invokeExact(threads);
            for (String shape : SHAPES) {
                try (Arena arena = Arena.ofConfined()) {
                    Product p = new Product(shape, arena);
                    p.check();
                    Result r = pair(p::elbo, p::openBlas, p.flops, pairs, blockSeconds, p.flops);
                    rows.add(new Row("sgemm/" + shape + "/t" + threads, r, "OpenBLAS cblas_sgemm, " + threads + " thread(s)"));
                    System.err.println("paired: " + rows.get(rows.size() - 1).workloadLine());
                }
            }
        }
        // the 1024³ product on one thread against the FMA peak loop, pair by pair
        Parallel.setThreads(1);
        try (Arena arena = Arena.ofConfined()) {
            Product p = new Product("1024x1024x1024", arena);
            Result r = pair(p::elbo, PairedGemm::peakLoop, p.flops, pairs, blockSeconds, PEAK_FLOPS);
            rows.add(new Row("peak/1024x1024x1024/t1", r, "FMA peak loop (ratio: share of the peak)"));
        }
        System.out.println();
        System.out.println("Paired in one JVM (median GFLOP/s over the pairs; ratio: median of the pairs' ratios)");
        System.out.printf("%-32s %9s %9s %7s  %s%n", "benchmark", "ELBO", "ref", "ratio", "reference");
        for (Row row : rows) {
            System.out.printf("%-32s %9.1f %9.1f %7.3f  %s%n", row.name, row.r.a, row.r.b, row.r.ratio, row.label);
        }
        System.out.println();
        rows.forEach(row -> System.out.println(row.workloadLine()));
    }

    record Row(String name, Result r, String label) {
        String workloadLine() {
            return String.format("workload paired/%s elbo %.2f reference %.2f unit GFLOP/s speedup %.3f",
                    name, r.a, r.b, r.ratio);
        }
    }

    /** Medians of two rates and of their pair-by-pair ratio. */
    record Result(double a, double b, double ratio) {
    }

    /**
     * Warms both up (C2 needs 2-3 s for the Vector API kernels), sizes a block of each to about
     * {@code blockSeconds}, then times {@code pairs} pairs of blocks, alternating which runs first.
     */
    private static Result pair(Runnable a, Runnable b, double flopsA, int pairs, double blockSeconds, double flopsB) {
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
            a.run();
            b.run();
        }
        int repsA = reps(a, blockSeconds);
        int repsB = reps(b, blockSeconds);
        double[] rateA = new double[pairs];
        double[] rateB = new double[pairs];
        double[] ratio = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                rateA[i] = rate(a, repsA, flopsA);
                rateB[i] = rate(b, repsB, flopsB);
            } else {
                rateB[i] = rate(b, repsB, flopsB);
                rateA[i] = rate(a, repsA, flopsA);
            }
            ratio[i] = rateA[i] / rateB[i];
            if (Boolean.getBoolean("paired.verbose")) {
                System.err.printf("  pair %2d: %7.1f %7.1f GFLOP/s  ratio %.3f%n", i, rateA[i], rateB[i], ratio[i]);
            }
        }
        return new Result(median(rateA), median(rateB), median(ratio));
    }

    private static int reps(Runnable op, double seconds) {
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - t0 < 50_000_000L) {
            op.run();
            n++;
        }
        double perCall = (System.nanoTime() - t0) / (double) n;
        return Math.max(1, (int) (seconds * 1e9 / perCall));
    }

    /**
     * GFLOP/s of one block of {@code reps} calls, after untimed calls for at least 20 ms: the first
     * calls after the other side's block find its data in the caches, not their own. (A pause before
     * each block, to let OpenBLAS's spinning threads go idle, was tried: it slowed both sides at two
     * threads by a quarter or more, and ELBO against itself hardly; without it both run at their
     * rates of a continuous run.)
     */
    private static double rate(Runnable op, int reps, double flops) {
        long start = System.nanoTime();
        for (int i = 0; i < 2 || System.nanoTime() - start < 20_000_000L; i++) {
            op.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        return flops * reps / (System.nanoTime() - t0);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** One GEMM workload, {@code MxKxN[:TT]} as in {@code GemmBench}: the same operands on both sides. */
    private static final class Product {
        final int m;
        final int k;
        final int n;
        final boolean ta;
        final boolean tb;
        final double flops;
        final float[] a;
        final float[] b;
        final float[] c;
        final MemorySegment na;
        final MemorySegment nb;
        final MemorySegment nc;
        final Kernels kernels = KernelProvider.get();

        Product(String shape, Arena arena) {
            String[] parts = shape.split(":");
            String[] d = parts[0].split("x");
            m = Integer.parseInt(d[0]);
            k = Integer.parseInt(d[1]);
            n = Integer.parseInt(d[2]);
            ta = parts.length > 1 && parts[1].charAt(0) == 'T';
            tb = parts.length > 1 && parts[1].charAt(1) == 'T';
            flops = 2.0 * m * n * k;
            Random r = new Random(1);
            a = new float[m * k];
            b = new float[k * n];
            c = new float[m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat() - 0.5f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextFloat() - 0.5f;
            }
            na = arena.allocate(ValueLayout.JAVA_FLOAT, a.length).copyFrom(MemorySegment.ofArray(a));
            nb = arena.allocate(ValueLayout.JAVA_FLOAT, b.length).copyFrom(MemorySegment.ofArray(b));
            nc = arena.allocate(ValueLayout.JAVA_FLOAT, c.length);
        }

        // op(A) is m x k and op(B) k x n; a transposed operand is stored as its transpose, row-major
        void elbo() {
            kernels.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, false, c, 0, n);
        }

        /** Both sides compute the same product (the operand descriptions agree), to float32 rounding. */
        void check() {
            elbo();
            openBlas();
            double worst = 0;
            for (int i = 0; i < c.length; i++) {
                worst = Math.max(worst, Math.abs(c[i] - nc.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
            }
            // |terms| < 1/4 each: float32 sums of k of them agree to well within 1e-5 * k
            if (worst > 1e-5 * k) {
                throw new IllegalStateException(m + "x" + k + "x" + n + ": ELBO and OpenBLAS differ by " + worst);
            }
        }

        void openBlas() {
            try {
                sgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1f,
                        na, ta ? m : k, nb, tb ? k : n, 0f, nc, n);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int PEAK_STEPS = 100_000;
    /** Floating-point operations of one {@link #peakLoop}: steps x 16 accumulators x lanes x 2. */
    private static final double PEAK_FLOPS = (double) PEAK_STEPS * 16 * S.length() * 2;
    private static volatile float sink;

    /** 16 independent FMA chains in registers, as {@code PeakBench}. */
    private static void peakLoop() {
        FloatVector m = FloatVector.broadcast(S, 1.0000001f);
        FloatVector add = FloatVector.broadcast(S, 1e-9f);
        FloatVector a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        FloatVector a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (int i = 0; i < PEAK_STEPS; i++) {
            a0 = a0.fma(m, add); a1 = a1.fma(m, add); a2 = a2.fma(m, add); a3 = a3.fma(m, add);
            a4 = a4.fma(m, add); a5 = a5.fma(m, add); a6 = a6.fma(m, add); a7 = a7.fma(m, add);
            a8 = a8.fma(m, add); a9 = a9.fma(m, add); a10 = a10.fma(m, add); a11 = a11.fma(m, add);
            a12 = a12.fma(m, add); a13 = a13.fma(m, add); a14 = a14.fma(m, add); a15 = a15.fma(m, add);
        }
        sink = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10)
                .add(a11).add(a12).add(a13).add(a14).add(a15).reduceLanes(VectorOperators.ADD);
    }
}
