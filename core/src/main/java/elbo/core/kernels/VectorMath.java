package elbo.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 transcendental functions on whole vectors, branch-free, after the Cephes single-precision
 * library (exp's polynomial refitted a degree lower: see {@code EXP_P0}). Each is within a few ulp of
 * the correctly rounded value over its whole domain, with the special values ({@code ±inf}, NaN, 0) of
 * {@link UnaryOp}; {@link VectorKernels} documents the tested tolerance. The Vector API's own lanewise
 * {@code EXP}/{@code LOG}/{@code TANH} are not used: they go through a call per vector (SVML stubs) or
 * a scalar fallback, which is several times slower than these polynomials inlined into the loop.
 *
 * <p><b>Written for C2.</b> Two rules, each worth a factor of 1.3-1.5 here:
 * <ul>
 *   <li>No {@code max}/{@code min}: Java's order -0.0 below +0.0 and their NaN rule cost six AVX-512
 *       instructions each; a compare and a blend cost two. (Integer {@code min}/{@code max} are one
 *       instruction: {@link #expNegAbs} guards its exponent with them.)
 *   <li>No division where a few fused multiply-adds will do: a 512-bit divide occupies its port for
 *       as long as a whole polynomial. (Not fewer than seven: sigmoid's and tanh's one divide each beat
 *       a linear guess and three Newton steps, by 14-22% as measured.)
 * </ul>
 * And the loops that call these functions are compiled on their own (see {@link VectorKernels}): C2
 * stops inlining once a compilation has parsed about 18,000 nodes (each vector operation parses to
 * several hundred), and a function cut off there takes and returns its vectors boxed on the heap.
 */
final class VectorMath {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = FS.vectorShape().withLanes(int.class);

    private static final float ZERO = 0f;
    private static final float ONE = 1f;
    private static final float TWO = 2f;
    private static final float MINUS_HALF = -0.5f;
    private static final float MINUS_TWO = -2f;
    private static final float POS_INF = Float.POSITIVE_INFINITY;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;
    private static final float NAN = Float.NaN;

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: {@code n·LN2_HI} is exact for the {@code n} of float exp and log. */
    private static final float MINUS_LN2_HI = -0.693359375f;
    private static final float MINUS_LN2_LO = 2.12194440e-4f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    private static final int EXPONENT_BIAS = 127;
    /** Below this, exp(x) is subnormal or zero (< 2^-126): flushed to 0. */
    private static final float EXP_MIN = -87.33654f;
    /** Above this, exp(x) overflows to +inf. */
    private static final float EXP_MAX = 88.72284f;
    private static final float FLT_MIN = 1.17549435e-38f;
    private static final float TWO_POW_25 = 33554432f;
    private static final int SIGN_BIT = 0x80000000;
    /** The bits of {@code -100f}: {@link #expNegAbs} clamps its argument there (e^-100 is 0 in float). */
    private static final int MINUS_HUNDRED_BITS = Float.floatToRawIntBits(-100f);

    // e^r = 1 + r + r^2 P(r) on |r| <= ln2/2: P of degree 4, the minimax fit of the relative error of e^r
    // (bench/reference/fit_polynomials.py: 3.8e-9 in exact arithmetic, a sixteenth of an ulp; Cephes'
    // expf spends a fifth degree on 1e-9, below what float32 evaluation keeps anyway)
    private static final float EXP_P0 = 1.3814613e-03f;
    private static final float EXP_P1 = 8.36871e-03f;
    private static final float EXP_P2 = 4.166839e-02f;
    private static final float EXP_P3 = 1.6666521e-01f;
    private static final float EXP_P4 = 4.9999994e-01f;

    // log(1+f) = f - f^2/2 + f^3 P(f) on [sqrt(1/2)-1, sqrt(2)-1] (Cephes logf)
    private static final float LOG_P0 = 7.0376836292E-2f;
    private static final float LOG_P1 = -1.1514610310E-1f;
    private static final float LOG_P2 = 1.1676998740E-1f;
    private static final float LOG_P3 = -1.2420140846E-1f;
    private static final float LOG_P4 = 1.4249322787E-1f;
    private static final float LOG_P5 = -1.6668057665E-1f;
    private static final float LOG_P6 = 2.0000714765E-1f;
    private static final float LOG_P7 = -2.4999993993E-1f;
    private static final float LOG_P8 = 3.3333331174E-1f;

    /** The bits of {@code sqrt(1/2)}, rounded: the mantissa range {@code [sqrt(1/2), sqrt(2))}. */
    private static final int SQRT_HALF_BITS = 0x3f3504f3;

    // log1p(t) = t + t^2 Q(t) on [0, 1]: Q is the degree-9 Chebyshev interpolant of (log1p(t)/t - 1)/t,
    // computed with NumPy for this library (relative error 1.4e-8 in exact arithmetic, 1.4e-7 evaluated
    // in float32 with fma)
    private static final float LOG1P_Q0 = -4.999989271e-01f;
    private static final float LOG1P_Q1 = 3.332971036e-01f;
    private static final float LOG1P_Q2 = -2.495161593e-01f;
    private static final float LOG1P_Q3 = 1.966327429e-01f;
    private static final float LOG1P_Q4 = -1.526966691e-01f;
    private static final float LOG1P_Q5 = 1.054362357e-01f;
    private static final float LOG1P_Q6 = -5.637361109e-02f;
    private static final float LOG1P_Q7 = 1.954252645e-02f;
    private static final float LOG1P_Q8 = -3.176057013e-03f;

    private VectorMath() {
    }

    /**
     * {@code exp(x)}: {@code x = n·ln2 + r}, {@code |r| <= ln2/2}, {@code e^r} by a degree-6
     * polynomial, then scaled by {@code 2^n = 2·2^(n-1)}, {@code 2^(n-1)} built in the exponent bits:
     * {@code n} runs over 255 values from -126 to 128, one more than the normal exponents, so one
     * scale alone cannot hold them all. (Two halves {@code 2^h·2^(n-h)} cost five integer instructions
     * more per vector, 1.2x the time at 256 bits.) Results below {@code 2^-125.5} ({@code x} below
     * about -87) flush to 0, an absolute error below 1.7e-38; {@code x} outside [EXP_MIN, EXP_MAX]
     * (where the scale's bits are garbage) is replaced by 0 or +inf at the end; NaN propagates
     * through the arithmetic.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_MIN);
        VectorMask<Float> over = x.compare(VectorOperators.GT, EXP_MAX);
        // n = round(x / ln 2), exactly, via the magic-number trick
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = minusNLn2(x, n);
        // 2^(n-1): biased exponent n - 1 + 127 straight from the bits of t; 0 for n = -126
        FloatVector half = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - EXPONENT_BIAS + 1)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = half.fma(expPoly(r), half).mul(TWO); // 2·(2^(n-1) + 2^(n-1)(e^r - 1))
        return y.blend(ZERO, under).blend(POS_INF, over);
    }

    /**
     * {@code r = a - n·ln2} for the integer-valued {@code n = round(a/ln2)}, in two steps so that {@code r}
     * is exact ({@code n·LN2_HI} has no rounding error).
     */
    private static FloatVector minusNLn2(FloatVector a, FloatVector n) {
        FloatVector r = n.fma(FloatVector.broadcast(FS, MINUS_LN2_HI), a);
        return n.fma(FloatVector.broadcast(FS, MINUS_LN2_LO), r);
    }

    /** {@code e^r - 1 = r + r^2 P(r)} for {@code |r| <= ln2/2}. */
    private static FloatVector expPoly(FloatVector r) {
        FloatVector p = r.fma(EXP_P0, EXP_P1);
        p = p.fma(r, FloatVector.broadcast(FS, EXP_P2));
        p = p.fma(r, FloatVector.broadcast(FS, EXP_P3));
        p = p.fma(r, FloatVector.broadcast(FS, EXP_P4));
        return p.fma(r.mul(r), r);
    }

    /**
     * {@code expm1(a) = e^a - 1} for {@code a <= 0}: with {@code a = n·ln2 + r} as in {@link #exp},
     * {@code e^r - 1} keeps full relative accuracy for small {@code a}, and {@code expm1(a) = 2^n (e^r -
     * 1) + (2^n - 1)}. Below {@code EXP_MIN} the argument is clamped: the result is then {@code -1} in
     * float.
     */
    private static FloatVector expm1NonPositive(FloatVector a) {
        FloatVector ac = a.blend(EXP_MIN, a.compare(VectorOperators.LT, EXP_MIN));
        FloatVector t = ac.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = minusNLn2(ac, n);
        // 2^n, n in [-126, 0]: one scale suffices, its biased exponent n + 127 straight from the bits of t
        FloatVector s = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - EXPONENT_BIAS)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return s.fma(expPoly(r), s.sub(ONE));
    }

    /**
     * {@code log(x)} for every float: {@code log(0) = -inf}, {@code log(x<0) = NaN}, {@code log(+inf) =
     * +inf}; subnormals are scaled by {@code 2^25} first and the exponent corrected in the integer bits.
     * A vector whose lanes are all positive, normal and finite (the usual case) skips those fix-ups
     * (one test instead of five compares and four blends: 16.8 to 22 GB/s on one core).
     */
    static FloatVector log(FloatVector x) {
        if (x.compare(VectorOperators.GE, FLT_MIN).and(x.compare(VectorOperators.LT, POS_INF)).allTrue()) {
            return logOfBits(x.reinterpretAsInts());
        }
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, FLT_MIN);
        IntVector scaled = x.mul(TWO_POW_25).reinterpretAsInts().sub(25 << 23); // x·2^25, exponent less 25
        FloatVector r = logOfBits(x.reinterpretAsInts().blend(scaled, tiny.cast(IS)));
        r = r.blend(NEG_INF, x.compare(VectorOperators.EQ, ZERO));
        r = r.blend(NAN, x.compare(VectorOperators.LT, ZERO).or(x.test(VectorOperators.IS_NAN)));
        return r.blend(x, x.compare(VectorOperators.EQ, POS_INF));
    }

    /**
     * {@code log} of the positive float whose bits are {@code bits} (the exponent field may have been
     * lowered below 1 for a scaled subnormal). Write the value as {@code m·2^k} with {@code m} in
     * {@code [sqrt(1/2), sqrt(2))} by integer arithmetic on the bits: subtracting the bits of {@code
     * sqrt(1/2)} leaves {@code k} in the exponent field and {@code m}'s offset in the mantissa field.
     * Then {@code f = m - 1} is exact and {@code log(1+f) = f - f^2/2 + f^3 P(f)}, with {@code k·ln 2}
     * added in two parts.
     */
    private static FloatVector logOfBits(IntVector bits) {
        IntVector shifted = bits.sub(SQRT_HALF_BITS);
        FloatVector k = (FloatVector) shifted.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0);
        FloatVector m = shifted.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats();
        FloatVector f = m.sub(ONE);
        FloatVector z = f.mul(f);
        FloatVector p = f.fma(LOG_P0, LOG_P1);
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P2));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P3));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P4));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P5));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P6));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P7));
        p = p.fma(f, FloatVector.broadcast(FS, LOG_P8));
        FloatVector y = p.mul(f).mul(z);
        y = k.fma(FloatVector.broadcast(FS, LN2_LO), y);
        y = z.fma(FloatVector.broadcast(FS, MINUS_HALF), y);
        return k.fma(FloatVector.broadcast(FS, LN2_HI), f.add(y));
    }

    /**
     * {@code log1p(t)} for {@code t} in {@code [0, 1]} (softplus feeds it {@code e^-|x|}): {@code t +
     * t^2 Q(t)}, one polynomial with no range reduction and no division, accurate for tiny {@code t}
     * too. NaN propagates.
     */
    static FloatVector log1pUnit(FloatVector t) {
        FloatVector q = t.fma(LOG1P_Q8, LOG1P_Q7);
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q6));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q5));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q4));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q3));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q2));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q1));
        q = q.fma(t, FloatVector.broadcast(FS, LOG1P_Q0));
        return t.mul(q).fma(t, t);
    }

    /**
     * {@code tanh(x) = sign(x)·(-e)/(e + 2)} with {@code e = expm1(-2|x|)} in {@code [-1, 0]}: no
     * cancellation for small {@code |x|} (then {@code e ~ -2|x|}, accurately), and for large {@code |x|}
     * the clamped {@code e} is {@code -1} in float, so the result saturates to {@code ±1} without a
     * special case. NaN propagates.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector e = expm1NonPositive(x.abs().mul(MINUS_TWO));
        FloatVector ratio = e.div(e.add(TWO)).abs();
        // the sign of x onto |ratio|
        return ratio.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
    }

    /**
     * {@code e^-|x|}, in {@code [0, 1]}: {@link #exp} of {@code a = -|x|} with both of its guards done in
     * integer arithmetic, one instruction each. {@code a} is clamped at {@code -100} by its bits (for a
     * non-positive float, a larger magnitude is a larger signed integer, so a signed {@code min}
     * clamps it), and the scale {@code 2^n} is built from {@code max(n + 127, 0)}, which is the float
     * 0 for {@code n <= -127}: results below about {@code 2^-126.5} flush to 0 without a compare or a
     * blend (the few above that but below {@code 2^-126} come out subnormal, as they should). The clamp
     * takes NaN to -100 too, so {@code e^-|NaN|} is 0: callers propagate NaN from {@code x} themselves.
     */
    static FloatVector expNegAbs(FloatVector x) {
        FloatVector a = x.reinterpretAsInts().or(SIGN_BIT).min(MINUS_HUNDRED_BITS).reinterpretAsFloats();
        FloatVector t = a.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = minusNLn2(a, n);
        // n + 127 straight from the bits of t (one subtraction), 0 once 2^n would be subnormal
        FloatVector s = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - EXPONENT_BIAS).max(0)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return s.fma(expPoly(r), s); // 2^n e^r = 2^n + 2^n (e^r - 1)
    }

    /** {@code sigmoid(x) = 1/(1+e^{-|x|})} for {@code x >= 0}, {@code e^{-|x|}/(1+e^{-|x|})} below; NaN stays NaN. */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = expNegAbs(x);
        FloatVector r = FloatVector.broadcast(FS, ONE).div(e.add(ONE));
        return e.mul(r).blend(r, x.compare(VectorOperators.GE, ZERO)).blend(x, x.test(VectorOperators.IS_NAN));
    }
}
