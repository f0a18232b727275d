package elbo.bench;

import elbo.core.kernels.BinaryOp;
import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;
import elbo.core.kernels.Parallel;
import elbo.core.kernels.UnaryOp;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Elementwise float32 kernels on {@code n} elements. A map moves 8 bytes per element (read x, write
 * y), a zip 12, a sum 4: GB/s = bytes·n / time, to hold against the memory bandwidth.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
public class ElementwiseBench {
    @Param({"4194304"})
    public int n;

    @Param({"1"})
    public int threads;

    private final Kernels kernels = KernelProvider.get();
    private float[] x;
    private float[] z;
    private float[] y;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Random rnd = new Random(3);
        x = new float[n];
        z = new float[n];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * 4;
            z[i] = rnd.nextFloat() + 0.5f;
        }
    }

    @Benchmark
    public float[] exp() {
        kernels.map(UnaryOp.EXP, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] log() {
        kernels.map(UnaryOp.LOG, z, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] tanh() {
        kernels.map(UnaryOp.TANH, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] sigmoid() {
        kernels.map(UnaryOp.SIGMOID, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] softplus() {
        kernels.map(UnaryOp.SOFTPLUS, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] logSigmoid() {
        kernels.map(UnaryOp.LOG_SIGMOID, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] add() {
        kernels.zip(BinaryOp.ADD, x, 0, z, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public double sum() {
        return kernels.sum(x, 0, n);
    }
}
