package elbo.bench;

import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;
import java.util.Random;
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
 * Single-precision GEMM on the VAE's shapes. A shape {@code MxKxN[:TT]} is {@code C(MxN) = op(A)(MxK) ·
 * op(B)(KxN)}; the suffix says which operand is read transposed ({@code TN}: Aᵀ·B, {@code NT}: A·Bᵀ).
 * {@code 784x128x300:TN} is the weight gradient Xᵀ·dH of the first layer, {@code 128x300x784:NT} the
 * input gradient dH·Wᵀ. The score is microseconds per product; GFLOP/s = 2MNK / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
public class GemmBench {
    @Param({"128x784x300", "128x300x300", "128x300x40", "128x40x300", "128x300x784",
        "784x128x300:TN", "128x300x784:NT", "1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private final Kernels kernels = KernelProvider.get();
    private int m;
    private int n;
    private int k;
    private boolean transA;
    private boolean transB;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        String[] parts = shape.split(":");
        String[] dims = parts[0].split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        transA = parts.length > 1 && parts[1].charAt(0) == 'T';
        transB = parts.length > 1 && parts[1].charAt(1) == 'T';
        Random rnd = new Random(1);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = new float[m * n];
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        return x;
    }

    /** {@code C = op(A)·op(B)}, operands stored densely in the layout the transposes imply. */
    @Benchmark
    public float[] sgemm() {
        kernels.gemm(transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n, false, c, 0, n);
        return c;
    }
}
