package elbo.core;

/**
 * A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). There is no global
 * generator: every sampling call takes one explicitly, so a run is reproduced by its seed, and
 * {@link #state()} / {@link #fromState(long[])} capture and restore it exactly (checkpoints).
 *
 * <p>Not thread-safe; use {@link #split()} to hand independent streams to other threads.
 */
public final class Rng {
    private long s0, s1, s2, s3;

    /** A generator whose whole stream is determined by {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private Rng(long[] state) {
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The four state words; {@link #fromState} continues the stream exactly from here. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3};
    }

    /**
     * A generator continuing from a captured state.
     *
     * @throws IllegalArgumentException if the state is not four words or is all zero
     */
    public static Rng fromState(long[] state) {
        if (state.length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0) {
            throw new IllegalArgumentException("Rng.fromState: need 4 state words, not all zero");
        }
        return new Rng(state);
    }

    /** A new generator seeded from this one: an independent stream for another consumer. */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in (0, 1): never 0, so {@code log(u)} is finite. */
    public double nextOpenDouble() {
        return ((nextLong() >>> 12) + 0.5) * 0x1.0p-52;
    }

    /**
     * Uniform integer in [0, bound), without modulo bias.
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        }
        long r = nextLong() >>> 33; // 31 bits
        long m = r * bound;
        long l = m & 0x7FFFFFFFL;
        if (l < bound) {
            long threshold = (0x80000000L - bound) % bound;
            while (l < threshold) {
                r = nextLong() >>> 33;
                m = r * bound;
                l = m & 0x7FFFFFFFL;
            }
        }
        return (int) (m >>> 31);
    }

    /** A standard normal draw (Box–Muller; two uniforms per draw, so the state stays four words). */
    public double nextGaussian() {
        double u1 = nextOpenDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Uniform [0, 1) samples. */
    public Tensor uniform(DType dtype, int... shape) {
        return uniform(dtype, Shape.of(shape), 0.0, 1.0);
    }

    /**
     * Uniform samples in [lo, hi). The bound stays exclusive after rounding to the dtype: a draw that
     * would round up to {@code hi} (in float32, any {@code u > 1 - 2^-25}) becomes the largest value below it.
     *
     * @throws IllegalArgumentException if {@code lo >= hi} or either is not finite
     */
    public Tensor uniform(DType dtype, Shape shape, double lo, double hi) {
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("uniform: need finite lo < hi, got [" + lo + ", " + hi + ")");
        }
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, lo + (hi - lo) * nextDouble());
            if (t.getFlat(i) >= hi) {
                t.setFlat(i, below(hi, dtype));
            }
        }
        return t;
    }

    /** The largest value of {@code dtype} below {@code hi}. */
    private static double below(double hi, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return Math.nextDown(hi);
        }
        float f = (float) hi;
        return f < hi ? f : Math.nextDown(f);
    }

    /** Standard normal samples. */
    public Tensor normal(DType dtype, int... shape) {
        return normal(dtype, Shape.of(shape));
    }

    /**
     * Standard normal samples, drawn in pairs by Marsaglia's polar method: for {@code (u, v)} uniform in
     * the unit disc minus the origin, {@code s = u² + v²}, both {@code u·√(−2 ln s / s)} and
     * {@code v·√(−2 ln s / s)} are independent standard normals. One log and one square root per pair,
     * where {@link #nextGaussian()} spends a log, a square root and a cosine per draw; the sampler of the
     * reparameterisation trick runs every training step, so this matters.
     */
    public Tensor normal(DType dtype, Shape shape) {
        Tensor t = Tensor.uninitialized(shape, dtype);
        int n = t.numel();
        float[] f = dtype == DType.FLOAT32 ? t.f32() : null;
        double[] d = dtype == DType.FLOAT64 ? t.f64() : null;
        for (int i = 0; i < n; i += 2) {
            double u, v, s;
            do {
                u = 2.0 * nextDouble() - 1.0;
                v = 2.0 * nextDouble() - 1.0;
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double scale = Math.sqrt(-2.0 * Math.log(s) / s);
            if (f != null) {
                f[i] = (float) (u * scale);
                if (i + 1 < n) {
                    f[i + 1] = (float) (v * scale);
                }
            } else {
                d[i] = u * scale;
                if (i + 1 < n) {
                    d[i + 1] = v * scale;
                }
            }
        }
        return t;
    }

    /**
     * Bernoulli samples: 1 with probability {@code probs[i]}, else 0; same shape and dtype.
     *
     * @throws IllegalArgumentException naming the first element outside [0, 1]
     */
    public Tensor bernoulli(Tensor probs) {
        Tensor t = Tensor.zerosLike(probs);
        for (int i = 0; i < t.numel(); i++) {
            double p = probs.getFlat(i);
            if (!(p >= 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException("bernoulli: probability " + p + " at flat index " + i
                        + " of shape " + probs.shape() + " is outside [0, 1]");
            }
            t.setFlat(i, nextDouble() < p ? 1.0 : 0.0);
        }
        return t;
    }
}
