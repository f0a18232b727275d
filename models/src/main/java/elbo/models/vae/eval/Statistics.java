package elbo.models.vae.eval;

/** Means and standard errors of per-item values (per image, per draw, per replicate). */
public final class Statistics {
    private Statistics() {
    }

    /** The arithmetic mean. */
    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** {@code sd / √n} with the unbiased sample variance; 0 for fewer than two values. */
    public static double standardError(double[] v) {
        if (v.length < 2) {
            return 0.0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1) / v.length);
    }
}
