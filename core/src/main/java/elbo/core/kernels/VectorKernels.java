package elbo.core.kernels;

import static elbo.core.kernels.VectorMath.FS;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels: the same functions as {@link ScalarKernels}, written with
 * {@code jdk.incubator.vector} at the platform's preferred width, and split over {@link Parallel}'s
 * threads when an operation is large.
 *
 * <p><b>Accuracy against {@link ScalarKernels}.</b> Exact (bitwise equal) for every float64 elementwise
 * kernel, and for float32 {@code NEG ABS SQRT SQUARE RECIPROCAL RELU STEP SIGN LOG1P EXPM1}, every
 * {@link BinaryOp} and {@code max}. Float32 {@code EXP LOG TANH SIGMOID SOFTPLUS LOG_SIGMOID} use the
 * polynomials of {@link VectorMath}: {@code |y - ref| <= 4e-6·|ref| + 2e-38} (about 35-70 float ulp;
 * exp flushes results below 2^-126 to 0), checked on dense grids over their whole range. {@code sum}
 * adds in a different but fixed order (blocks, lanes); both orders are within the classical bound
 * {@code n·2^-53·sum|x|} of the exact sum (the tests check {@code 1e-12·sum|x|} on random data, which
 * is not a worst-case bound). Float32 {@code logSumExpRows} is within {@code 1e-6·(|ref| + 1)} on the
 * tested rows. GEMM accumulates with {@code fma} in k-blocks (float32 in float lanes, float64 in double
 * lanes): within {@code 2·k·u·sum_p |a||b|} of the reference, {@code u} the unit roundoff, as the
 * tests check; not bitwise equal. The fused Adam update is float arithmetic (see
 * {@link Kernels#adamUpdate(float[], float[], float[], float[], int, double, double, double, double, double,
 * double, double, double)}).
 *
 * <p><b>Determinism.</b> Every result depends on the inputs alone: not on the thread count, and not
 * on where an element sits relative to a vector boundary (tails use masked vector operations with the
 * same arithmetic, never a different scalar formula). Sums add fixed blocks of
 * {@value #SUM_BLOCK} elements in index order; GEMM partitions over output panels.
 */
public final class VectorKernels implements Kernels {
    static final int FL = FS.length();
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int DL = DS.length();
    /** float32 lanes converted to float64: the same bit width as {@link #FS}, half the lanes. */
    private static final VectorSpecies<Double> DS_HALF = FS.vectorShape().withLanes(double.class);
    /** -0 in every lane, the additive identity: {@code -0 + v = v} bit for bit, {@code v = ±0} included. */
    private static final FloatVector MINUS_ZERO_F = FloatVector.broadcast(FS, -0f);
    private static final DoubleVector MINUS_ZERO_D = DoubleVector.broadcast(DS, -0d);

    /** Elements per block of a sum: block sums are added left to right. */
    static final int SUM_BLOCK = 1 << 14;
    /** Elementwise operations at least this long are split over threads. */
    static final int PARALLEL_MIN = 1 << 17;
    /** Elements per task of a split elementwise operation. */
    static final int TASK_ELEMENTS = 1 << 15;
    /**
     * Adam updates of at least this many elements are split, one chunk per thread. (Before, from
     * {@link #PARALLEL_MIN} in chunks of {@link #TASK_ELEMENTS}: the VAE step's 300x300 and 300x80 weights
     * then ran on the caller alone, and the two weights that were split went to the threads a chunk at a
     * time. Both changed, {@code VaeStep} on two threads ran 6% faster: median 2.23 ms against 2.38, faster
     * in 7 of 8 alternating pairs, on an AMD EPYC Zen 5 whose two CPUs did not share an L3: a cache line
     * took 215 ns from one to the other. Each thread now updates one contiguous chunk.)
     */
    static final int ADAM_PARALLEL_MIN = 1 << 14;

    private static final ThreadLocal<ElementwiseJob> JOBS = ThreadLocal.withInitial(ElementwiseJob::new);
    /** Elements of the scratch row {@link #zipRows} copies a repeated operand's row into. */
    static final int REPEATED_ELEMENTS = 2048;
    private static final ThreadLocal<float[]> REPEATED_ROWS = ThreadLocal.withInitial(() -> new float[REPEATED_ELEMENTS]);

    // ---- compile roots ---------------------------------------------------------------------------
    //
    // A Vector API call that C2 does not inline and intrinsify falls back to Java code that allocates
    // every vector (several times slower, megabytes of garbage per call). Four rules keep every call
    // inlined, whatever the order in which C2 happens to compile things:
    //  1. Every vector loop is entered through a method handle read from an array (ROOTS here, and the
    //     transcendental tables below). C2 cannot inline such a call (an array element is not a constant),
    //     so each loop is a compilation of its own, its Vector API calls a fixed few levels below the root
    //     and within C2's depth and size budgets, however deep the caller (an autodiff rule, a broadcast
    //     walk). A call through a handle costs a few nanoseconds.
    //  2. No method of ours that takes or returns a vector may compile, alone, to more than a small
    //     fraction of InlineSmallCode (2500 bytes): see zipLoop.
    //  3. A vector a loop carries from trip to trip (an accumulator), as it is in the loop and where
    //     the loop ends, is the argument of a Vector API call, never its receiver. C2 types such a
    //     value by its declared type, FloatVector, not by its class. A call on it dispatches on the
    //     class inside the API's method, through that method's type profile, shared by every caller;
    //     when C2 finds the profile empty (the method had run only in code compiled without
    //     profiling, or only on tails) or showing two classes (rule 4), the call stays virtual and the
    //     loop boxes every vector, for ever. Seen in CI and by hand on 2026-12-04 (AMD EPYC Zen 5):
    //     bernoulliFromT's acc.add(term, mask) ("FloatVector::lanewise ... failed to inline: virtual
    //     call", 1 in about 30 AllocationProbe runs), sumRowsColumns's store after its loop, and
    //     probably maxLoop's acc.max in CI.
    //     A fresh vector (a load, a broadcast, an operation's result) has a class C2 sees, so the loop
    //     writes acc = x.add(acc) (IEEE addition is commutative: the same bits), and reads the
    //     accumulator after the loop as MINUS_ZERO_F.add(acc) (-0 + acc: the same bits). Written out,
    //     not as a helper method of ours: C2 stops inlining our methods once a compilation holds
    //     NodeCountInliningCutoff nodes (the Vector API's are force-inlined), which the exp and log1p
    //     loops reach, and a helper left a call boxes its vectors. One exception: GemmFloat's tiles
    //     store their accumulators directly (see its register-tile comment: C2's node budget again).
    //  4. One vector shape in all the kernels, the preferred one (VectorShapeTest checks the constants).
    //     The type profiles inside the Vector API's methods are shared by every caller: GemmFloat once
    //     copied 8 floats with 256-bit vectors beside the 512-bit ones, its FloatVector.intoArray calls
    //     saw both classes, and C2 compiled a store after a loop (its vector a loop phi, of no exact
    //     class) as a two-way dispatch whose species was no constant: the store was not intrinsified
    //     and the loop boxed every vector, now and then (sumRowsColumns: 1 of 17 AllocationProbe runs
    //     on 2026-12-04, "VectorSupport::store ... failed to inline (intrinsic)", the profile printed
    //     beside it 94% Float512Vector, 6% Float256Vector). A narrower vector is a masked one.

    private static final int ROOT_ZIP_F = 0;
    private static final int ROOT_ZIP_D = 1;
    private static final int ROOT_MAP_SIMPLE_F = 2;
    private static final int ROOT_MAP_SIMPLE_D = 3;
    private static final int ROOT_SUM_F = 4;
    private static final int ROOT_SUM_D = 5;
    private static final int ROOT_MAX_F = 6;
    private static final int ROOT_MAX_D = 7;
    private static final int ROOT_LSE_ROWS_F = 8;
    private static final int ROOT_ADAM_F = 9;
    private static final int ROOT_BERNOULLI_FROM_T = 10;
    private static final int ROOT_BERNOULLI_SCORE_F = 11;
    private static final int ROOT_ZIP_ROWS_F = 12;
    private static final int ROOT_SUM_ROWS_F = 13;
    private static final MethodHandle[] ROOTS = new MethodHandle[14];

    static {
        Class<?> f = float[].class;
        Class<?> d = double[].class;
        Class<?> i = int.class;
        ROOTS[ROOT_ZIP_F] = root("zipLoop", void.class, BinaryOp.class, f, i, f, i, float.class, i, f, i, i);
        ROOTS[ROOT_ZIP_D] = root("zipLoop", void.class, BinaryOp.class, d, i, d, i, double.class, i, d, i, i);
        ROOTS[ROOT_ZIP_ROWS_F] = root("zipRowsLoop", void.class, BinaryOp.class, f, i, i, i, f, i, i, i, f, i, i, i, i);
        ROOTS[ROOT_SUM_ROWS_F] = root("sumRowsColumns", void.class, f, i, f, i, i, i, i, i);
        ROOTS[ROOT_MAP_SIMPLE_F] = root("mapSimple", void.class, UnaryOp.class, f, i, f, i, i);
        ROOTS[ROOT_MAP_SIMPLE_D] = root("mapSimple", void.class, UnaryOp.class, d, i, d, i, i);
        ROOTS[ROOT_SUM_F] = root("blockSumLoop", double.class, f, i, i);
        ROOTS[ROOT_SUM_D] = root("blockSumLoop", double.class, d, i, i);
        ROOTS[ROOT_MAX_F] = root("maxLoop", double.class, f, i, i);
        ROOTS[ROOT_MAX_D] = root("maxLoop", double.class, d, i, i);
        ROOTS[ROOT_LSE_ROWS_F] = root("logSumExpRowsLoop", void.class, f, i, i, i, i, f, i);
        ROOTS[ROOT_ADAM_F] = root("adamLoop", void.class, AdamJob.class, i, i);
        ROOTS[ROOT_BERNOULLI_FROM_T] = root("bernoulliFromT", double.class, f, i, f, i, f, i);
        ROOTS[ROOT_BERNOULLI_SCORE_F] = root("bernoulliScoreLoop", void.class, f, i, f, i, f, i, i, i, i, i, f, i);
    }

    /** The static method {@code name(params)} of this class as a handle. */
    private static MethodHandle root(String name, Class<?> returns, Class<?>... params) {
        try {
            return MethodHandles.lookup().findStatic(VectorKernels.class, name, MethodType.methodType(returns, params));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a loop threw, rethrown: the loops declare no checked exception. */
    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    @Override
    public String name() {
        return "vector-" + FS.vectorBitSize();
    }

    // ---- elementwise: float32 ------------------------------------------------------------------

    @Override
    public void map(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        checkRange(x, xOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().mapF(op, x, xOff, y, yOff, n);
        } else {
            mapF(op, x, xOff, y, yOff, n);
        }
    }

    static void mapF(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        MethodHandle loop = TRANSCENDENTAL_LOOPS[op.ordinal()];
        if (loop != null) {
            // the loops take whole vectors only; the tail (fewer than FL elements) runs through a vector
            // of its own, padded with 1 (on log's fast path, harmless to the others), in place
            int whole = n - n % FL;
            try {
                if (whole > 0) {
                    loop.invokeExact(x, xo, y, yo, whole);
                }
                if (whole < n) {
                    float[] tail = TAIL.get();
                    java.util.Arrays.fill(tail, 1f);
                    System.arraycopy(x, xo + whole, tail, 0, n - whole);
                    loop.invokeExact(tail, 0, tail, 0, FL);
                    System.arraycopy(tail, 0, y, yo + whole, n - whole);
                }
            } catch (Throwable e) {
                throw rethrow(e);
            }
        } else if (op == UnaryOp.LOG1P || op == UnaryOp.EXPM1) {
            // computed in double exactly as the reference does (rare in hot paths)
            for (int i = 0; i < n; i++) {
                y[yo + i] = (float) op.apply(x[xo + i]);
            }
        } else {
            try {
                ROOTS[ROOT_MAP_SIMPLE_F].invokeExact(op, x, xo, y, yo, n);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
    }

    /** One padded vector per thread for the tail of a transcendental map (see mapF). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[FL]);

    // The transcendental maps, over whole vectors only (mapF runs the tail through a padded vector):
    // plain loads and stores, no mask. (A masked store in every trip, as these loops had, is a
    // microcoded vmaskmovps on AMD's AVX2; they ran at 0.4-0.7 of PyTorch's speed then, at 256 bits
    // and at 512 too.) Each loop calls its function from ONE site, so the polynomial is inlined once
    // and never boxed. They are compile roots (see ROOTS): called directly, a hot mapF would inline
    // several loops into one compilation, overrun C2's inlining budget part-way through one of them, and
    // leave that loop calling a VectorMath function with its vectors boxed on the heap (3-10x slower,
    // megabytes of garbage per call).

    private static void mapExp(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMath.exp(FloatVector.fromArray(FS, x, xo + i)).intoArray(y, yo + i);
        }
    }

    private static void mapLog(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMath.log(FloatVector.fromArray(FS, x, xo + i)).intoArray(y, yo + i);
        }
    }

    private static void mapTanh(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMath.tanh(FloatVector.fromArray(FS, x, xo + i)).intoArray(y, yo + i);
        }
    }

    private static void mapSigmoid(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMath.sigmoid(FloatVector.fromArray(FS, x, xo + i)).intoArray(y, yo + i);
        }
    }

    private static void mapSoftplus(float[] x, int xo, float[] y, int yo, int n) {
        softplusInBlocks(x, xo, y, yo, n, SOFTPLUS_FROM_T);
    }

    private static void mapLogSigmoid(float[] x, int xo, float[] y, int yo, int n) {
        softplusInBlocks(x, xo, y, yo, n, LOG_SIGMOID_FROM_T);
    }

    /** Elements per block of softplus: its scratch stays in L1. */
    private static final int SOFTPLUS_BLOCK = 2048;
    private static final ThreadLocal<float[]> SOFTPLUS_SCRATCH = ThreadLocal.withInitial(() -> new float[SOFTPLUS_BLOCK]);

    /**
     * {@code softplus(x) = max(x,0) + log1p(e^-|x|)} (or {@code logSigmoid(x) = min(x,0) - log1p(e^-|x|)}),
     * block by block in two passes through a scratch block, {@code t = e^-|x|} and then the rest: exp
     * and log1p in one loop parse to about as many nodes as C2 inlines into one compilation, and land
     * on either side of that limit depending on the profile. Each pass is a loop compiled alone. The
     * scratch keeps {@code y == x} (in place) correct. {@code n} is a multiple of the vector length (see
     * mapF), and so is the block.
     */
    private static void softplusInBlocks(float[] x, int xo, float[] y, int yo, int n, int secondPass) {
        float[] t = SOFTPLUS_SCRATCH.get();
        MethodHandle expNegAbs = SOFTPLUS_PASSES[EXP_NEG_ABS];
        MethodHandle finish = SOFTPLUS_PASSES[secondPass];
        try {
            for (int start = 0; start < n; start += SOFTPLUS_BLOCK) {
                int len = Math.min(SOFTPLUS_BLOCK, n - start);
                expNegAbs.invokeExact(x, xo + start, t, 0, len);
                finish.invokeExact(x, xo + start, t, y, yo + start, len);
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code t = e^-|x|}, in [0, 1] (0 below about 2^-126.5, and for NaN: the second pass propagates NaN from x). */
    private static void mapExpNegAbs(float[] x, int xo, float[] t, int to, int n) {
        for (int i = 0; i < n; i += FL) {
            VectorMath.expNegAbs(FloatVector.fromArray(FS, x, xo + i)).intoArray(t, to + i);
        }
    }

    /** {@code y = max(x,0) + log1p(t)}, compare and blend for max (NaN stays NaN). */
    private static void softplusFromT(float[] x, int xo, float[] t, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            FloatVector xv = FloatVector.fromArray(FS, x, xo + i);
            FloatVector l = VectorMath.log1pUnit(FloatVector.fromArray(FS, t, i));
            xv.blend(0f, xv.compare(VectorOperators.LT, 0f)).add(l).intoArray(y, yo + i);
        }
    }

    /** {@code y = min(x,0) - log1p(t)}. */
    private static void logSigmoidFromT(float[] x, int xo, float[] t, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += FL) {
            FloatVector xv = FloatVector.fromArray(FS, x, xo + i);
            FloatVector l = VectorMath.log1pUnit(FloatVector.fromArray(FS, t, i));
            xv.blend(0f, xv.compare(VectorOperators.GT, 0f)).sub(l).intoArray(y, yo + i);
        }
    }

    private static final int EXP_NEG_ABS = 0;
    private static final int SOFTPLUS_FROM_T = 1;
    private static final int LOG_SIGMOID_FROM_T = 2;
    /** The passes of softplus, in an array so that C2 cannot inline them (see mapExp). */
    private static final MethodHandle[] SOFTPLUS_PASSES = new MethodHandle[3];

    private static final MethodHandle[] TRANSCENDENTAL_LOOPS = new MethodHandle[UnaryOp.values().length];

    static {
        Class<?> f = float[].class;
        Class<?> i = int.class;
        String[][] loops = {{"EXP", "mapExp"}, {"LOG", "mapLog"}, {"TANH", "mapTanh"}, {"SIGMOID", "mapSigmoid"},
            {"SOFTPLUS", "mapSoftplus"}, {"LOG_SIGMOID", "mapLogSigmoid"}};
        for (String[] loop : loops) {
            TRANSCENDENTAL_LOOPS[UnaryOp.valueOf(loop[0]).ordinal()] = root(loop[1], void.class, f, i, f, i, i);
        }
        SOFTPLUS_PASSES[EXP_NEG_ABS] = root("mapExpNegAbs", void.class, f, i, f, i, i);
        SOFTPLUS_PASSES[SOFTPLUS_FROM_T] = root("softplusFromT", void.class, f, i, f, f, i, i);
        SOFTPLUS_PASSES[LOG_SIGMOID_FROM_T] = root("logSigmoidFromT", void.class, f, i, f, f, i, i);
    }

    /**
     * The exact one-instruction maps. The switch is written out in the loop, twice, not called as a helper
     * taking a vector: see zipLoop.
     */
    private static void mapSimple(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            FloatVector v = FloatVector.fromArray(FS, x, xo + i);
            FloatVector r = switch (op) {
                case NEG -> v.neg();
                case ABS -> v.abs();
                case SQRT -> v.sqrt();
                case SQUARE -> v.mul(v);
                case RECIPROCAL -> FloatVector.broadcast(FS, 1f).div(v);
                case RELU -> v.blend(0f, v.compare(VectorOperators.LE, 0f)); // NaN stays NaN
                case STEP -> FloatVector.zero(FS).blend(1f, v.compare(VectorOperators.GT, 0f));
                case SIGN -> v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
                default -> throw new AssertionError(op);
            };
            r.intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(FS, x, xo + i, m);
            FloatVector r = switch (op) {
                case NEG -> v.neg();
                case ABS -> v.abs();
                case SQRT -> v.sqrt();
                case SQUARE -> v.mul(v);
                case RECIPROCAL -> FloatVector.broadcast(FS, 1f).div(v);
                case RELU -> v.blend(0f, v.compare(VectorOperators.LE, 0f)); // NaN stays NaN
                case STEP -> FloatVector.zero(FS).blend(1f, v.compare(VectorOperators.GT, 0f));
                case SIGN -> v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
                default -> throw new AssertionError(op);
            };
            r.intoArray(y, yo + i, m);
        }
    }


    @Override
    public void zip(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange(a, aOff, n);
        checkRange(b, bOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipF(op, a, aOff, b, bOff, Float.NaN, ElementwiseJob.ARRAYS, y, yOff, n);
        } else {
            zipF(op, a, aOff, b, bOff, Float.NaN, ElementwiseJob.ARRAYS, y, yOff, n);
        }
    }

    @Override
    public void zipScalar(BinaryOp op, float[] a, int aOff, float s, float[] y, int yOff, int n) {
        checkRange(a, aOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipF(op, a, aOff, null, 0, s, ElementwiseJob.SCALAR_RIGHT, y, yOff, n);
        } else {
            zipF(op, a, aOff, null, 0, s, ElementwiseJob.SCALAR_RIGHT, y, yOff, n);
        }
    }

    @Override
    public void scalarZip(BinaryOp op, float s, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange(b, bOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipF(op, null, 0, b, bOff, s, ElementwiseJob.SCALAR_LEFT, y, yOff, n);
        } else {
            zipF(op, null, 0, b, bOff, s, ElementwiseJob.SCALAR_LEFT, y, yOff, n);
        }
    }

    @Override
    public void zipRows(BinaryOp op, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int bRow, int bCol,
                        float[] y, int yOff, int yRow, int rows, int cols) {
        RowChecks.check(a.length, aOff, aRow, aCol, b.length, bOff, bRow, bCol, y.length, yOff, yRow, rows, cols);
        try {
            ROOTS[ROOT_ZIP_ROWS_F].invokeExact(op, a, aOff, aRow, aCol, b, bOff, bRow, bCol, y, yOff, yRow, rows, cols);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * A compile root: the rows of {@link #zipRows}, each run as the {@code zip}, {@code zipScalar} or
     * {@code scalarZip} call it stands for runs (so the same bits: by its loop, or split over threads when
     * the row is long), with no call through a handle per row.
     */
    private static void zipRowsLoop(BinaryOp op, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
                                    int bRow, int bCol, float[] y, int yOff, int yRow, int rows, int cols) {
        if (op == BinaryOp.ADD && y == a && yOff == aOff && yRow == 0 && aRow == 0 && aCol == 1 && bCol == 1
                && cols < PARALLEL_MIN) {
            sumRowsInto(y, yOff, b, bOff, bRow, rows, cols);
            return;
        }
        boolean aRepeats = aRow == 0 && bRow == cols, bRepeats = bRow == 0 && aRow == cols;
        if ((aRepeats || bRepeats) && aCol == 1 && bCol == 1 && yRow == cols && cols > 0 && cols <= REPEATED_ELEMENTS / 2
                && rows > 1 && y != a && y != b) {
            // one operand's row repeated down contiguous rows ([B, 1, D] − [K, D]): the row copied many
            // times into a scratch row, so that each zip loop covers many rows instead of one
            int per = REPEATED_ELEMENTS / cols;
            float[] repeated = REPEATED_ROWS.get();
            float[] row = aRepeats ? a : b;
            int rowOff = aRepeats ? aOff : bOff;
            for (int r = 0; r < Math.min(per, rows); r++) {
                System.arraycopy(row, rowOff, repeated, r * cols, cols);
            }
            for (int r = 0; r < rows; r += per) {
                int n = Math.min(per, rows - r) * cols;
                if (aRepeats) {
                    zipLoop(op, repeated, 0, b, bOff + r * cols, Float.NaN, ElementwiseJob.ARRAYS, y, yOff + r * cols, n);
                } else {
                    zipLoop(op, a, aOff + r * cols, repeated, 0, Float.NaN, ElementwiseJob.ARRAYS, y, yOff + r * cols, n);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int ao = aOff + r * aRow, bo = bOff + r * bRow, yo = yOff + r * yRow;
            if (aCol == 1 && bCol == 1) {
                zipRow(op, a, ao, b, bo, Float.NaN, ElementwiseJob.ARRAYS, y, yo, cols);
            } else if (aCol == 1) {
                zipRow(op, a, ao, null, 0, b[bo], ElementwiseJob.SCALAR_RIGHT, y, yo, cols);
            } else if (bCol == 1) {
                zipRow(op, null, 0, b, bo, a[ao], ElementwiseJob.SCALAR_LEFT, y, yo, cols);
            } else {
                java.util.Arrays.fill(y, yo, yo + cols, (float) op.apply(a[ao], b[bo]));
            }
        }
    }

    /** One row of {@link #zipRowsLoop}, as {@link #zip} runs it: split over threads when it is long. */
    private static void zipRow(BinaryOp op, float[] a, int ao, float[] b, int bo, float s, int form,
                               float[] y, int yo, int n) {
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipF(op, a, ao, b, bo, s, form, y, yo, n);
        } else {
            zipLoop(op, a, ao, b, bo, s, form, y, yo, n);
        }
    }

    /**
     * {@code y[j] += b[r·bRow + j]} for {@code r = 0, 1, …} (a broadcast's gradient: rows summed into one),
     * each vector of {@code y} kept in a register down all the rows: the same additions in the same
     * order as one zip per row, without loading and storing {@code y} for every row (the VampPrior's
     * {@code [B, K, D] → [B, 1, D]} sums 500 rows of 40). Many rows (a bias gradient, {@code db = Σ_r dy_r}
     * over the IWAE decoder's 5000 rows) are split over threads by columns: each column is still summed
     * by one thread, top to bottom, so the bits do not depend on the thread count. (In a JFR profile of
     * the IWAE K=50 step at -XX:UseAVX=2 these sums and the bias copies of {@link #repeatRow}, both then
     * on the calling thread alone, took 6.8% of its samples while the other thread waited.)
     */
    private static void sumRowsInto(float[] y, int yo, float[] b, int bo, int bRow, int rows, int cols) {
        int groups = (cols + SUM_ROWS_GROUP - 1) / SUM_ROWS_GROUP;
        if ((long) rows * cols >= PARALLEL_MIN && groups >= 2) {
            JOBS.get().sumRowsF(y, yo, b, bo, bRow, rows, cols, groups);
        } else {
            sumRowsColumns(y, yo, b, bo, bRow, rows, 0, cols);
        }
    }

    /** {@link #sumRowsColumns} through its compile root (from a task of the split). */
    private static void sumRowsColumnsRoot(float[] y, int yo, float[] b, int bo, int bRow, int rows, int j0, int j1) {
        try {
            ROOTS[ROOT_SUM_ROWS_F].invokeExact(y, yo, b, bo, bRow, rows, j0, j1);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Columns summed four vectors at a time in {@link #sumRowsColumns}, and the unit its split deals out. */
    static final int SUM_ROWS_GROUP = 4 * FL;

    /**
     * {@link #sumRowsInto} for the columns {@code j0 <= j < j1} ({@code j0} a multiple of
     * {@link #SUM_ROWS_GROUP}): four vectors a row while four fit, four independent chains of adds
     * reading whole cache lines (one vector at a time, each row's add waits on the last, and at 256
     * bits each 64-byte line is fetched by two passes down the rows), then one vector, then the masked
     * tail.
     */
    private static void sumRowsColumns(float[] y, int yo, float[] b, int bo, int bRow, int rows, int j0, int j1) {
        int j = j0;
        for (; j + SUM_ROWS_GROUP <= j1; j += SUM_ROWS_GROUP) {
            FloatVector s0 = FloatVector.fromArray(FS, y, yo + j);
            FloatVector s1 = FloatVector.fromArray(FS, y, yo + j + FL);
            FloatVector s2 = FloatVector.fromArray(FS, y, yo + j + 2 * FL);
            FloatVector s3 = FloatVector.fromArray(FS, y, yo + j + 3 * FL);
            for (int r = 0; r < rows; r++) {
                int i = bo + r * bRow + j;
                s0 = FloatVector.fromArray(FS, b, i).add(s0); // the loaded vector first: rule 3
                s1 = FloatVector.fromArray(FS, b, i + FL).add(s1);
                s2 = FloatVector.fromArray(FS, b, i + 2 * FL).add(s2);
                s3 = FloatVector.fromArray(FS, b, i + 3 * FL).add(s3);
            }
            MINUS_ZERO_F.add(s0).intoArray(y, yo + j);
            MINUS_ZERO_F.add(s1).intoArray(y, yo + j + FL);
            MINUS_ZERO_F.add(s2).intoArray(y, yo + j + 2 * FL);
            MINUS_ZERO_F.add(s3).intoArray(y, yo + j + 3 * FL);
        }
        for (; j + FL <= j1; j += FL) {
            FloatVector acc = FloatVector.fromArray(FS, y, yo + j);
            for (int r = 0; r < rows; r++) {
                acc = FloatVector.fromArray(FS, b, bo + r * bRow + j).add(acc);
            }
            MINUS_ZERO_F.add(acc).intoArray(y, yo + j);
        }
        if (j < j1) {
            VectorMask<Float> m = FS.indexInRange(j, j1);
            FloatVector acc = FloatVector.fromArray(FS, y, yo + j, m);
            for (int r = 0; r < rows; r++) {
                acc = FloatVector.fromArray(FS, b, bo + r * bRow + j, m).add(acc);
            }
            MINUS_ZERO_F.add(acc).intoArray(y, yo + j, m);
        }
    }

    @Override
    public void repeatRow(float[] row, int rowOff, int n, float[] y, int yOff, int rows) {
        RowChecks.checkRepeat(row.length, rowOff, n, y.length, yOff, rows);
        repeatRowOfEither(row, rowOff, n, y, yOff, rows);
    }

    @Override
    public void repeatRow(double[] row, int rowOff, int n, double[] y, int yOff, int rows) {
        RowChecks.checkRepeat(row.length, rowOff, n, y.length, yOff, rows);
        repeatRowOfEither(row, rowOff, n, y, yOff, rows);
    }

    /**
     * {@link #repeatRow} for either element type: an array copy per row, many rows split over threads
     * (the copy is memory-bound, and a second thread writes alongside the first).
     */
    private static void repeatRowOfEither(Object row, int rowOff, int n, Object y, int yOff, int rows) {
        if ((long) rows * n >= PARALLEL_MIN) {
            JOBS.get().repeatRow(row, rowOff, n, y, yOff, rows);
        } else {
            repeatRows(row, rowOff, n, y, yOff, 0, rows);
        }
    }

    /** Rows {@code r0 <= r < r1} of {@link #repeatRow}; {@code row} and {@code y} are both {@code float[]} or both {@code double[]}. */
    private static void repeatRows(Object row, int rowOff, int n, Object y, int yOff, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            System.arraycopy(row, rowOff, y, yOff + r * n, n);
        }
    }

    /**
     * {@code y = op(a, b)} where {@code form} says which operand is the scalar {@code s}: {@code a op b},
     * {@code a op s} or {@code s op b}.
     */
    static void zipF(BinaryOp op, float[] a, int ao, float[] b, int bo, float s, int form,
                     float[] y, int yo, int n) {
        try {
            ROOTS[ROOT_ZIP_F].invokeExact(op, a, ao, b, bo, s, form, y, yo, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * The switch over {@code op} is written out in the loop, twice (main loop and tail), not called as a
     * helper {@code binary(op, l, r)}: such a helper is called once per vector while this loop is still
     * interpreted, so C2 may compile it alone first, with its vectors boxed, to more than
     * {@code InlineSmallCode} (2500 bytes; it measured 3.6 KB). C2 then refuses to inline it into this
     * loop ("already compiled into a big method") and every vector is boxed: seen in 6 of 40 VaeStep runs
     * in one batch, at twice the step time and 26 MB of garbage a step. Helpers that take vectors must stay
     * far below that size: the {@link VectorMath} functions compile alone to 0.6-1.9 KB, and
     * {@code KernelAllocationTest} checks that they stay inlined with the limit lowered to 1500 bytes.
     * The tail repeats the switch for the same reason.
     */
    private static void zipLoop(BinaryOp op, float[] a, int ao, float[] b, int bo, float s, int form,
                                float[] y, int yo, int n) {
        if (op == BinaryOp.POW) {
            for (int i = 0; i < n; i++) {
                float l = form == ElementwiseJob.SCALAR_LEFT ? s : a[ao + i];
                float r = form == ElementwiseJob.SCALAR_RIGHT ? s : b[bo + i];
                y[yo + i] = (float) Math.pow(l, r);
            }
            return;
        }
        FloatVector sv = FloatVector.broadcast(FS, s);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            FloatVector l = form == ElementwiseJob.SCALAR_LEFT ? sv : FloatVector.fromArray(FS, a, ao + i);
            FloatVector r = form == ElementwiseJob.SCALAR_RIGHT ? sv : FloatVector.fromArray(FS, b, bo + i);
            FloatVector v = switch (op) {
                case ADD -> l.add(r);
                case SUB -> l.sub(r);
                case MUL -> l.mul(r);
                case DIV -> l.div(r);
                case MAX -> l.max(r);
                case MIN -> l.min(r);
                case MUL_KEEP_ZERO -> l.mul(r).blend(0f, l.eq(0f));
                case DIV_KEEP_ZERO -> l.div(r).blend(0f, l.eq(0f));
                case POW -> throw new AssertionError(op);
            };
            v.intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = FS.indexInRange(i, n);
            FloatVector l = form == ElementwiseJob.SCALAR_LEFT ? sv : FloatVector.fromArray(FS, a, ao + i, m);
            FloatVector r = form == ElementwiseJob.SCALAR_RIGHT ? sv : FloatVector.fromArray(FS, b, bo + i, m);
            FloatVector v = switch (op) {
                case ADD -> l.add(r);
                case SUB -> l.sub(r);
                case MUL -> l.mul(r);
                case DIV -> l.div(r);
                case MAX -> l.max(r);
                case MIN -> l.min(r);
                case MUL_KEEP_ZERO -> l.mul(r).blend(0f, l.eq(0f));
                case DIV_KEEP_ZERO -> l.div(r).blend(0f, l.eq(0f));
                case POW -> throw new AssertionError(op);
            };
            v.intoArray(y, yo + i, m);
        }
    }

    // ---- elementwise: float64 ------------------------------------------------------------------

    @Override
    public void map(UnaryOp op, double[] x, int xOff, double[] y, int yOff, int n) {
        checkRange(x, xOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().mapD(op, x, xOff, y, yOff, n);
        } else {
            mapD(op, x, xOff, y, yOff, n);
        }
    }

    static void mapD(UnaryOp op, double[] x, int xo, double[] y, int yo, int n) {
        switch (op) {
            case NEG, ABS, SQRT, SQUARE, RECIPROCAL, RELU, STEP, SIGN -> {
                try {
                    ROOTS[ROOT_MAP_SIMPLE_D].invokeExact(op, x, xo, y, yo, n);
                } catch (Throwable e) {
                    throw rethrow(e);
                }
            }
            default -> {
                // float64 is the verification type: transcendental maps are the reference itself
                for (int i = 0; i < n; i++) {
                    y[yo + i] = op.apply(x[xo + i]);
                }
            }
        }
    }

    /** The float64 twin of the float32 {@code mapSimple}. */
    private static void mapSimple(UnaryOp op, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        for (int bound = DS.loopBound(n); i < bound; i += DL) {
            DoubleVector v = DoubleVector.fromArray(DS, x, xo + i);
            DoubleVector r = switch (op) {
                case NEG -> v.neg();
                case ABS -> v.abs();
                case SQRT -> v.sqrt();
                case SQUARE -> v.mul(v);
                case RECIPROCAL -> DoubleVector.broadcast(DS, 1.0).div(v);
                case RELU -> v.blend(0.0, v.compare(VectorOperators.LE, 0.0)); // NaN stays NaN
                case STEP -> DoubleVector.zero(DS).blend(1.0, v.compare(VectorOperators.GT, 0.0));
                case SIGN -> v.blend(1.0, v.compare(VectorOperators.GT, 0.0)).blend(-1.0, v.compare(VectorOperators.LT, 0.0));
                default -> throw new AssertionError(op);
            };
            r.intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Double> m = DS.indexInRange(i, n);
            DoubleVector v = DoubleVector.fromArray(DS, x, xo + i, m);
            DoubleVector r = switch (op) {
                case NEG -> v.neg();
                case ABS -> v.abs();
                case SQRT -> v.sqrt();
                case SQUARE -> v.mul(v);
                case RECIPROCAL -> DoubleVector.broadcast(DS, 1.0).div(v);
                case RELU -> v.blend(0.0, v.compare(VectorOperators.LE, 0.0)); // NaN stays NaN
                case STEP -> DoubleVector.zero(DS).blend(1.0, v.compare(VectorOperators.GT, 0.0));
                case SIGN -> v.blend(1.0, v.compare(VectorOperators.GT, 0.0)).blend(-1.0, v.compare(VectorOperators.LT, 0.0));
                default -> throw new AssertionError(op);
            };
            r.intoArray(y, yo + i, m);
        }
    }

    @Override
    public void zip(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] y, int yOff, int n) {
        checkRange(a, aOff, n);
        checkRange(b, bOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipD(op, a, aOff, b, bOff, Double.NaN, ElementwiseJob.ARRAYS, y, yOff, n);
        } else {
            zipD(op, a, aOff, b, bOff, Double.NaN, ElementwiseJob.ARRAYS, y, yOff, n);
        }
    }

    @Override
    public void zipScalar(BinaryOp op, double[] a, int aOff, double s, double[] y, int yOff, int n) {
        checkRange(a, aOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipD(op, a, aOff, null, 0, s, ElementwiseJob.SCALAR_RIGHT, y, yOff, n);
        } else {
            zipD(op, a, aOff, null, 0, s, ElementwiseJob.SCALAR_RIGHT, y, yOff, n);
        }
    }

    @Override
    public void scalarZip(BinaryOp op, double s, double[] b, int bOff, double[] y, int yOff, int n) {
        checkRange(b, bOff, n);
        checkRange(y, yOff, n);
        if (n >= PARALLEL_MIN) {
            JOBS.get().zipD(op, null, 0, b, bOff, s, ElementwiseJob.SCALAR_LEFT, y, yOff, n);
        } else {
            zipD(op, null, 0, b, bOff, s, ElementwiseJob.SCALAR_LEFT, y, yOff, n);
        }
    }

    /**
     * Float64 broadcasts run the reference loop, which gives the same bits as the vector {@code zip}
     * (each element one IEEE operation): float64 serves verification, where speed does not matter.
     */
    @Override
    public void zipRows(BinaryOp op, double[] a, int aOff, int aRow, int aCol, double[] b, int bOff, int bRow, int bCol,
                        double[] y, int yOff, int yRow, int rows, int cols) {
        REFERENCE.zipRows(op, a, aOff, aRow, aCol, b, bOff, bRow, bCol, y, yOff, yRow, rows, cols);
    }

    /** The float64 twin of {@link #zipF}. */
    static void zipD(BinaryOp op, double[] a, int ao, double[] b, int bo, double s, int form,
                     double[] y, int yo, int n) {
        try {
            ROOTS[ROOT_ZIP_D].invokeExact(op, a, ao, b, bo, s, form, y, yo, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The float64 twin of the float32 {@code zipLoop}, its switch written out twice for the same reason. */
    private static void zipLoop(BinaryOp op, double[] a, int ao, double[] b, int bo, double s, int form,
                                double[] y, int yo, int n) {
        if (op == BinaryOp.POW) {
            for (int i = 0; i < n; i++) {
                double l = form == ElementwiseJob.SCALAR_LEFT ? s : a[ao + i];
                double r = form == ElementwiseJob.SCALAR_RIGHT ? s : b[bo + i];
                y[yo + i] = Math.pow(l, r);
            }
            return;
        }
        DoubleVector sv = DoubleVector.broadcast(DS, s);
        int i = 0;
        for (int bound = DS.loopBound(n); i < bound; i += DL) {
            DoubleVector l = form == ElementwiseJob.SCALAR_LEFT ? sv : DoubleVector.fromArray(DS, a, ao + i);
            DoubleVector r = form == ElementwiseJob.SCALAR_RIGHT ? sv : DoubleVector.fromArray(DS, b, bo + i);
            DoubleVector v = switch (op) {
                case ADD -> l.add(r);
                case SUB -> l.sub(r);
                case MUL -> l.mul(r);
                case DIV -> l.div(r);
                case MAX -> l.max(r);
                case MIN -> l.min(r);
                case MUL_KEEP_ZERO -> l.mul(r).blend(0.0, l.eq(0.0));
                case DIV_KEEP_ZERO -> l.div(r).blend(0.0, l.eq(0.0));
                case POW -> throw new AssertionError(op);
            };
            v.intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Double> m = DS.indexInRange(i, n);
            DoubleVector l = form == ElementwiseJob.SCALAR_LEFT ? sv : DoubleVector.fromArray(DS, a, ao + i, m);
            DoubleVector r = form == ElementwiseJob.SCALAR_RIGHT ? sv : DoubleVector.fromArray(DS, b, bo + i, m);
            DoubleVector v = switch (op) {
                case ADD -> l.add(r);
                case SUB -> l.sub(r);
                case MUL -> l.mul(r);
                case DIV -> l.div(r);
                case MAX -> l.max(r);
                case MIN -> l.min(r);
                case MUL_KEEP_ZERO -> l.mul(r).blend(0.0, l.eq(0.0));
                case DIV_KEEP_ZERO -> l.div(r).blend(0.0, l.eq(0.0));
                case POW -> throw new AssertionError(op);
            };
            v.intoArray(y, yo + i, m);
        }
    }

    // ---- reductions ----------------------------------------------------------------------------

    @Override
    public double sum(float[] x, int off, int n) {
        checkRange(x, off, n);
        int blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        if (n >= PARALLEL_MIN) {
            return JOBS.get().sumF(x, off, n, blocks);
        }
        double s = 0;
        for (int blk = 0; blk < blocks; blk++) {
            int start = blk * SUM_BLOCK;
            s += blockSum(x, off + start, Math.min(SUM_BLOCK, n - start));
        }
        return s;
    }

    /** {@code sum_i x[off+i]} for one block: float64 lanes, then the lanes left to right. */
    static double blockSum(float[] x, int off, int n) {
        try {
            return (double) ROOTS[ROOT_SUM_F].invokeExact(x, off, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static double blockSumLoop(float[] x, int off, int n) {
        DoubleVector acc0 = DoubleVector.zero(DS_HALF);
        DoubleVector acc1 = DoubleVector.zero(DS_HALF);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            FloatVector v = FloatVector.fromArray(FS, x, off + i);
            acc0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS_HALF, 0)).add(acc0); // rule 3
            acc1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS_HALF, 1)).add(acc1);
        }
        if (i < n) {
            FloatVector v = FloatVector.fromArray(FS, x, off + i, FS.indexInRange(i, n)); // zeros past n
            acc0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS_HALF, 0)).add(acc0);
            acc1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, DS_HALF, 1)).add(acc1);
        }
        DoubleVector acc = MINUS_ZERO_D.add(acc0).add(acc1);
        double s = 0;
        for (int l = 0; l < acc.length(); l++) {
            s += acc.lane(l); // lane 0 + lane 1 + ...: a fixed order (reduceLanes does not promise one)
        }
        return s;
    }

    @Override
    public double sum(double[] x, int off, int n) {
        checkRange(x, off, n);
        int blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        if (n >= PARALLEL_MIN) {
            return JOBS.get().sumD(x, off, n, blocks);
        }
        double s = 0;
        for (int blk = 0; blk < blocks; blk++) {
            int start = blk * SUM_BLOCK;
            s += blockSum(x, off + start, Math.min(SUM_BLOCK, n - start));
        }
        return s;
    }

    /** {@code sum_i x[off+i]} for one block: two vector accumulators, then the lanes left to right. */
    static double blockSum(double[] x, int off, int n) {
        try {
            return (double) ROOTS[ROOT_SUM_D].invokeExact(x, off, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static double blockSumLoop(double[] x, int off, int n) {
        DoubleVector acc0 = DoubleVector.zero(DS);
        DoubleVector acc1 = DoubleVector.zero(DS);
        int i = 0;
        for (int bound = n - 2 * DL; i <= bound; i += 2 * DL) {
            acc0 = DoubleVector.fromArray(DS, x, off + i).add(acc0); // the loaded vector first: rule 3
            acc1 = DoubleVector.fromArray(DS, x, off + i + DL).add(acc1);
        }
        for (; i < n; i += DL) {
            acc0 = DoubleVector.fromArray(DS, x, off + i, DS.indexInRange(i, n)).add(acc0);
        }
        DoubleVector acc = MINUS_ZERO_D.add(acc0).add(acc1);
        double s = 0;
        for (int l = 0; l < acc.length(); l++) {
            s += acc.lane(l); // lane 0 + lane 1 + ...: a fixed order (reduceLanes does not promise one)
        }
        return s;
    }

    @Override
    public double max(float[] x, int off, int n) {
        checkRange(x, off, n);
        try {
            return (double) ROOTS[ROOT_MAX_F].invokeExact(x, off, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static double maxLoop(float[] x, int off, int n) {
        FloatVector acc = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            acc = FloatVector.fromArray(FS, x, off + i).max(acc); // Math.max semantics, NaN wins; rule 3
        }
        float m = MINUS_ZERO_F.add(acc).reduceLanes(VectorOperators.MAX); // max is exact, in any order
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public double max(double[] x, int off, int n) {
        checkRange(x, off, n);
        try {
            return (double) ROOTS[ROOT_MAX_D].invokeExact(x, off, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static double maxLoop(double[] x, int off, int n) {
        DoubleVector acc = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = DS.loopBound(n); i < bound; i += DL) {
            acc = DoubleVector.fromArray(DS, x, off + i).max(acc);
        }
        double m = MINUS_ZERO_D.add(acc).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public void logSumExpRows(float[] x, int off, int rows, int cols, float[] out, int outOff) {
        checkMatrix(x, off, rows, cols);
        checkRange(out, outOff, rows);
        if ((long) rows * cols >= PARALLEL_MIN && rows > 1) {
            JOBS.get().logSumExpF(x, off, rows, cols, out, outOff);
        } else {
            logSumExpRowsF(x, off, 0, rows, cols, out, outOff);
        }
    }

    /** Rows {@code r0 .. r1-1}: {@code m + log sum_j exp(x[r,j] - m)}, exp in float32 lanes. */
    static void logSumExpRowsF(float[] x, int off, int r0, int r1, int cols, float[] out, int outOff) {
        try {
            ROOTS[ROOT_LSE_ROWS_F].invokeExact(x, off, r0, r1, cols, out, outOff);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static void logSumExpRowsLoop(float[] x, int off, int r0, int r1, int cols, float[] out, int outOff) {
        for (int r = r0; r < r1; r++) {
            int base = off + r * cols;
            double m = maxLoop(x, base, cols);
            double s = 0;
            if (Double.isFinite(m)) {
                FloatVector mv = FloatVector.broadcast(FS, (float) m);
                FloatVector acc = FloatVector.zero(FS);
                for (int j = 0; j < cols; j += FL) { // one exp call site, the tail masked (see mapExp)
                    FloatVector e = VectorMath.exp((j + FL <= cols ? FloatVector.fromArray(FS, x, base + j)
                            : FloatVector.fromArray(FS, x, base + j, FS.indexInRange(j, cols))).sub(mv));
                    acc = MINUS_ZERO_F.blend(e, FS.indexInRange(j, cols)).add(acc); // -0 past cols; rule 3
                }
                FloatVector sums = MINUS_ZERO_F.add(acc);
                for (int l = 0; l < FL; l++) {
                    s += sums.lane(l);
                }
            }
            out[outOff + r] = (float) ScalarKernels.logSumExpFromMax(m, s);
        }
    }

    // ---- the Bernoulli log-likelihood with logits ----------------------------------------------

    @Override
    public void bernoulliLogProbRows(float[] logits, int lOff, float[] x, int xOff, int xRows, int rows, int cols,
                                     float[] out, int outOff) {
        checkMatrix(logits, lOff, rows, cols);
        checkMatrix(x, xOff, repeatedRows(xRows, rows), cols);
        checkRange(out, outOff, rows);
        if ((long) rows * cols >= PARALLEL_MIN && rows > 1) {
            JOBS.get().bernoulliRows(false, null, 0, logits, lOff, x, xOff, xRows, rows, cols, out, outOff);
        } else {
            bernoulliLogProbRowsF(logits, lOff, x, xOff, xRows, 0, rows, cols, out, outOff);
        }
    }

    /** The rows of x read, checking {@code 1 <= xRows <= rows} when there are rows. */
    private static int repeatedRows(int xRows, int rows) {
        if (rows > 0 && (xRows < 1 || xRows > rows)) {
            throw new IllegalArgumentException("xRows " + xRows + " not in [1, rows = " + rows + "]");
        }
        return Math.min(xRows, rows);
    }

    /**
     * Rows {@code r0 .. r1-1}, each in blocks of softplus's scratch: {@code t = e^-|ℓ|} (softplus's first
     * pass, the tail through a padded vector as in mapF), then {@code Σ x·ℓ - max(ℓ,0) - log1p(t)}. Two
     * loops for the same reason softplus has two passes (see softplusInBlocks).
     */
    static void bernoulliLogProbRowsF(float[] l, int lOff, float[] x, int xOff, int xRows, int r0, int r1, int cols,
                                      float[] out, int outOff) {
        float[] t = SOFTPLUS_SCRATCH.get();
        MethodHandle expNegAbs = SOFTPLUS_PASSES[EXP_NEG_ABS];
        MethodHandle sum = ROOTS[ROOT_BERNOULLI_FROM_T];
        try {
            for (int r = r0; r < r1; r++) {
                double s = 0;
                for (int start = 0; start < cols; start += SOFTPLUS_BLOCK) {
                    int len = Math.min(SOFTPLUS_BLOCK, cols - start);
                    int lo = lOff + r * cols + start;
                    int whole = len - len % FL;
                    if (whole > 0) {
                        expNegAbs.invokeExact(l, lo, t, 0, whole);
                    }
                    if (whole < len) { // len < SOFTPLUS_BLOCK here, so t has room for a whole vector
                        float[] tail = TAIL.get();
                        java.util.Arrays.fill(tail, 0f);
                        System.arraycopy(l, lo + whole, tail, 0, len - whole);
                        expNegAbs.invokeExact(tail, 0, t, whole, FL);
                    }
                    s += (double) sum.invokeExact(l, lo, x, xOff + r % xRows * cols + start, t, len);
                }
                out[outOff + r] = (float) s;
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code Σ_j x·ℓ - max(ℓ,0) - log1p(t)} over {@code j < n}, {@code t = e^-|ℓ|}: float lanes, then the lanes in order. */
    private static double bernoulliFromT(float[] l, int lo, float[] x, int xo, float[] t, int n) {
        FloatVector acc = FloatVector.zero(FS);
        for (int j = 0; j < n; j += FL) { // one log1p call site, the tail masked (see mapExp)
            boolean whole = j + FL <= n;
            FloatVector lv = whole ? FloatVector.fromArray(FS, l, lo + j) : FloatVector.fromArray(FS, l, lo + j, FS.indexInRange(j, n));
            FloatVector xv = whole ? FloatVector.fromArray(FS, x, xo + j) : FloatVector.fromArray(FS, x, xo + j, FS.indexInRange(j, n));
            FloatVector tv = FloatVector.fromArray(FS, t, j); // whole vectors: see bernoulliLogProbRowsF
            FloatVector term = xv.mul(lv).sub(lv.blend(0f, lv.compare(VectorOperators.LT, 0f))) // NaN stays NaN
                    .sub(VectorMath.log1pUnit(tv));
            acc = MINUS_ZERO_F.blend(term, FS.indexInRange(j, n)).add(acc); // -0 past n; rule 3
        }
        FloatVector sums = MINUS_ZERO_F.add(acc);
        double s = 0;
        for (int k = 0; k < FL; k++) {
            s += sums.lane(k);
        }
        return s;
    }

    @Override
    public void bernoulliLogProbRows(double[] logits, int lOff, double[] x, int xOff, int xRows, int rows, int cols,
                                     double[] out, int outOff) {
        checkMatrix(logits, lOff, rows, cols);
        checkMatrix(x, xOff, repeatedRows(xRows, rows), cols);
        checkRange(out, outOff, rows);
        REFERENCE.bernoulliLogProbRows(logits, lOff, x, xOff, xRows, rows, cols, out, outOff); // float64 verifies
    }

    @Override
    public void bernoulliScoreRows(float[] dy, int dyOff, float[] logits, int lOff, float[] x, int xOff, int xRows,
                                   int rows, int cols, float[] g, int gOff) {
        checkRange(dy, dyOff, rows);
        checkMatrix(logits, lOff, rows, cols);
        checkMatrix(x, xOff, repeatedRows(xRows, rows), cols);
        checkMatrix(g, gOff, rows, cols);
        if ((long) rows * cols >= PARALLEL_MIN && rows > 1) {
            JOBS.get().bernoulliRows(true, dy, dyOff, logits, lOff, x, xOff, xRows, rows, cols, g, gOff);
        } else {
            bernoulliScoreRowsF(dy, dyOff, logits, lOff, x, xOff, xRows, 0, rows, cols, g, gOff);
        }
    }

    static void bernoulliScoreRowsF(float[] dy, int dyOff, float[] l, int lOff, float[] x, int xOff, int xRows,
                                    int r0, int r1, int cols, float[] g, int gOff) {
        try {
            ROOTS[ROOT_BERNOULLI_SCORE_F].invokeExact(dy, dyOff, l, lOff, x, xOff, xRows, r0, r1, cols, g, gOff);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code g = dy[r]·(x - σ(ℓ))}, row by row; a row with {@code dy[r] = 0} is zeros. */
    private static void bernoulliScoreLoop(float[] dy, int dyOff, float[] l, int lOff, float[] x, int xOff, int xRows,
                                           int r0, int r1, int cols, float[] g, int gOff) {
        for (int r = r0; r < r1; r++) {
            int base = r * cols;
            int xBase = xOff + r % xRows * cols;
            float d = dy[dyOff + r];
            if (d == 0f) {
                java.util.Arrays.fill(g, gOff + base, gOff + base + cols, 0f);
                continue;
            }
            FloatVector dv = FloatVector.broadcast(FS, d);
            for (int j = 0; j < cols; j += FL) { // one sigmoid call site, the tail masked (see mapExp)
                boolean whole = j + FL <= cols;
                FloatVector lv = whole ? FloatVector.fromArray(FS, l, lOff + base + j)
                        : FloatVector.fromArray(FS, l, lOff + base + j, FS.indexInRange(j, cols));
                FloatVector xv = whole ? FloatVector.fromArray(FS, x, xBase + j)
                        : FloatVector.fromArray(FS, x, xBase + j, FS.indexInRange(j, cols));
                FloatVector gv = dv.mul(xv.sub(VectorMath.sigmoid(lv)));
                if (whole) {
                    gv.intoArray(g, gOff + base + j);
                } else {
                    gv.intoArray(g, gOff + base + j, FS.indexInRange(j, cols));
                }
            }
        }
    }

    @Override
    public void bernoulliScoreRows(double[] dy, int dyOff, double[] logits, int lOff, double[] x, int xOff, int xRows,
                                   int rows, int cols, double[] g, int gOff) {
        checkRange(dy, dyOff, rows);
        checkMatrix(logits, lOff, rows, cols);
        checkMatrix(x, xOff, repeatedRows(xRows, rows), cols);
        checkMatrix(g, gOff, rows, cols);
        REFERENCE.bernoulliScoreRows(dy, dyOff, logits, lOff, x, xOff, xRows, rows, cols, g, gOff); // float64 verifies
    }

    @Override
    public void logSumExpRows(double[] x, int off, int rows, int cols, double[] out, int outOff) {
        checkMatrix(x, off, rows, cols);
        checkRange(out, outOff, rows);
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            double m = max(x, base, cols); // exact, as the reference
            double s = 0;
            if (Double.isFinite(m)) {
                for (int j = 0; j < cols; j++) {
                    s += Math.exp(x[base + j] - m); // float64 verifies: the reference's own order
                }
            }
            out[outOff + r] = ScalarKernels.logSumExpFromMax(m, s);
        }
    }

    // ---- matrix multiply -----------------------------------------------------------------------

    // ---- optimizer update --------------------------------------------------------------------

    @Override
    public void adamUpdate(float[] theta, float[] grad, float[] m, float[] v, int n, double beta1, double beta2,
                           double lr, double eps, double bc1, double bc2, double l2, double shrink) {
        checkRange(theta, 0, n);
        checkRange(grad, 0, n);
        checkRange(m, 0, n);
        checkRange(v, 0, n);
        AdamJob job = ADAM_JOBS.get();
        job.theta = theta;
        job.grad = grad;
        job.m = m;
        job.v = v;
        job.n = n;
        job.b1 = (float) beta1;
        job.b2 = (float) beta2;
        job.c1 = (float) (1.0 - beta1); // 1-β computed in double: 1f - (float) 0.999 is off by 5e-5 relative
        job.c2 = (float) (1.0 - beta2);
        job.l2 = (float) l2;
        // θ·shrink - step = θ - (θ·d + step) with d = 1 - shrink = lr·λ taken in double: (float) shrink
        // would round a decay below 3e-8 to nothing (floats just under 1 are 6e-8 apart), and adding the
        // two small terms before the one subtraction keeps the decay's effect as the reference's single
        // rounding does
        job.decay = (float) (1.0 - shrink);
        job.stepSize = (float) (lr / bc1); // lr · m / bc1 folded into one factor
        job.invBc2 = (float) (1.0 / bc2);
        job.eps = (float) eps;
        int threads = Parallel.threads();
        if (threads > 1 && n >= ADAM_PARALLEL_MIN) {
            // one chunk per thread (whole vectors): elementwise, so any partition gives the same bits
            job.chunk = ((n + threads - 1) / threads + FL - 1) / FL * FL;
            Parallel.run((n + job.chunk - 1) / job.chunk, job);
        } else {
            job.run(0, n);
        }
        job.theta = job.grad = job.m = job.v = null;
    }

    /** A compile root (see {@link #ROOTS}): the Adam loop inlined one level below it. */
    private static void adamLoop(AdamJob job, int from, int to) {
        job.update(from, to);
    }

    private static final ThreadLocal<AdamJob> ADAM_JOBS = ThreadLocal.withInitial(AdamJob::new);

    /** The fused Adam update over index ranges; reused per thread, so a step allocates nothing. */
    static final class AdamJob implements Parallel.Job {
        float[] theta, grad, m, v;
        int n;
        float b1, b2, c1, c2, l2, decay, stepSize, invBc2, eps;

        /** Elements per task, a multiple of the vector length. */
        int chunk;

        @Override
        public void run(int task) {
            int from = task * chunk;
            run(from, Math.min(n, from + chunk));
        }

        /** Elements {@code [from, to)}, through the compile root {@link #adamLoop}. */
        void run(int from, int to) {
            try {
                ROOTS[ROOT_ADAM_F].invokeExact(this, from, to);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /**
         * Elements {@code [from, to)}. The whole loop lives in this one method, so no vector crosses a
         * call boundary (through an un-inlined call C2 would box them).
         */
        void update(int from, int to) {
            int i = from;
            for (; i + FL <= to; i += FL) {
                FloatVector th = FloatVector.fromArray(FS, theta, i);
                FloatVector g = FloatVector.fromArray(FS, grad, i).add(th.mul(l2));              // g = grad + l2·θ
                FloatVector mi = FloatVector.fromArray(FS, m, i).mul(b1).add(g.mul(c1));         // m = β1 m + (1-β1) g
                FloatVector vi = FloatVector.fromArray(FS, v, i).mul(b2).add(g.mul(g).mul(c2));  // v = β2 v + (1-β2) g²
                FloatVector denom = vi.mul(invBc2).sqrt().add(eps);                               // sqrt(v / bc2) + eps
                th.sub(th.mul(decay).add(mi.mul(stepSize).div(denom))).intoArray(theta, i);        // θ = θ - (dθ + lr m̂ / denom)
                mi.intoArray(m, i);
                vi.intoArray(v, i);
            }
            // Tail: the same float operations in the same order (add, mul, div and sqrt are correctly
            // rounded in both forms), so an element's result does not depend on its position.
            for (; i < to; i++) {
                float g = grad[i] + theta[i] * l2;
                float mi = m[i] * b1 + g * c1;
                float vi = v[i] * b2 + g * g * c2;
                float denom = (float) Math.sqrt(vi * invBc2) + eps;
                theta[i] = theta[i] - (theta[i] * decay + mi * stepSize / denom);
                m[i] = mi;
                v[i] = vi;
            }
        }
    }

    /** Float64 Adam runs the reference loop: it serves verification, where speed does not matter. */
    @Override
    public void adamUpdate(double[] theta, double[] grad, double[] m, double[] v, int n, double beta1, double beta2,
                           double lr, double eps, double bc1, double bc2, double l2, double shrink) {
        REFERENCE.adamUpdate(theta, grad, m, v, n, beta1, beta2, lr, eps, bc1, bc2, l2, shrink);
    }

    private static final ScalarKernels REFERENCE = new ScalarKernels();

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean accumulate, float[] c, int cOff, int ldc) {
        GemmFloat.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     boolean accumulate, double[] c, int cOff, int ldc) {
        GemmDouble.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    }

    // ---- argument checks -----------------------------------------------------------------------

    static void checkRange(float[] x, int off, int n) {
        if (n < 0 || off < 0 || off > x.length - n) {
            throw new IndexOutOfBoundsException("range [" + off + ", " + off + "+" + n + ") of an array of " + x.length);
        }
    }

    static void checkRange(double[] x, int off, int n) {
        if (n < 0 || off < 0 || off > x.length - n) {
            throw new IndexOutOfBoundsException("range [" + off + ", " + off + "+" + n + ") of an array of " + x.length);
        }
    }

    private static void checkMatrix(float[] x, int off, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative size " + rows + "x" + cols);
        }
        checkRange(x, off, Math.multiplyExact(rows, cols));
    }

    private static void checkMatrix(double[] x, int off, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative size " + rows + "x" + cols);
        }
        checkRange(x, off, Math.multiplyExact(rows, cols));
    }

    /**
     * A reusable description of one large elementwise call, split into tasks of
     * {@value #TASK_ELEMENTS} elements (sums: of whole {@value #SUM_BLOCK} blocks). One per calling
     * thread, so a call allocates nothing.
     */
    static final class ElementwiseJob implements Parallel.Job {
        static final int ARRAYS = 0;
        static final int SCALAR_RIGHT = 1;
        static final int SCALAR_LEFT = 2;
        private static final int MAP_F = 0;
        private static final int MAP_D = 1;
        private static final int ZIP_F = 2;
        private static final int ZIP_D = 3;
        private static final int SUM_F = 4;
        private static final int SUM_D = 5;
        private static final int LSE_F = 6;
        private static final int BERNOULLI_F = 7;
        private static final int BERNOULLI_SCORE_F = 8;
        private static final int SUM_ROWS_F = 9;
        private static final int REPEAT_ROW = 10;

        private int kind;
        private UnaryOp unary;
        private BinaryOp binary;
        private int form;
        private float[] fa;
        private float[] fb;
        private float[] fy;
        /** The upstream gradient rows of BERNOULLI_SCORE_F, from {@code so}. */
        private float[] fs0;
        private int so;
        /** The rows of {@code fb} that repeat down the rows of a Bernoulli job. */
        private int period;
        /** SUM_ROWS_F: the row stride of {@code fb}, its column groups, and the tasks they are dealt to. */
        private int rowStride;
        private int groups;
        private int parts;
        /** REPEAT_ROW: the row and the rows, both {@code float[]} or both {@code double[]}. */
        private Object src;
        private Object dst;
        private double[] da;
        private double[] db;
        private double[] dy;
        private float fs;
        private double ds;
        private int ao;
        private int bo;
        private int yo;
        private int n;
        private int cols;
        private double[] partial = new double[0];

        private int tasks(int elements) {
            return (elements + TASK_ELEMENTS - 1) / TASK_ELEMENTS;
        }

        void mapF(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
            kind = MAP_F;
            unary = op;
            fa = x;
            ao = xo;
            fy = y;
            this.yo = yo;
            this.n = n;
            runAndClear(tasks(n));
        }

        void mapD(UnaryOp op, double[] x, int xo, double[] y, int yo, int n) {
            kind = MAP_D;
            unary = op;
            da = x;
            ao = xo;
            dy = y;
            this.yo = yo;
            this.n = n;
            runAndClear(tasks(n));
        }

        void zipF(BinaryOp op, float[] a, int ao, float[] b, int bo, float s, int form, float[] y, int yo, int n) {
            kind = ZIP_F;
            binary = op;
            fa = a;
            fb = b;
            fy = y;
            fs = s;
            this.form = form;
            this.ao = ao;
            this.bo = bo;
            this.yo = yo;
            this.n = n;
            runAndClear(tasks(n));
        }

        void zipD(BinaryOp op, double[] a, int ao, double[] b, int bo, double s, int form, double[] y, int yo, int n) {
            kind = ZIP_D;
            binary = op;
            da = a;
            db = b;
            dy = y;
            ds = s;
            this.form = form;
            this.ao = ao;
            this.bo = bo;
            this.yo = yo;
            this.n = n;
            runAndClear(tasks(n));
        }

        double sumF(float[] x, int off, int n, int blocks) {
            kind = SUM_F;
            fa = x;
            ao = off;
            this.n = n;
            return sumOfPartials(blocks);
        }

        double sumD(double[] x, int off, int n, int blocks) {
            kind = SUM_D;
            da = x;
            ao = off;
            this.n = n;
            return sumOfPartials(blocks);
        }

        /** The Bernoulli log-likelihood rows ({@code score} false) or its gradient rows, split by rows. */
        void bernoulliRows(boolean score, float[] d, int dOff, float[] l, int lOff, float[] x, int xOff, int xRows,
                           int rows, int cols, float[] out, int outOff) {
            period = xRows;
            kind = score ? BERNOULLI_SCORE_F : BERNOULLI_F;
            fs0 = d;
            so = dOff;
            fa = l;
            ao = lOff;
            fb = x;
            bo = xOff;
            fy = out;
            yo = outOff;
            runByRows(rows, cols);
        }

        /** {@link #sumRowsInto}'s columns in tasks of whole groups, about {@value #TASK_ELEMENTS} elements each. */
        void sumRowsF(float[] y, int yOff, float[] b, int bOff, int bRow, int rows, int cols, int groups) {
            kind = SUM_ROWS_F;
            fy = y;
            yo = yOff;
            fb = b;
            bo = bOff;
            rowStride = bRow;
            n = rows;
            this.cols = cols;
            this.groups = groups;
            parts = (int) Math.min(groups, ((long) rows * cols + TASK_ELEMENTS - 1) / TASK_ELEMENTS);
            runAndClear(parts);
        }

        /** {@link #repeatRow} in tasks of whole rows. */
        void repeatRow(Object row, int rowOff, int n, Object y, int yOff, int rows) {
            kind = REPEAT_ROW;
            src = row;
            ao = rowOff;
            dst = y;
            yo = yOff;
            runByRows(rows, n);
        }

        void logSumExpF(float[] x, int off, int rows, int cols, float[] out, int outOff) {
            kind = LSE_F;
            fa = x;
            ao = off;
            fy = out;
            yo = outOff;
            runByRows(rows, cols);
        }

        /** Runs a row-wise job of {@code rows} rows of {@code cols}, in tasks of whole rows. */
        private void runByRows(int rows, int cols) {
            this.n = rows;
            this.cols = cols;
            runAndClear((rows + rowsPerTask() - 1) / rowsPerTask());
        }

        /** Rows per task of a row-wise job: about {@value #TASK_ELEMENTS} elements. */
        private int rowsPerTask() {
            return Math.max(1, TASK_ELEMENTS / Math.max(1, cols));
        }

        private double sumOfPartials(int blocks) {
            if (partial.length < blocks) {
                partial = new double[blocks];
            }
            runAndClear((blocks * SUM_BLOCK + TASK_ELEMENTS - 1) / TASK_ELEMENTS);
            double s = 0;
            for (int b = 0; b < blocks; b++) {
                s += partial[b]; // block sums in index order: independent of the thread count
            }
            return s;
        }

        private void runAndClear(int tasks) {
            try {
                Parallel.run(tasks, this);
            } finally {
                fa = fb = fy = fs0 = null;
                da = db = dy = null;
                src = dst = null;
            }
        }

        @Override
        public void run(int task) {
            int start = task * TASK_ELEMENTS;
            int len = Math.min(TASK_ELEMENTS, n - start);
            switch (kind) {
                case MAP_F -> VectorKernels.mapF(unary, fa, ao + start, fy, yo + start, len);
                case MAP_D -> VectorKernels.mapD(unary, da, ao + start, dy, yo + start, len);
                case ZIP_F -> VectorKernels.zipF(binary, fa, ao + start, fb, bo + start, fs, form, fy, yo + start, len);
                case ZIP_D -> VectorKernels.zipD(binary, da, ao + start, db, bo + start, ds, form, dy, yo + start, len);
                case SUM_F, SUM_D -> {
                    for (int b = start / SUM_BLOCK; b * SUM_BLOCK < Math.min(n, start + TASK_ELEMENTS); b++) {
                        int s0 = b * SUM_BLOCK;
                        int l = Math.min(SUM_BLOCK, n - s0);
                        partial[b] = kind == SUM_F ? blockSum(fa, ao + s0, l) : blockSum(da, ao + s0, l);
                    }
                }
                case LSE_F -> {
                    int r0 = task * rowsPerTask();
                    logSumExpRowsF(fa, ao, r0, Math.min(n, r0 + rowsPerTask()), cols, fy, yo);
                }
                case BERNOULLI_F, BERNOULLI_SCORE_F -> {
                    int r0 = task * rowsPerTask();
                    int r1 = Math.min(n, r0 + rowsPerTask());
                    if (kind == BERNOULLI_F) {
                        bernoulliLogProbRowsF(fa, ao, fb, bo, period, r0, r1, cols, fy, yo);
                    } else {
                        bernoulliScoreRowsF(fs0, so, fa, ao, fb, bo, period, r0, r1, cols, fy, yo);
                    }
                }
                case REPEAT_ROW -> {
                    int r0 = task * rowsPerTask();
                    int r1 = Math.min(n, r0 + rowsPerTask());
                    repeatRows(src, ao, cols, dst, yo, r0, r1);
                }
                case SUM_ROWS_F -> {
                    // task t of T takes the column groups [t·G/T, (t+1)·G/T); the last one ends at cols
                    int j0 = groups * task / parts * SUM_ROWS_GROUP;
                    int j1 = Math.min(cols, groups * (task + 1) / parts * SUM_ROWS_GROUP);
                    sumRowsColumnsRoot(fy, yo, fb, bo, rowStride, n, j0, j1);
                }
                default -> throw new AssertionError(kind);
            }
        }
    }
}
