package elbo.nn.optim;

import elbo.core.DType;
import elbo.core.Tensor;

/**
 * Gradient clipping by global norm (Pascanu et al., 2013), as PyTorch's {@code clip_grad_norm_}.
 *
 * <p>With {@code g} the concatenation of every non-null gradient and
 * {@code ‖g‖ = sqrt(Σ_i g_i²)} (accumulated in double precision):
 * <pre>
 *   if ‖g‖ &gt; maxNorm:   g ← g · (maxNorm / ‖g‖)
 * </pre>
 * so the clipped gradient has norm {@code maxNorm} (up to rounding) and the same direction; smaller
 * gradients are left untouched. If {@code ‖g‖} is NaN or infinite the gradients are left untouched too
 * and the norm is returned, so the caller can detect the blow-up and skip the step.
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Scales the gradients of {@code parameters} in place so that their global L2 norm is at most
     * {@code maxNorm}. Parameters whose gradient is {@code null} are ignored.
     *
     * @return the global norm before clipping (0 if no parameter has a gradient)
     * @throws IllegalArgumentException if {@code maxNorm} is not positive and finite
     */
    public static double clipByGlobalNorm(Iterable<Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0.0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("clipByGlobalNorm: maxNorm must be positive and finite, got " + maxNorm);
        }
        java.util.List<Tensor> distinct = distinct(parameters); // a tied weight listed twice is scaled once
        double norm = globalNorm(distinct);
        if (norm > maxNorm && Double.isFinite(norm)) {
            double scale = maxNorm / norm;
            for (Tensor p : distinct) {
                Tensor g = p.grad();
                if (g != null) {
                    scale(g, scale);
                }
            }
        }
        return norm;
    }

    /**
     * The global L2 norm {@code sqrt(Σ ‖grad_p‖²)} over the parameters with a non-null gradient.
     */
    public static double globalNorm(Iterable<Tensor> parameters) {
        double sumOfSquares = 0.0;
        for (Tensor p : distinct(parameters)) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            if (g.dtype() == DType.FLOAT32) {
                for (float v : g.f32()) {
                    sumOfSquares += (double) v * v;
                }
            } else {
                for (double v : g.f64()) {
                    sumOfSquares += v * v;
                }
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    private static void scale(Tensor g, double s) {
        if (g.dtype() == DType.FLOAT32) {
            float[] a = g.f32();
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (a[i] * s);
            }
        } else {
            double[] a = g.f64();
            for (int i = 0; i < a.length; i++) {
                a[i] *= s;
            }
        }
    }

    /** The parameters without repeats (by identity), in first-seen order. */
    private static java.util.List<Tensor> distinct(Iterable<Tensor> parameters) {
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.List<Tensor> out = new java.util.ArrayList<>();
        for (Tensor p : parameters) {
            if (seen.add(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
