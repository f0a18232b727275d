package elbo.models.experiments;

/**
 * The maximum-likelihood full-covariance Gaussian of 2-D data: the baseline a flow must beat.
 * {@code μ = mean(x)}, {@code Σ = cov(x)} (divided by n), and
 * {@code log N(x; μ, Σ) = -log(2π) - ½ log det Σ - ½ (x-μ)ᵀ Σ⁻¹ (x-μ)}.
 */
public record GaussianBaseline(double mx, double my, double sxx, double sxy, double syy) {

    /**
     * Fits to the rows of {@code xy} ({@code [n, 2]} row-major).
     *
     * @throws IllegalArgumentException if there are fewer than 3 points or the covariance is singular
     */
    public static GaussianBaseline fit(double[] xy) {
        int n = xy.length / 2;
        if (n < 3) {
            throw new IllegalArgumentException("GaussianBaseline: need at least 3 points, got " + n);
        }
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += xy[2 * i];
            my += xy[2 * i + 1];
        }
        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = xy[2 * i] - mx, dy = xy[2 * i + 1] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        GaussianBaseline g = new GaussianBaseline(mx, my, sxx / n, sxy / n, syy / n);
        if (!(g.det() > 0)) {
            throw new IllegalArgumentException("GaussianBaseline: covariance is singular (det " + g.det() + ")");
        }
        return g;
    }

    private double det() {
        return sxx * syy - sxy * sxy;
    }

    /** {@code log N(x; μ, Σ)} of one point. */
    public double logDensity(double x, double y) {
        double det = det();
        double dx = x - mx, dy = y - my;
        // Σ⁻¹ = [[syy, -sxy], [-sxy, sxx]] / det
        double quad = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
        return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quad;
    }

    /** Mean log-density of the rows of {@code xy}. */
    public double meanLogDensity(double[] xy) {
        double s = 0;
        int n = xy.length / 2;
        for (int i = 0; i < n; i++) {
            s += logDensity(xy[2 * i], xy[2 * i + 1]);
        }
        return s / n;
    }
}
