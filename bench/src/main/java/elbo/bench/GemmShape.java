package elbo.bench;

import elbo.core.kernels.Kernels;
import java.util.List;
import java.util.Random;

/**
 * A GEMM workload {@code MxKxN[:TT]}: {@code C(MxN) = op(A)(MxK) · op(B)(KxN)}, the suffix saying which
 * operand is read transposed ({@code TN}: Aᵀ·B, {@code NT}: A·Bᵀ). Operands are stored densely in the
 * layout the transposes imply. {@link GemmBench}, {@link GemmAB} and {@code bench/paired} all time
 * these workloads on the same operands.
 *
 * @param m rows of {@code C}
 * @param k the summed dimension
 * @param n columns of {@code C}
 * @param transA whether {@code A} is stored {@code KxM} and read transposed
 * @param transB whether {@code B} is stored {@code NxK} and read transposed
 */
public record GemmShape(int m, int k, int n, boolean transA, boolean transB) {
    /**
     * The VAE's shapes (forward, weight gradient {@code 784x128x300:TN}, input gradient
     * {@code 128x300x784:NT}) and 1024³; {@link GemmBench}'s {@code @Param} lists the same (an
     * annotation cannot name this list).
     */
    public static final List<String> ALL = List.of("128x784x300", "128x300x300", "128x300x40", "128x40x300",
            "128x300x784", "784x128x300:TN", "128x300x784:NT", "1024x1024x1024");

    /**
     * Parses {@code MxKxN} or {@code MxKxN:TT} ({@code T} or {@code N} per operand).
     *
     * @throws IllegalArgumentException if {@code shape} is not of that form
     */
    public static GemmShape parse(String shape) {
        if (!shape.matches("\\d+x\\d+x\\d+(:[NT][NT])?")) {
            throw new IllegalArgumentException(
                    "GEMM shape '" + shape + "': expected MxKxN or MxKxN:TT, e.g. 784x128x300:TN");
        }
        String[] parts = shape.split(":");
        String[] dims = parts[0].split("x");
        boolean ta = parts.length > 1 && parts[1].charAt(0) == 'T';
        boolean tb = parts.length > 1 && parts[1].charAt(1) == 'T';
        return new GemmShape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]), ta, tb);
    }

    /** Floating-point operations of one product: {@code 2MNK}. */
    public double flops() {
        return 2.0 * m * n * k;
    }

    /** Leading dimension of the stored {@code A}. */
    public int lda() {
        return transA ? m : k;
    }

    /** Leading dimension of the stored {@code B}. */
    public int ldb() {
        return transB ? k : n;
    }

    /** Operands: {@code A}, then {@code B}, uniform in [-0.5, 0.5) from {@code Random(1)}; {@code C} zero. */
    public Operands operands() {
        Random rnd = new Random(1);
        return new Operands(random(rnd, m * k), random(rnd, k * n), new float[m * n]);
    }

    /** {@code C = op(A)·op(B)} with ELBO's kernels. */
    public void run(Kernels kernels, Operands o) {
        kernels.gemm(transA, transB, m, n, k, o.a, 0, lda(), o.b, 0, ldb(), false, o.c, 0, n);
    }

    /** The stored {@code A}, {@code B} and {@code C} of one workload. */
    public record Operands(float[] a, float[] b, float[] c) {
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        return x;
    }
}
