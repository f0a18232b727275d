package elbo.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A float64 {@link GradCheck} of every primitive in {@link Op}, over jqwik-generated shapes (rank 0 to 3,
 * with size-1, broadcast and zero-size axes), plus the composite operations built from them.
 *
 * <p>Each property that checks a primitive carries {@link Checks}; {@link #everyOpHasAGradientCheck()}
 * collects them into a {@code Map<Op, Method>} and fails if an op has none. Shapes come from jqwik; the
 * values come from an {@link Rng} seeded by a jqwik-generated long, drawn with a margin away from kinks
 * (abs, relu, maximum, clamp, max ties) and inside the domains (log, sqrt, pow).
 */
class GradientCheckTest {

    /** Marks a property as the gradient check of the listed primitives. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Checks {
        Op[] value();
    }

    private static final int TRIES = 40;
    private static final String SEED = "20240601";
    private static final DType F64 = DType.FLOAT64;

    // ---- the list of checks is enumerable ----------------------------------------------------

    /** The gradient check of each op, found through {@link Checks}. */
    static Map<Op, Method> gradientChecks() {
        Map<Op, Method> checks = new EnumMap<>(Op.class);
        for (Method m : GradientCheckTest.class.getDeclaredMethods()) {
            Checks c = m.getAnnotation(Checks.class);
            if (c == null) {
                continue;
            }
            if (m.getAnnotation(Property.class) == null && m.getAnnotation(Example.class) == null) {
                fail(m.getName() + " is marked @Checks but is neither a @Property nor an @Example");
            }
            for (Op op : c.value()) {
                checks.put(op, m);
            }
        }
        return checks;
    }

    @Example
    void everyOpHasAGradientCheck() {
        Set<Op> missing = EnumSet.allOf(Op.class);
        missing.removeAll(gradientChecks().keySet());
        assertTrue(missing.isEmpty(), "ops without a gradient check: " + missing);
    }

    // ---- generators ---------------------------------------------------------------------------

    /** An axis size: mostly 1..3, sometimes 0. */
    private static Arbitrary<Integer> dim(boolean allowZero) {
        return allowZero
                ? Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(4, 1), Tuple.of(4, 2), Tuple.of(3, 3))
                : Arbitraries.frequency(Tuple.of(4, 1), Tuple.of(4, 2), Tuple.of(3, 3));
    }

    private static Arbitrary<int[]> shapeOf(int minRank, int maxRank, boolean allowZero) {
        return dim(allowZero).list().ofMinSize(minRank).ofMaxSize(maxRank)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Shapes of rank 0..3, possibly with zero-size axes. */
    @Provide
    Arbitrary<int[]> shapes() {
        return shapeOf(0, 3, true);
    }

    /** Shapes of rank 1..3 (for ops that take an axis), possibly with zero-size axes. */
    @Provide
    Arbitrary<int[]> axisShapes() {
        return shapeOf(1, 3, true);
    }

    /** Shapes of rank 1..3 without zero-size axes. */
    @Provide
    Arbitrary<int[]> nonEmptyAxisShapes() {
        return shapeOf(1, 3, false);
    }

    /**
     * An output shape and operand shapes that broadcast to it: each operand drops some leading axes and
     * turns some of the others into size 1.
     */
    record Broadcasting(int[] out, int[][] operands) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("out " + Arrays.toString(out) + " from");
            for (int[] o : operands) {
                sb.append(' ').append(Arrays.toString(o));
            }
            return sb.toString();
        }
    }

    private static int[] operandShape(int[] out, int dropLeading, int onesMask) {
        int drop = Math.min(dropLeading, out.length);
        int[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < s.length; i++) {
            if ((onesMask >> i & 1) != 0) {
                s[i] = 1;
            }
        }
        return s;
    }

    private static Arbitrary<Broadcasting> broadcasting(int operands) {
        Arbitrary<int[][]> ops = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 7))
                .as((drop, mask) -> new int[] {drop, mask})
                .array(int[][].class).ofSize(operands);
        return Combinators.combine(shapeOf(0, 3, true), ops).as((out, spec) -> {
            int[][] shapes = new int[operands][];
            for (int k = 0; k < operands; k++) {
                // Mostly keep all axes: dropping is common enough at 1 in 4.
                shapes[k] = operandShape(out, spec[k][0] == 3 ? 1 + spec[k][1] % 2 : 0, spec[k][1]);
            }
            return new Broadcasting(out, shapes);
        });
    }

    @Provide
    Arbitrary<Broadcasting> pairs() {
        return broadcasting(2);
    }

    @Provide
    Arbitrary<Broadcasting> triples() {
        return broadcasting(3);
    }

    // ---- values -------------------------------------------------------------------------------

    /** Uniform in [lo, hi). */
    private static Tensor uniform(Rng r, int[] shape, double lo, double hi) {
        return r.uniform(F64, Shape.of(shape), lo, hi);
    }

    /** Random sign times a magnitude in [margin, 2): away from 0. */
    private static Tensor awayFromZero(Rng r, int[] shape, double margin) {
        Tensor t = uniform(r, shape, margin, 2.0);
        for (int i = 0; i < t.numel(); i++) {
            if (r.nextDouble() < 0.5) {
                t.setFlat(i, -t.getFlat(i));
            }
        }
        return t;
    }

    /** Integers in [-3, 3] plus a jitter in [0, 0.2) (or half-integers, if {@code half}): a and b never tie. */
    private static Tensor lattice(Rng r, int[] shape, boolean half) {
        Tensor t = Tensor.zeros(F64, shape);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, r.nextInt(7) - 3 + (half ? 0.5 : 0.0) + 0.2 * r.nextDouble());
        }
        return t;
    }

    /** Pairwise distinct values at least 0.3 apart (no ties for max). */
    private static Tensor distinct(Rng r, int[] shape) {
        Tensor t = Tensor.zeros(F64, shape);
        int[] p = r.permutation(t.numel());
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, (p[i] - t.numel() / 2.0) * 0.4 + 0.1 * r.nextDouble());
        }
        return t;
    }

    private static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.assertCorrect(f, inputs);
    }

    // ---- elementwise binary -------------------------------------------------------------------

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.ADD, Op.SUB, Op.MUL})
    void addSubMul(@ForAll("pairs") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor a = uniform(r, s.operands()[0], -2, 2), b = uniform(r, s.operands()[1], -2, 2);
        check(x -> x[0].add(x[1]), a, b);
        check(x -> x[0].sub(x[1]), a, b);
        check(x -> x[0].mul(x[1]), a, b);
        check(x -> x[1].sub(x[0]), a, b);
        // Both operands the same tensor: the two gradient contributions must add up.
        check(x -> x[0].mul(x[0]), a);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.DIV)
    void div(@ForAll("pairs") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor a = uniform(r, s.operands()[0], -2, 2), b = awayFromZero(r, s.operands()[1], 0.5);
        check(x -> x[0].div(x[1]), a, b);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.MAXIMUM, Op.MINIMUM})
    void maximumMinimum(@ForAll("pairs") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor a = lattice(r, s.operands()[0], false), b = lattice(r, s.operands()[1], true);
        check(x -> x[0].maximum(x[1]), a, b);
        check(x -> x[0].minimum(x[1]), a, b);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.WHERE)
    void where(@ForAll("triples") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor mask = r.bernoulli(Tensor.full(F64, 0.5, Shape.of(s.operands()[0])));
        Tensor a = uniform(r, s.operands()[1], -2, 2), b = uniform(r, s.operands()[2], -2, 2);
        check(x -> Tensor.where(mask, x[0], x[1]), a, b);
    }

    // ---- elementwise unary --------------------------------------------------------------------

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.NEG, Op.EXP, Op.EXPM1, Op.TANH, Op.SIGMOID, Op.SOFTPLUS, Op.LOG_SIGMOID})
    void smoothUnary(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -3, 3);
        check(t -> t[0].neg(), x);
        check(t -> t[0].exp(), x);
        check(t -> t[0].expm1(), x);
        check(t -> t[0].tanh(), x);
        check(t -> t[0].sigmoid(), x);
        check(t -> t[0].softplus(), x);
        check(t -> t[0].logSigmoid(), x);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.LOG, Op.LOG1P, Op.SQRT})
    void positiveDomainUnary(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, 0.3, 3);
        check(t -> t[0].log(), x);
        check(t -> t[0].sqrt(), x);
        check(t -> t[0].log1p(), uniform(r, shape, -0.7, 3));
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.ABS, Op.RELU})
    void kinkedUnary(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = awayFromZero(r, shape, 0.1);
        check(t -> t[0].abs(), x);
        check(t -> t[0].relu(), x);
    }

    @Provide
    Arbitrary<Double> exponents() {
        return Arbitraries.oneOf(Arbitraries.of(-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0),
                Arbitraries.doubles().between(-2.5, 3.5).ofScale(3));
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.POW)
    void pow(@ForAll("shapes") int[] shape, @ForAll("exponents") double p, @ForAll long seed) {
        Rng r = new Rng(seed);
        // Any exponent on a positive base; an integer exponent also on negative bases.
        check(t -> t[0].pow(p), uniform(r, shape, 0.4, 2));
        if (p == Math.rint(p)) {
            check(t -> t[0].pow(p), awayFromZero(r, shape, 0.4));
        }
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.CLAMP)
    void clamp(@ForAll("shapes") int[] shape, @ForAll long seed,
               @ForAll("bounds") double lo, @ForAll("bounds") double width) {
        Rng r = new Rng(seed);
        double hi = lo + Math.abs(width) + 0.5;
        Tensor x = uniform(r, shape, lo - 1, hi + 1);
        for (int i = 0; i < x.numel(); i++) { // keep 0.05 away from both bounds
            while (Math.abs(x.getFlat(i) - lo) < 0.05 || Math.abs(x.getFlat(i) - hi) < 0.05) {
                x.setFlat(i, lo - 1 + (hi - lo + 2) * r.nextDouble());
            }
        }
        check(t -> t[0].clamp(lo, hi), x);
    }

    @Provide
    Arbitrary<Double> bounds() {
        return Arbitraries.doubles().between(-2, 2).ofScale(2);
    }

    // ---- matmul -------------------------------------------------------------------------------

    @Provide
    Arbitrary<int[]> mkn() {
        return dim(true).array(int[].class).ofSize(3);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.MATMUL)
    void matmul2d(@ForAll("mkn") int[] mkn, @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
        Rng r = new Rng(seed);
        int m = mkn[0], k = mkn[1], n = mkn[2];
        Tensor a = uniform(r, transA ? new int[] {k, m} : new int[] {m, k}, -2, 2);
        Tensor b = uniform(r, transB ? new int[] {n, k} : new int[] {k, n}, -2, 2);
        check(x -> Tensor.matmul(x[0], x[1], transA, transB), a, b);
        // The same product with materialised transposes must agree.
        Tensor viaTranspose = (transA ? a.t() : a).matmul(transB ? b.t() : b);
        assertClose(viaTranspose, Tensor.matmul(a, b, transA, transB), 1e-12);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.LINEAR)
    void linear(@ForAll("mkn") int[] mkn, @ForAll("batches") int[] batches, @ForAll long seed) {
        Rng r = new Rng(seed);
        int m = mkn[0], k = mkn[1], n = mkn[2];
        int[] xShape = batches[1] == 0 ? new int[] {m, k} : new int[] {batches[0], m, k};
        Tensor x = uniform(r, xShape, -2, 2);
        Tensor w = uniform(r, new int[] {n, k}, -2, 2);
        Tensor b = uniform(r, new int[] {n}, -2, 2);
        check(t -> Tensor.linear(t[0], t[1], t[2]), x, w, b);
        // The fused op equals the product plus the broadcast bias.
        assertClose(x.matmulT(w).add(b), Tensor.linear(x, w, b), 1e-12);
    }

    /** Batch sizes of the two operands: 0 means a 2-D operand (shared); a 1 broadcasts. */
    @Provide
    Arbitrary<int[]> batches() {
        Arbitrary<Integer> batch = dim(true);
        return Combinators.combine(batch, Arbitraries.of(0, 1, 2), Arbitraries.of(0, 1, 2))
                .as((b, ka, kb) -> new int[] {ka == 0 && kb == 0 ? -1 : b, ka, kb})
                .filter(spec -> spec[0] >= 0);
    }

    @Property(tries = TRIES, seed = SEED)
    void batchedMatmul(@ForAll("mkn") int[] mkn, @ForAll("batches") int[] batches,
                       @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
        Rng r = new Rng(seed);
        int m = mkn[0], k = mkn[1], n = mkn[2], batch = batches[0];
        // kind 0: 2-D operand; 1: batch of size 1; 2: full batch
        int[] aMat = transA ? new int[] {k, m} : new int[] {m, k};
        int[] bMat = transB ? new int[] {n, k} : new int[] {k, n};
        Tensor a = uniform(r, batchShape(batches[1], batch, aMat), -2, 2);
        Tensor b = uniform(r, batchShape(batches[2], batch, bMat), -2, 2);
        Tensor c = Tensor.matmul(a, b, transA, transB);
        int outBatch = batches[1] == 2 || batches[2] == 2 ? batch : 1;
        assertEquals(Shape.of(outBatch, m, n), c.shape());
        check(x -> Tensor.matmul(x[0], x[1], transA, transB), a, b);
        // Each batch element equals the 2-D product of the corresponding (or shared) matrices.
        for (int i = 0; i < outBatch; i++) {
            Tensor ai = a.rank() == 2 ? a : a.narrow(0, a.dim(0) == 1 ? 0 : i, 1).squeeze(0);
            Tensor bi = b.rank() == 2 ? b : b.narrow(0, b.dim(0) == 1 ? 0 : i, 1).squeeze(0);
            assertClose(Tensor.matmul(ai, bi, transA, transB), c.narrow(0, i, 1).squeeze(0), 1e-12);
        }
    }

    private static int[] batchShape(int kind, int batch, int[] mat) {
        return switch (kind) {
            case 0 -> mat;
            case 1 -> new int[] {1, mat[0], mat[1]};
            default -> new int[] {batch, mat[0], mat[1]};
        };
    }

    @Property(tries = TRIES, seed = SEED)
    void matmulTAndTmatmul(@ForAll("mkn") int[] mkn, @ForAll long seed) {
        Rng r = new Rng(seed);
        int m = mkn[0], k = mkn[1], n = mkn[2];
        Tensor a = uniform(r, new int[] {m, k}, -2, 2);
        Tensor bt = uniform(r, new int[] {n, k}, -2, 2);
        Tensor at = uniform(r, new int[] {k, m}, -2, 2);
        Tensor b = uniform(r, new int[] {k, n}, -2, 2);
        check(x -> x[0].matmulT(x[1]), a, bt);
        check(x -> x[0].tmatmul(x[1]), at, b);
        assertClose(a.matmul(bt.t()), a.matmulT(bt), 1e-12);
        assertClose(at.t().matmul(b), at.tmatmul(b), 1e-12);
    }

    // ---- reductions ---------------------------------------------------------------------------

    /** A subset of the axes of a rank-r shape, from a bit mask. */
    private static int[] axesFromMask(int rank, int mask) {
        return java.util.stream.IntStream.range(0, rank).filter(i -> (mask >> i & 1) != 0).toArray();
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks({Op.SUM, Op.MEAN})
    void sumMean(@ForAll("shapes") int[] shape, @ForAll("axisMasks") int mask, @ForAll boolean keepDims,
                 @ForAll boolean negativeAxes, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int[] axes = axesFromMask(shape.length, mask);
        if (negativeAxes) {
            for (int i = 0; i < axes.length; i++) {
                axes[i] -= shape.length;
            }
        }
        check(t -> t[0].sum(axes, keepDims), x);
        check(t -> t[0].sum(), x);
        boolean reducesEmpty = Arrays.stream(axes).anyMatch(a -> shape[a < 0 ? a + shape.length : a] == 0);
        if (!reducesEmpty) { // the mean over nothing is 0/0
            check(t -> t[0].mean(axes, keepDims), x);
            Tensor mean = x.mean(axes, keepDims), viaSum = x.sum(axes, keepDims).div(count(shape, axes));
            assertClose(viaSum, mean, 1e-12);
        }
        if (x.numel() > 0) {
            check(t -> t[0].mean(), x);
        }
    }

    private static double count(int[] shape, int[] axes) {
        double c = 1;
        for (int a : axes) {
            c *= shape[a < 0 ? a + shape.length : a];
        }
        return c;
    }

    @Provide
    Arbitrary<Integer> axisMasks() {
        return Arbitraries.integers().between(0, 7);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.MAX)
    void max(@ForAll("nonEmptyAxisShapes") int[] shape, @ForAll("axisIndex") int axisPick, @ForAll boolean keepDims,
             @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = distinct(r, shape);
        int axis = axisPick % shape.length;
        check(t -> t[0].max(axis, keepDims), x);
        check(t -> t[0].max(axis - shape.length, keepDims), x);
        check(t -> t[0].max(), x);
    }

    @Provide
    Arbitrary<Integer> axisIndex() {
        return Arbitraries.integers().between(0, 5);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.LOG_SUM_EXP)
    void logSumExp(@ForAll("axisShapes") int[] shape, @ForAll("axisIndex") int axisPick, @ForAll boolean keepDims,
                   @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -3, 3);
        int axis = axisPick % shape.length;
        check(t -> t[0].logSumExp(axis, keepDims), x);
        // Against the naive formula, fine at these magnitudes.
        if (shape[axis] > 0) {
            assertClose(x.exp().sum(axis, keepDims).log(), x.logSumExp(axis, keepDims), 1e-12);
        }
        // Shifting every input by c shifts the result by c (the max shift is exact).
        assertClose(x.logSumExp(axis, keepDims).add(100.0), x.add(100.0).logSumExp(axis, keepDims), 1e-10);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.BERNOULLI_LOG_PROB)
    void bernoulliLogProb(@ForAll("pairs") Broadcasting rows, @ForAll("eventSizes") int d, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor logits = uniform(r, withEvent(rows.operands()[0], d), -4, 4);
        Tensor x = uniform(r, withEvent(rows.operands()[1], d), 0, 1); // continuous targets: x gets a gradient too
        check(t -> t[0].bernoulliLogProb(t[1]), logits, x);
        check(t -> t[0].bernoulliLogProb(t[1]).square(), logits, x); // dy varies across rows
        // the composition it fuses, fine at these magnitudes
        assertClose(x.mul(logits).sub(logits.softplus()).sum(-1, false), logits.bernoulliLogProb(x), 1e-12);
    }

    @Provide
    Arbitrary<Integer> eventSizes() {
        return Arbitraries.integers().between(1, 5);
    }

    private static int[] withEvent(int[] rows, int d) {
        int[] s = Arrays.copyOf(rows, rows.length + 1);
        s[rows.length] = d;
        return s;
    }

    // ---- shaping ------------------------------------------------------------------------------

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.RESHAPE)
    void reshape(@ForAll("shapes") int[] shape, @ForAll("reshapeKinds") int kind, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int n = x.numel();
        int[] target = switch (kind) {
            case 0 -> new int[] {n};
            case 1 -> new int[] {1, n, 1};
            case 2 -> n > 0 ? new int[] {-1} : new int[] {0};
            default -> reversed(shape);
        };
        check(t -> t[0].reshape(target), x);
        check(t -> t[0].reshape(target).mul(t[0].reshape(target)), x);
    }

    @Provide
    Arbitrary<Integer> reshapeKinds() {
        return Arbitraries.integers().between(0, 3);
    }

    private static int[] reversed(int[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[a.length - 1 - i];
        }
        return b;
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.PERMUTE)
    void permute(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int[] perm = r.permutation(shape.length);
        check(t -> t[0].permute(perm), x);
        // Element (i, j, k) of the result is element perm-indexed of the input.
        Tensor y = x.permute(perm);
        for (int flat = 0; flat < y.numel(); flat++) {
            int[] idx = unflatten(y.shape(), flat);
            int[] src = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                src[perm[i]] = idx[i];
            }
            assertEquals(x.get(src), y.get(idx));
        }
    }

    @Property(tries = TRIES, seed = SEED)
    void transpose(@ForAll("axisShapes") int[] shape, @ForAll("axisIndex") int p1, @ForAll("axisIndex") int p2,
                   @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int a1 = p1 % shape.length, a2 = p2 % shape.length - shape.length;
        check(t -> t[0].transpose(a1, a2), x);
        assertClose(x, x.transpose(a1, a2).transpose(a1, a2), 0);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.BROADCAST_TO)
    void broadcastTo(@ForAll("pairs") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, s.operands()[0], -2, 2);
        check(t -> t[0].broadcastTo(s.out()), x);
        // The same as adding zeros of the target shape.
        assertClose(x.add(Tensor.zeros(F64, s.out())), x.broadcastTo(s.out()), 0);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.NARROW)
    void narrow(@ForAll("axisShapes") int[] shape, @ForAll("axisIndex") int axisPick, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int axis = axisPick % shape.length;
        int size = shape[axis];
        int start = r.nextInt(size + 1), length = r.nextInt(size - start + 1);
        check(t -> t[0].narrow(axis, start, length), x);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.CONCAT)
    void concat(@ForAll("axisShapes") int[] shape, @ForAll("axisIndex") int axisPick,
                @ForAll("partSizes") List<Integer> sizes, @ForAll long seed) {
        Rng r = new Rng(seed);
        int axis = axisPick % shape.length;
        Tensor[] parts = new Tensor[sizes.size()];
        for (int k = 0; k < parts.length; k++) {
            int[] s = shape.clone();
            s[axis] = sizes.get(k);
            parts[k] = uniform(r, s, -2, 2);
        }
        check(t -> Tensor.concat(axis, t), parts);
        check(t -> Tensor.concat(axis - shape.length, t).mul(Tensor.concat(axis, t)), parts);
    }

    @Provide
    Arbitrary<List<Integer>> partSizes() {
        return dim(true).list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = TRIES, seed = SEED)
    void stack(@ForAll("shapes") int[] shape, @ForAll("axisIndex") int axisPick, @ForAll("partCount") int count,
               @ForAll long seed) {
        Rng r = new Rng(seed);
        int axis = axisPick % (shape.length + 1);
        Tensor[] parts = new Tensor[count];
        for (int k = 0; k < count; k++) {
            parts[k] = uniform(r, shape, -2, 2);
        }
        check(t -> Tensor.stack(axis, t), parts);
        Tensor y = Tensor.stack(axis, parts);
        assertEquals(count, y.dim(axis));
        for (int k = 0; k < count; k++) {
            assertClose(parts[k], y.narrow(axis, k, 1).squeeze(axis), 0);
        }
    }

    @Provide
    Arbitrary<Integer> partCount() {
        return Arbitraries.integers().between(1, 3);
    }

    @Property(tries = TRIES, seed = SEED)
    void squeezeUnsqueeze(@ForAll("shapes") int[] shape, @ForAll("axisIndex") int axisPick, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int axis = axisPick % (shape.length + 1);
        check(t -> t[0].unsqueeze(axis), x);
        check(t -> t[0].unsqueeze(axis).squeeze(axis), x);
        check(t -> t[0].unsqueeze(-1).exp().squeeze(-1), x);
        assertEquals(1, x.unsqueeze(axis).dim(axis));
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.INDEX_SELECT)
    void indexSelect(@ForAll("nonEmptyAxisShapes") int[] shape, @ForAll("axisIndex") int axisPick,
                     @ForAll("indexCount") int count, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int axis = axisPick % shape.length;
        int[] idx = new int[count]; // repeats allowed: their gradients must add up
        for (int j = 0; j < count; j++) {
            idx[j] = r.nextInt(shape[axis]);
        }
        check(t -> t[0].indexSelect(axis, idx), x);
    }

    @Provide
    Arbitrary<Integer> indexCount() {
        return Arbitraries.integers().between(0, 5);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.GATHER)
    void gather(@ForAll("nonEmptyAxisShapes") int[] shape, @ForAll("axisIndex") int axisPick,
                @ForAll("indexCount") int k, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        int axis = axisPick % shape.length;
        int[] outShape = shape.clone();
        outShape[axis] = k;
        int[] index = new int[Shape.of(outShape).numel()];
        for (int p = 0; p < index.length; p++) {
            index[p] = r.nextInt(shape[axis]);
        }
        check(t -> t[0].gather(axis, index, k), x);
        Tensor y = x.gather(axis, index, k);
        for (int p = 0; p < index.length; p++) { // out[.., j, ..] = x[.., index[p], ..]
            int[] at = unflatten(y.shape(), p);
            at[axis] = index[p];
            assertEquals(x.get(at), y.getFlat(p));
        }
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.DETACH)
    void detach(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2).requiresGrad(true);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.creator());
        // y = sum(detach(x) * x): the gradient flows only through the second factor, so dy/dx = x, not 2x.
        x.detach().mul(x).sum().backward();
        assertClose(x.detach(), x.grad(), 0);
        // Through detach alone nothing flows: the gradient is zero (GradCheck's analytical side).
        Tensor leaf = uniform(r, shape, -2, 2).requiresGrad(true);
        leaf.detach().mul(2.0).add(leaf.mul(0.0)).sum().backward();
        assertClose(Tensor.zerosLike(leaf), leaf.grad(), 0);
    }

    @Property(tries = TRIES, seed = SEED)
    @Checks(Op.CAST)
    void cast(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -1, 1);
        // Through float32 and back: linear, so a larger step keeps float32 round-off out of the comparison.
        GradCheck.Options o = GradCheck.Options.defaults().withEps(1e-2);
        GradCheck.assertCorrect(o, t -> t[0].cast(DType.FLOAT32).mul(3.0).cast(F64), x);
        GradCheck.assertCorrect(o, t -> t[0].cast(DType.FLOAT32).cast(F64).mul(t[0]), x);
        assertTrue(x == x.cast(F64), "cast to the same dtype returns the tensor itself");
    }

    // ---- composites ---------------------------------------------------------------------------

    @Property(tries = TRIES, seed = SEED)
    void squareAndScalarArithmetic(@ForAll("shapes") int[] shape, @ForAll("bounds") double c, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor x = uniform(r, shape, -2, 2);
        double nz = Math.abs(c) < 0.25 ? c + 0.5 : c;
        check(t -> t[0].square(), x);
        check(t -> t[0].add(c), x);
        check(t -> t[0].sub(c), x);
        check(t -> t[0].mul(c), x);
        check(t -> t[0].div(nz), x);
        check(t -> t[0].rsub(c), x);
        assertClose(x.mul(x), x.square(), 0);
    }

    @Property(tries = 20, seed = SEED)
    void deepComposite(@ForAll("pairs") Broadcasting s, @ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor a = uniform(r, s.operands()[0], -1, 1), b = uniform(r, s.operands()[1], -1, 1);
        // A small "network": every path of the graph is exercised, and a is used three times.
        check(x -> x[0].mul(x[1]).tanh().add(x[0].sigmoid()).softplus().mul(x[0].exp()).sub(x[1].square()), a, b);
    }

    @Property(tries = 15, seed = SEED)
    void largeInputsUseRandomProjections(@ForAll long seed) {
        Rng r = new Rng(seed);
        Tensor a = uniform(r, new int[] {6, 12}, -1, 1), b = uniform(r, new int[] {12, 7}, -1, 1);
        GradCheck.Result res = GradCheck.check(GradCheck.Options.defaults(),
                x -> x[0].matmul(x[1]).tanh().logSumExp(1, false), a, b);
        assertTrue(res.passed(), res.failure());
        assertEquals(2 * GradCheck.Options.defaults().projections(), res.comparisons());
    }

    // ---- GradCheck itself can fail --------------------------------------------------------------

    @Example
    void gradCheckReportsAWrongGradientInFullJacobianMode() {
        // detach(x) * x has derivative 2x numerically, but the analytical gradient only sees x.
        Tensor x = Tensor.of(new double[] {0.5, -1.0, 2.0}, 3);
        GradCheck.Result res = GradCheck.check(GradCheck.Options.defaults(), t -> t[0].detach().mul(t[0]), x);
        assertFalse(res.passed());
        assertTrue(res.failure().contains("output 0 [0], input 0 [3], element 0 [0]: numerical 0.99999"), res.failure());
        assertTrue(res.failure().contains("vs analytical 0.5"), res.failure());
        GradCheck.GradCheckException e = assertThrows(GradCheck.GradCheckException.class,
                () -> GradCheck.assertCorrect(t -> t[0].detach().mul(t[0]), x));
        assertEquals(res.failure(), e.getMessage());
    }

    @Example
    void gradCheckReportsAWrongGradientInProjectionMode() {
        Tensor x = new Rng(3).normal(F64, 10, 10);
        GradCheck.Result res = GradCheck.check(GradCheck.Options.defaults(), t -> t[0].detach().mul(t[0]), x);
        assertFalse(res.passed());
        assertTrue(res.failure().contains("random projection 0"), res.failure());
        assertTrue(res.failure().contains("input 0 [10, 10]"), res.failure());
    }

    @Example
    void gradCheckRejectsFloat32() {
        DTypeException e = assertThrows(DTypeException.class,
                () -> GradCheck.assertCorrect(t -> t[0].exp(), Tensor.of(new float[] {1f}, 1)));
        assertTrue(e.getMessage().contains("FLOAT32"), e.getMessage());
    }

    // ---- helpers ------------------------------------------------------------------------------

    static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertNotNull(actual);
        assertEquals(expected.shape(), actual.shape(), "shape");
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.getFlat(i), a = actual.getFlat(i);
            if (!(Math.abs(e - a) <= tol * Math.max(1.0, Math.abs(e))) && !(e == a)) {
                fail("element " + i + " " + Arrays.toString(unflatten(expected.shape(), i)) + ": expected " + e
                        + " but was " + a + " (shape " + expected.shape() + ")");
            }
        }
    }

    static int[] unflatten(Shape s, int flat) {
        int[] idx = new int[s.rank()];
        for (int ax = s.rank() - 1; ax >= 0; ax--) {
            idx[ax] = flat % s.dim(ax);
            flat /= s.dim(ax);
        }
        return idx;
    }
}
