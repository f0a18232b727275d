package elbo.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-core float32 FMA peak this JVM reaches: 12 independent accumulators {@code a += m·x}, no
 * memory traffic. GFLOP/s = {@value #FLOPS} / time; the GEMM figures are held against it.
 *
 * <p>Twelve chains cover the FMA latency on two ports (4 cycles × 2 per cycle = 8 in flight) and,
 * with {@code m} and {@code x}, fit in 16 vector registers (AVX2). Each accumulator is the addend, as in
 * a GEMM tile: x86's FMA overwrites its addend. (The loop this replaces, 16 chains of {@code a = a·m +
 * c}, needed a register copy before every FMA and, at -XX:UseAVX=2, spilled: on an AMD EPYC Zen 5 it
 * read 97-100 GFLOP/s where the same loop in C reaches 114 and OpenBLAS's 1024³ product 109.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 100_000;
    /** Floating-point operations per call: steps x 12 accumulators x lanes x 2. */
    public static final long FLOPS = (long) STEPS * 12 * S.length() * 2;

    public float x = 1e-9f;

    @Benchmark
    public float fmaPeak() {
        FloatVector m = FloatVector.broadcast(S, 1.0000001f);
        FloatVector v = FloatVector.broadcast(S, x);
        // distinct starting values, so that no two chains are the same computation
        FloatVector a0 = v.mul(1), a1 = v.mul(2), a2 = v.mul(3), a3 = v.mul(4), a4 = v.mul(5), a5 = v.mul(6);
        FloatVector a6 = v.mul(7), a7 = v.mul(8), a8 = v.mul(9), a9 = v.mul(10), a10 = v.mul(11), a11 = v.mul(12);
        for (int i = 0; i < STEPS; i++) {
            a0 = m.fma(v, a0); a1 = m.fma(v, a1); a2 = m.fma(v, a2); a3 = m.fma(v, a3);
            a4 = m.fma(v, a4); a5 = m.fma(v, a5); a6 = m.fma(v, a6); a7 = m.fma(v, a7);
            a8 = m.fma(v, a8); a9 = m.fma(v, a9); a10 = m.fma(v, a10); a11 = m.fma(v, a11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10)
                .add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
