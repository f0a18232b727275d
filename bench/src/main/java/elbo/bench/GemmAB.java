package elbo.bench;

import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;
import java.util.Arrays;

/**
 * A quick development harness for the GEMM kernels (not a substitute for {@code bench/compare}):
 * times {@link GemmBench}'s shapes in one JVM and prints the median GFLOP/s of several samples.
 * Usage: {@code java --add-modules=jdk.incubator.vector -cp ... elbo.bench.GemmAB [threads...] [shape...]}
 * where a shape is {@code MxKxN[:TT]} as in {@link GemmBench}; default: every shape at 1 and 2 threads.
 */
public final class GemmAB {

    private static final java.lang.management.ThreadMXBean BEAN =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private GemmAB() {
    }

    public static void main(String[] args) {
        int[] threads = Arrays.stream(args).filter(s -> s.matches("\\d+")).mapToInt(Integer::parseInt).toArray();
        String[] shapes = Arrays.stream(args).filter(s -> !s.matches("\\d+")).toArray(String[]::new);
        if (threads.length == 0) {
            threads = new int[] {1, 2};
        }
        if (shapes.length == 0) {
            shapes = GemmShape.ALL.toArray(String[]::new);
        }
        Kernels kernels = KernelProvider.get();
        for (int t : threads) {
            Parallel.setThreads(t);
            for (String shape : shapes) {
                GemmShape workload = GemmShape.parse(shape);
                GemmShape.Operands operands = workload.operands();
                Runnable op = () -> workload.run(kernels, operands);
                double flops = workload.flops();
                long warm = System.nanoTime();
                while (System.nanoTime() - warm < 1_500_000_000L) {
                    op.run();
                }
                int reps = Math.max(1, (int) (2e7 / (flops / 100)));  // ~20 ms per sample at 100 GFLOP/s
                double[] g = new double[15];
                double[] cpu = new double[g.length];
                for (int s = 0; s < g.length; s++) {
                    long c0 = BEAN.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    for (int r = 0; r < reps; r++) {
                        op.run();
                    }
                    g[s] = flops * reps / (System.nanoTime() - t0);
                    cpu[s] = flops * reps / (BEAN.getCurrentThreadCpuTime() - c0);
                }
                Arrays.sort(g);
                Arrays.sort(cpu);
                // with one thread, flops per CPU-second of the calling thread is robust to time-sharing
                // with other processes; with more threads only the wall-clock rate means anything
                System.out.printf("t%d %-16s median %6.1f  best %6.1f GFLOP/s  (cpu-time median %6.1f)%n",
                        t, shape, g[g.length / 2], g[g.length - 1], cpu[cpu.length / 2]);
            }
        }
        System.exit(0);
    }
}
