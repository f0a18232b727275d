import elbo.bench.GemmShape;
import elbo.bench.PeakBench;
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

/**
 * ELBO's sgemm and OpenBLAS's {@code cblas_sgemm} timed in one JVM, in alternating blocks, so that a
 * busy spell of the shared machine falls on both: the figure that matters is the median, over the
 * pairs, of each pair's ratio (ELBO's rate over OpenBLAS's). The same is done for the 1024³ product
 * against {@code PeakBench}'s FMA peak loop, which gives its share of the peak pair by pair; and the
 * peak loop on two threads at once against the calling thread's alone, which says whether the machine's
 * two CPUs were two cores as fast as the caller's during the run (ratio 2), shared one core's FMA units
 * (about 1) or ran at different speeds (see bench/README, "Two CPUs").
 *
 * <p>Run by {@code bench/compare} after its JMH and Python rounds. It is a single source file, started
 * with the source launcher of a JDK >= 22, because it calls OpenBLAS through the foreign function API
 * ({@code java.lang.foreign}), final only from Java 22 on; ELBO itself stays Java 21 bytecode.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
 * -cp core/target/classes:bench/target/classes bench/paired/PairedGemm.java [--quick] [--threads=N] [--shapes=MxKxN[:TN],...] [library]}
 * ({@code bench/compare} adds JMH's jar, which {@code PeakBench}'s annotations name); the library
 * defaults to Debian's {@code libopenblas.so.0}. Set {@code OPENBLAS_CORETYPE} as {@code bench/compare} does: the
 * library reads it when it loads. Prints a table, then one line per figure in {@code bench/compare}'s
 * form, {@code workload paired/<workload> elbo <GFLOP/s> reference <GFLOP/s> unit GFLOP/s speedup <r>},
 * where the rates are medians over the pairs and {@code r} is the median of the pairs' ratios.
 * {@code -Dpaired.verbose=true} prints every pair to standard error.
 *
 * <p>Set {@code OPENBLAS_THREAD_TIMEOUT=17} too (bench/compare does): OpenBLAS's idle workers then spin
 * about as long after a call as ELBO's; with its default they spin on into ELBO's two-thread blocks
 * (bench/README, "Paired in one JVM").
 */
public final class PairedGemm {
    private static final String DEFAULT_LIBRARY = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    // CBLAS enumerations
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static MethodHandle sgemm;
    private static MethodHandle setThreads;
    /** Where the peak loop's result goes, so that C2 cannot drop the loop. */
    private static volatile float sink;

    private PairedGemm() {
    }

    public static void main(String[] args) throws Throwable {
        boolean quick = Arrays.asList(args).contains("--quick");
        // --threads=1 (or 2): only that thread count, e.g. pinned to one core while the other is busy
        int[] threadCounts = Arrays.stream(args).filter(a -> a.startsWith("--threads="))
                .map(a -> new int[] {Integer.parseInt(a.substring("--threads=".length()))})
                .findFirst().orElse(new int[] {1, 2});
        // --shapes=5000x300x784,784x5000x300:TN (GemmShape's form): these instead of the VAE shapes and 1024³
        List<String> shapes = Arrays.stream(args).filter(a -> a.startsWith("--shapes="))
                .map(a -> List.of(a.substring("--shapes=".length()).split(",")))
                .findFirst().orElse(GemmShape.ALL);
        String library = Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().orElse(DEFAULT_LIBRARY);
        if (!Files.exists(Path.of(library))) {
            throw new IllegalArgumentException("no OpenBLAS library at " + library);
        }
        if (!KernelProvider.vectorApiAvailable()) {
            throw new IllegalStateException(
                    "run with --add-modules jdk.incubator.vector: else ELBO's scalar kernels are timed");
        }
        if (System.getenv("OPENBLAS_THREAD_TIMEOUT") == null) {
            System.err.println("paired: OPENBLAS_THREAD_TIMEOUT is not set: OpenBLAS's idle workers spin for 2^28"
                    + " cycles after each call, into ELBO's two-thread blocks (bench/compare sets 17)");
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
        for (int threads : threadCounts) {
            Parallel.setThreads(threads);
            setThreads.invokeExact(threads);
            // the shapes' pairs round-robin (pair 1 of every shape, then pair 2, ...), so that a spell of a
            // few seconds that slows one side more than the other costs each shape a pair or two, which the
            // median drops, instead of all the pairs of the shapes that ran then (bench/README)
            try (Arena arena = Arena.ofConfined()) {
                List<Pairing> pairings = new ArrayList<>();
                for (String shape : shapes) {
                    Product p = new Product(shape, arena);
                    p.check();
                    double flops = p.shape.flops();
                    pairings.add(new Pairing(shape + "/t" + threads, p::elbo, p::openBlas, flops, flops, pairs,
                            blockSeconds));
                }
                for (int i = 0; i < pairs; i++) {
                    for (Pairing pairing : pairings) {
                        pairing.time(i);
                    }
                }
                for (int s = 0; s < shapes.size(); s++) {
                    rows.add(new Row("sgemm/" + shapes.get(s) + "/t" + threads, pairings.get(s).result(),
                            "OpenBLAS cblas_sgemm, " + threads + " thread(s)"));
                    System.err.println("paired: " + rows.get(rows.size() - 1).workloadLine());
                }
            }
        }
        // the 1024³ product on one thread against the FMA peak loop, pair by pair
        Parallel.setThreads(1);
        try (Arena arena = Arena.ofConfined()) {
            Product p = new Product("1024x1024x1024", arena);
            PeakBench peak = new PeakBench();
            Result r = pair("peak/1024x1024x1024/t1", p::elbo, () -> sink = peak.fmaPeak(), p.shape.flops(),
                    PeakBench.FLOPS, pairs, blockSeconds);
            rows.add(new Row("peak/1024x1024x1024/t1", r, "FMA peak loop (ratio: share of the peak)"));
        }
        // whether the two CPUs are two cores' FMA units: the peak loop on both at once against one alone
        if (Arrays.stream(threadCounts).anyMatch(t -> t == 2)) {
            Parallel.setThreads(2);
            PeakBench first = new PeakBench();
            PeakBench second = new PeakBench();
            Parallel.Job loops = task -> sink = (task == 0 ? first : second).fmaPeak();
            // both sides run the same compiled loop (one task runs on the caller alone), so that the ratio
            // compares the CPUs and not two compiles of a loop whose 16 chains spill at 16 registers
            Result r = pair("peak/t2", () -> Parallel.run(2, loops), () -> Parallel.run(1, loops),
                    2.0 * PeakBench.FLOPS, PeakBench.FLOPS, pairs, blockSeconds);
            rows.add(new Row("peak/t2", r, "FMA peak loop on the calling thread (ratio: 2 if the two CPUs are"
                    + " two cores as fast as its, about 1 if they share one core's FMA units)"));
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

    /** {@code pairs} pairs of blocks of {@code a} and {@code b}, one after the other (see {@link Pairing}). */
    private static Result pair(String name, Runnable a, Runnable b, double flopsA, double flopsB, int pairs,
                               double blockSeconds) {
        Pairing pairing = new Pairing(name, a, b, flopsA, flopsB, pairs, blockSeconds);
        for (int i = 0; i < pairs; i++) {
            pairing.time(i);
        }
        return pairing.result();
    }

    /**
     * Two sides timed in pairs of blocks. Made, it has warmed both up (C2 needs 2-3 s for the Vector API
     * kernels) and sized a block of each to about {@code blockSeconds}; {@link #time} times pair
     * {@code i}, alternating which side runs first.
     */
    private static final class Pairing {
        final String name;
        final Runnable a;
        final Runnable b;
        final double flopsA;
        final double flopsB;
        final int repsA;
        final int repsB;
        final double[] rateA;
        final double[] rateB;
        final double[] ratio;

        Pairing(String name, Runnable a, Runnable b, double flopsA, double flopsB, int pairs, double blockSeconds) {
            this.name = name;
            this.a = a;
            this.b = b;
            this.flopsA = flopsA;
            this.flopsB = flopsB;
            for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
                a.run();
                b.run();
            }
            repsA = reps(a, blockSeconds);
            repsB = reps(b, blockSeconds);
            rateA = new double[pairs];
            rateB = new double[pairs];
            ratio = new double[pairs];
        }

        void time(int i) {
            if (i % 2 == 0) {
                rateA[i] = rate(a, repsA, flopsA);
                rateB[i] = rate(b, repsB, flopsB);
            } else {
                rateB[i] = rate(b, repsB, flopsB);
                rateA[i] = rate(a, repsA, flopsA);
            }
            ratio[i] = rateA[i] / rateB[i];
            if (Boolean.getBoolean("paired.verbose")) {
                System.err.printf("  %s pair %2d: %7.1f %7.1f GFLOP/s  ratio %.3f%n", name, i, rateA[i], rateB[i],
                        ratio[i]);
            }
        }

        /** Medians of the two rates and of their pair-by-pair ratio. */
        Result result() {
            return new Result(median(rateA), median(rateB), median(ratio));
        }
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

    /** One {@link GemmShape} workload: its operands on the heap for ELBO and copied off-heap for OpenBLAS. */
    private static final class Product {
        final GemmShape shape;
        final GemmShape.Operands heap;
        final MemorySegment na;
        final MemorySegment nb;
        final MemorySegment nc;
        final Kernels kernels = KernelProvider.get();

        Product(String name, Arena arena) {
            shape = GemmShape.parse(name);
            heap = shape.operands();
            na = arena.allocate(ValueLayout.JAVA_FLOAT, heap.a().length).copyFrom(MemorySegment.ofArray(heap.a()));
            nb = arena.allocate(ValueLayout.JAVA_FLOAT, heap.b().length).copyFrom(MemorySegment.ofArray(heap.b()));
            nc = arena.allocate(ValueLayout.JAVA_FLOAT, heap.c().length);
        }

        void elbo() {
            shape.run(kernels, heap);
        }

        /** Both sides compute the same product (the operand descriptions agree), to float32 rounding. */
        void check() {
            elbo();
            openBlas();
            float[] c = heap.c();
            double worst = 0;
            for (int i = 0; i < c.length; i++) {
                worst = Math.max(worst, Math.abs(c[i] - nc.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
            }
            // |terms| < 1/4 each: float32 sums of k of them agree to well within 1e-5 * k
            if (worst > 1e-5 * shape.k()) {
                throw new IllegalStateException(shape + ": ELBO and OpenBLAS differ by " + worst);
            }
        }

        void openBlas() {
            GemmShape s = shape;
            try {
                sgemm.invokeExact(ROW_MAJOR, s.transA() ? TRANS : NO_TRANS, s.transB() ? TRANS : NO_TRANS,
                        s.m(), s.n(), s.k(), 1f, na, s.lda(), nb, s.ldb(), 0f, nc, s.n());
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
