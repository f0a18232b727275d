package elbo.models.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * "Nice" axis ticks (steps of 1, 2 or 5 times a power of ten) and their compact labels ({@code -95.3},
 * {@code 1.2K}, {@code 0.001}, {@code 1E-4}).
 */
public final class Ticks {
    private static final String[] SUFFIXES = {"", "K", "M", "G", "T"};
    /** Axis bounds are clamped to ±LIMIT so that ticks and spans stay finite. */
    private static final double LIMIT = 1e300;

    private Ticks() {
    }

    /**
     * Ticks that cover [lo, hi]: multiples of the smallest nice step for which at most {@code maxTicks} of them
     * (from the last multiple ≤ lo to the first ≥ hi) are needed; an axis then runs from the first tick to the
     * last. For example 0..97 gives 0, 20, 40, 60, 80, 100 with {@code maxTicks = 6}. The bounds may come in
     * either order; an empty range (lo = hi) is widened by 10% of |lo| (±1 around 0), bounds beyond ±10³⁰⁰ are
     * clamped there, and non-finite bounds give the ticks of 0..1.
     *
     * @param maxTicks at most this many ticks; values below 3 count as 3 (a range with 0 inside needs 3). At
     *                 least 2 ticks are always returned.
     */
    public static double[] nice(double lo, double hi, int maxTicks) {
        return nice(lo, hi, maxTicks, 0);
    }

    /** As {@link #nice(double, double, int)}, with steps of at least {@code minStep} (e.g. 1 for epochs). */
    public static double[] nice(double lo, double hi, int maxTicks, double minStep) {
        double[] r = range(lo, hi);
        int max = Math.max(3, maxTicks);
        Step s = Step.atLeast(Math.max((r[1] - r[0]) / (max - 1), minStep));
        while (true) {
            long k0 = (long) Math.floor(r[0] / s.value() + 1e-9);
            long k1 = (long) Math.ceil(r[1] / s.value() - 1e-9);
            if (k1 - k0 + 1 <= max) {
                return s.ticks(k0, Math.max(k1, k0 + 1));
            }
            s = s.next();
        }
    }

    /**
     * Ticks inside [lo, hi] (for an axis whose ends are fixed): multiples of the smallest nice step of which at
     * most {@code maxTicks} fall in the range. May return a single tick for a very short range.
     */
    public static double[] inside(double lo, double hi, int maxTicks) {
        double[] r = range(lo, hi);
        int max = Math.max(2, maxTicks);
        Step s = Step.atLeast((r[1] - r[0]) / (max + 1));
        while (true) {
            long k0 = (long) Math.ceil(r[0] / s.value() - 1e-9);
            long k1 = (long) Math.floor(r[1] / s.value() + 1e-9);
            if (k1 - k0 + 1 <= max) {
                return k1 >= k0 ? s.ticks(k0, k1) : new double[0];
            }
            s = s.next();
        }
    }

    /** The step between consecutive ticks (1 when fewer than two ticks are given). */
    public static double step(double[] ticks) {
        return ticks.length < 2 ? 1 : (ticks[ticks.length - 1] - ticks[0]) / (ticks.length - 1);
    }

    /**
     * A short label for {@code value}, a tick of an axis with the given {@code step}: as many decimals as the
     * step needs (trailing zeros dropped), thousands as K, M, G, T (e.g. {@code 1.2K}), and scientific notation
     * ({@code 2.5E-4}) for steps below 0.001 or values of 10¹⁵ or more. Values within a billionth of a step of
     * zero print as {@code 0}; NaN and infinities as {@code NAN}, {@code INF}, {@code -INF}.
     */
    public static String format(double value, double step) {
        return format(value, step, false);
    }

    /** As {@link #format(double, double)}; {@code compact} keeps plain decimals down to 0.001 whatever the step. */
    private static String format(double value, double step, boolean compact) {
        if (Double.isNaN(value)) {
            return "NAN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "INF" : "-INF";
        }
        double st = Math.abs(step);
        if (!(st > 0) || !Double.isFinite(st)) {
            st = Math.abs(value) > 0 ? Math.pow(10, Math.floor(Math.log10(Math.abs(value))) - 2) : 1;
        }
        if (Math.abs(value) < st * 1e-9 || value == 0) {
            return "0";
        }
        int e = (int) Math.floor(Math.log10(st) + 1e-9); // the step's decimal exponent
        double av = Math.abs(value);
        if ((compact ? av < 1e-3 : e < -3) || av >= 1e15) {
            int exp = (int) Math.floor(Math.log10(av));
            BigDecimal m = new BigDecimal(value).movePointLeft(exp)
                    .setScale(Math.min(6, Math.max(0, exp - e)), RoundingMode.HALF_EVEN);
            if (m.abs().compareTo(BigDecimal.TEN) >= 0) {
                exp++;
                m = m.movePointLeft(1);
            }
            return plain(m) + "E" + exp;
        }
        int group = av >= 1000 ? Math.min(SUFFIXES.length - 1, (int) Math.floor(Math.log10(av) / 3)) : 0;
        BigDecimal d = new BigDecimal(value).movePointLeft(3 * group)
                .setScale(Math.max(0, 3 * group - e), RoundingMode.HALF_EVEN);
        return plain(d) + SUFFIXES[group];
    }

    /**
     * A compact label with three significant digits (trailing zeros dropped) for a value on its own, e.g.
     * {@code -95.3}, {@code 1.23K}, {@code 0.0123}, and scientific notation below 0.001: {@code 1.23E-4}.
     */
    public static String compact(double value) {
        if (!Double.isFinite(value) || value == 0) {
            return format(value, 1);
        }
        return format(value, Math.pow(10, Math.floor(Math.log10(Math.abs(value))) - 2), true);
    }

    private static String plain(BigDecimal d) {
        String s = d.stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** Finite, ordered, non-empty bounds. */
    private static double[] range(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            return new double[] {0, 1};
        }
        double a = Math.max(-LIMIT, Math.min(LIMIT, Math.min(lo, hi)));
        double b = Math.max(-LIMIT, Math.min(LIMIT, Math.max(lo, hi)));
        if (b - a <= 1e-12 * Math.max(Math.abs(a), Math.abs(b))) {
            double d = a == 0 ? 1 : 0.1 * Math.abs(a);
            a -= d;
            b += d;
        }
        return new double[] {a, b};
    }

    /** A step of mantissa 1, 2 or 5 times 10^exponent. */
    private record Step(int mantissa, int exponent) {
        static Step atLeast(double raw) {
            if (!(raw > 0) || !Double.isFinite(raw)) {
                return new Step(1, 0);
            }
            int e = (int) Math.floor(Math.log10(raw));
            for (Step s = new Step(1, e - 1); ; s = s.next()) {
                if (s.value() >= raw * (1 - 1e-12)) {
                    return s;
                }
            }
        }

        Step next() {
            return switch (mantissa) {
                case 1 -> new Step(2, exponent);
                case 2 -> new Step(5, exponent);
                default -> new Step(1, exponent + 1);
            };
        }

        double value() {
            return at(1);
        }

        /** k · step, computed so that decimal steps come out as the nearest double (0.3, not 0.30000000000000004). */
        double at(long k) {
            return exponent >= 0 ? k * mantissa * Math.pow(10, exponent) : k * mantissa / Math.pow(10, -exponent);
        }

        double[] ticks(long k0, long k1) {
            double[] t = new double[(int) (k1 - k0 + 1)];
            for (int i = 0; i < t.length; i++) {
                t[i] = at(k0 + i);
            }
            return t;
        }
    }
}
