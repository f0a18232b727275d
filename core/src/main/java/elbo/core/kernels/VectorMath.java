package elbo.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 transcendental functions on whole vectors, branch-free, after the Cephes single-precision
 * library. Each is within a few ulp of the correctly rounded value over its whole domain, with the
 * special values ({@code ±inf}, NaN, 0) of {@link UnaryOp}; {@link VectorKernels} documents the
 * tested tolerance. The Vector API's own lanewise {@code EXP}/{@code LOG}/{@code TANH} are not used:
 * they go through a call per vector (SVML stubs) or a scalar fallback, which is several times slower
 * than these polynomials inlined into the loop.
 */
final class VectorMath {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = FS.vectorShape().withLanes(int.class);

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    /** Below this, exp(x) is subnormal or zero (< 2^-126): flushed to 0. */
    private static final float EXP_MIN = -87.33654f;
    /** Above this, exp(x) overflows to +inf. */
    private static final float EXP_MAX = 88.72284f;
    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float FLT_MIN = 1.17549435e-38f;

    private VectorMath() {
    }

    /** {@code a·b + c}, one rounding. */
    private static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return a.fma(b, FloatVector.broadcast(FS, c));
    }

    /** {@code a·b + c}, one rounding. */
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(FloatVector.broadcast(FS, b), c);
    }

    /**
     * {@code exp(x)}: {@code x = n·ln2 + r}, {@code |r| <= ln2/2}, {@code e^r} by a degree-6
     * polynomial, then scaled by {@code 2^n} through the exponent bits. Results below {@code 2^-126}
     * flush to 0 (absolute error below 1.2e-38).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        // n = round(x / ln 2), exactly, via the magic-number trick
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        // r = x - n ln2, in two steps so that r is exact
        FloatVector r = fma(n, -LN2_HI, xc);
        r = fma(n, -LN2_LO, r);
        FloatVector r2 = r.mul(r);
        // e^r = 1 + r + r^2 P(r)
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = fma(p, r, 8.3334519073E-3f);
        p = fma(p, r, 4.1665795894E-2f);
        p = fma(p, r, 1.6666665459E-1f);
        p = fma(p, r, 5.0000001201E-1f);
        p = p.fma(r2, r).add(1f);
        // 2^n in two halves, so that n = 128 (x near EXP_MAX) does not overflow the exponent field
        IntVector h = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(s1).mul(s2);
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * {@code log(x)}: {@code x = m·2^e} with {@code m} in {@code [sqrt(1/2), sqrt(2))}, {@code
     * log(m)} by a degree-9 polynomial in {@code m-1}. {@code log(0) = -inf}, {@code log(x<0) = NaN},
     * {@code log(+inf) = +inf}; subnormals are scaled into range first.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, FLT_MIN);
        FloatVector xs = x.blend(x.mul(33554432f), tiny); // * 2^25
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126);
        // m in [0.5, 1)
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats();
        VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
        // the exponent as a float, less 25 for a pre-scaled subnormal and 1 when m is doubled below
        FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0))
                .sub(FloatVector.zero(FS).blend(25f, tiny))
                .sub(FloatVector.zero(FS).blend(1f, low));
        FloatVector f = m.add(FloatVector.zero(FS).blend(m, low)).sub(1f); // 2m-1 below sqrt(1/2), else m-1
        FloatVector z = f.mul(f);
        FloatVector y = logPoly(f).mul(f).mul(z);
        y = fma(ef, LN2_LO, y);
        y = fma(z, -0.5f, y);
        FloatVector r = f.add(y);
        r = fma(ef, LN2_HI, r);
        r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
        return r.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    /**
     * The Cephes minimax polynomial {@code P(f)} with {@code log(1+f) ~ f - f^2/2 + f^3 P(f)} on
     * {@code [sqrt(1/2)-1, sqrt(2)-1]}; a method of its own so that {@link #log} stays under C2's
     * inlining size (a vector method that is not inlined boxes its vectors).
     */
    private static FloatVector logPoly(FloatVector f) {
        FloatVector p = f.fma(7.0376836292E-2f, -1.1514610310E-1f);
        p = fma(p, f, 1.1676998740E-1f);
        p = fma(p, f, -1.2420140846E-1f);
        p = fma(p, f, 1.4249322787E-1f);
        p = fma(p, f, -1.6668057665E-1f);
        p = fma(p, f, 2.0000714765E-1f);
        p = fma(p, f, -2.4999993993E-1f);
        p = fma(p, f, 3.3333331174E-1f);
        return p;
    }


    /**
     * {@code tanh(x)}: for {@code |x| < 0.625} the odd polynomial {@code x + x^3 P(x^2)}, otherwise
     * {@code sign(x)·(1 - 2/(e^{2|x|} + 1))}, which saturates to ±1.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745E-3f, 2.06390887954E-2f);
        p = fma(p, z, -5.37397155531E-2f);
        p = fma(p, z, 1.33314422036E-1f);
        p = fma(p, z, -3.33332819422E-1f);
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector big = exp(ax.add(ax)).add(1f);
        big = FloatVector.broadcast(FS, 1f).sub(FloatVector.broadcast(FS, 2f).div(big));
        // copy the sign of x onto 1 - 2/(e^{2|x|}+1)
        FloatVector signed = big.reinterpretAsInts()
                .or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
        return signed.blend(small, ax.compare(VectorOperators.LT, 0.625f));
    }

    /** {@code sigmoid(x) = 1/(1+e^{-|x|})} for {@code x >= 0}, {@code e^{-|x|}/(1+e^{-|x|})} below. */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector r = FloatVector.broadcast(FS, 1f).div(e.add(1f));
        return e.mul(r).blend(r, x.compare(VectorOperators.GE, 0f));
    }
}
