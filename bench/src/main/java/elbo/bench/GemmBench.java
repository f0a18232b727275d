package elbo.bench;

import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-precision GEMM on the VAE's shapes ({@link GemmShape}: {@code MxKxN[:TT]} is {@code C(MxN) =
 * op(A)(MxK) · op(B)(KxN)}, {@code TN}: Aᵀ·B, {@code NT}: A·Bᵀ). {@code 784x128x300:TN} is the weight
 * gradient Xᵀ·dH of the first layer, {@code 128x300x784:NT} the input gradient dH·Wᵀ. The score is
 * microseconds per product; GFLOP/s = 2MNK / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
public class GemmBench {
    /** One of {@link GemmShape#ALL} (an annotation cannot name that list, so it is spelled out). */
    @Param({"128x784x300", "128x300x300", "128x300x40", "128x40x300", "128x300x784",
        "784x128x300:TN", "128x300x784:NT", "1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private final Kernels kernels = KernelProvider.get();
    private GemmShape workload;
    private GemmShape.Operands operands;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        workload = GemmShape.parse(shape);
        operands = workload.operands();
    }

    /** {@code C = op(A)·op(B)}, operands stored densely in the layout the transposes imply. */
    @Benchmark
    public float[] sgemm() {
        workload.run(kernels, operands);
        return operands.c();
    }
}
