package elbo.nn;

import elbo.core.Rng;
import elbo.core.Tensor;

/**
 * Parameter initialisers. Each overwrites a tensor in place (no graph) and returns it.
 *
 * <p>Fans follow the PyTorch convention: a weight of shape {@code [out, in, ...]} has
 * {@code fanIn = in · receptive field} and {@code fanOut = out · receptive field}.
 */
public final class Init {
    private Init() {
    }

    /** Xavier/Glorot uniform: {@code U(-a, a)}, {@code a = gain · sqrt(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor w, double gain, Rng rng) {
        double a = gain * Math.sqrt(6.0 / (fanIn(w) + fanOut(w)));
        return uniform(w, -a, a, rng);
    }

    /** Xavier/Glorot normal: {@code N(0, σ²)}, {@code σ = gain · sqrt(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor w, double gain, Rng rng) {
        return normal(w, gain * Math.sqrt(2.0 / (fanIn(w) + fanOut(w))), rng);
    }

    /** Kaiming/He uniform for ReLU nets: {@code U(-b, b)}, {@code b = sqrt(6 / fanIn)}. */
    public static Tensor kaimingUniform(Tensor w, Rng rng) {
        double b = Math.sqrt(6.0 / fanIn(w));
        return uniform(w, -b, b, rng);
    }

    /** Kaiming/He normal: {@code N(0, 2 / fanIn)}. */
    public static Tensor kaimingNormal(Tensor w, Rng rng) {
        return normal(w, Math.sqrt(2.0 / fanIn(w)), rng);
    }

    /** {@code N(0, std²)} elementwise. */
    public static Tensor normal(Tensor w, double std, Rng rng) {
        for (int i = 0; i < w.numel(); i++) {
            w.setFlat(i, std * rng.nextGaussian());
        }
        return w;
    }

    /** {@code U(lo, hi)} elementwise. */
    public static Tensor uniform(Tensor w, double lo, double hi, Rng rng) {
        for (int i = 0; i < w.numel(); i++) {
            w.setFlat(i, lo + (hi - lo) * rng.nextDouble());
        }
        return w;
    }

    /** All zeros. */
    public static Tensor zeros(Tensor w) {
        return constant(w, 0.0);
    }

    /** Every element {@code value}: e.g. a decoder's output bias set to the logit of the mean pixel. */
    public static Tensor constant(Tensor w, double value) {
        for (int i = 0; i < w.numel(); i++) {
            w.setFlat(i, value);
        }
        return w;
    }

    /**
     * Elementwise copy of {@code values} (same shape), e.g. per-pixel {@code logit(mean)} as an output bias.
     *
     * @throws elbo.core.ShapeException if the shapes differ
     */
    public static Tensor copyOf(Tensor w, Tensor values) {
        w.copyFrom(values);
        return w;
    }

    /** {@code log(p / (1 - p))} with p clipped to [eps, 1-eps]: the bias that makes sigmoid output p. */
    public static double logit(double p, double eps) {
        double q = Math.min(Math.max(p, eps), 1 - eps);
        return Math.log(q / (1 - q));
    }

    static int fanIn(Tensor w) {
        return w.rank() < 2 ? w.numel() : w.dim(1) * receptiveField(w);
    }

    static int fanOut(Tensor w) {
        return w.rank() < 2 ? w.numel() : w.dim(0) * receptiveField(w);
    }

    private static int receptiveField(Tensor w) {
        return w.shape().sizeOf(2, w.rank());
    }
}
