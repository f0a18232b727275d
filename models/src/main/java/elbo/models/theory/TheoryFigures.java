package elbo.models.theory;

import elbo.models.report.Canvas;
import elbo.models.report.Figure;
import elbo.models.report.LineChart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pictures of {@code ./elbo lecture --part=theory}, drawn from plain arrays (the numbers come from
 * {@link LinearGaussian}, {@link IwaePosterior2d} and {@link GradientSnr}); each is titled with the claim it
 * reproduces.
 */
public final class TheoryFigures {
    private TheoryFigures() {
    }

    /**
     * The bound ladder (lecture slide 6, Burda et al. 2015). Left: {@code L_K} against {@code log10 K} with
     * {@code log p(x)} as a line. Right: the gap {@code log p(x) − L_K} on log-log axes beside the large-K
     * prediction {@code Var(w/E w)/(2K)} (a gap within 3 SE of zero, Monte Carlo noise at large K, is left
     * out).
     */
    public static Canvas ladder(int[] k, double[] bound, double[] se, double logPx, double relativeWeightVariance) {
        double[] x = new double[k.length];
        double[] gap = new double[k.length];
        double[] predicted = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            x[i] = Math.log10(k[i]);
            double g = logPx - bound[i];
            gap[i] = g > 3 * se[i] ? Math.log10(g) : Double.NaN;   // within 3 SE of 0: noise, left out
            predicted[i] = Math.log10(relativeWeightVariance / (2.0 * k[i]));
        }
        Canvas left = LineChart.chart(560, 400, "L_K RISES TO LOG P(X)", "LOG10 K", "NATS", List.of(
                new LineChart.Series("L_K", x, bound, Canvas.category(0)),
                new LineChart.Series("LOG P(X), ANALYTIC", new double[] {x[0], x[x.length - 1]},
                        new double[] {logPx, logPx}, Canvas.category(3))));
        Canvas right = LineChart.chart(560, 400, "THE GAP FALLS LIKE 1/K", "LOG10 K", "LOG10 (LOG P(X) - L_K)",
                List.of(new LineChart.Series("MEASURED", x, gap, Canvas.category(0)),
                        new LineChart.Series("VAR(W)/(2K), LARGE K", x, predicted, 0xB0B0B0)));
        return Figure.caption("THE IWAE BOUND LADDER ON A LINEAR-GAUSSIAN MODEL: L_1 <= L_5 <= ... <= L_5000 <= "
                + "LOG P(X) (BURDA ET AL. 2015; SLIDE 6)", Figure.panels(2, left, right), 2);
    }

    /**
     * The gradient SNR against K on log-log axes (slide 9, Rainforth et al. 2018; Tucker et al. 2018): one
     * series per estimator and parameter, with the reference slopes +1/2 and −1/2 through the first point
     * of θ and of φ-IWAE.
     *
     * @param names  series names, e.g. "THETA (SLOPE +0.49 ± 0.02)"
     * @param snr    per series, the SNR at each K
     */
    public static Canvas snr(int[] k, List<String> names, List<double[]> snr) {
        double[] x = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            x[i] = Math.log10(k[i]);
        }
        List<LineChart.Series> series = new ArrayList<>();
        for (int s = 0; s < names.size(); s++) {
            double[] y = new double[k.length];
            for (int i = 0; i < k.length; i++) {
                y[i] = Math.log10(snr.get(s)[i]);
            }
            series.add(new LineChart.Series(names.get(s), x, y, Canvas.category(s)));
        }
        for (int s = 0; s < Math.min(2, snr.size()); s++) {          // ±1/2 through the first point
            double slope = s == 0 ? 0.5 : -0.5;
            double y0 = Math.log10(snr.get(s)[0]);
            series.add(new LineChart.Series(s == 0 ? "SLOPE +1/2" : "SLOPE -1/2",
                    new double[] {x[0], x[x.length - 1]},
                    new double[] {y0, y0 + slope * (x[x.length - 1] - x[0])}, 0xB0B0B0));
        }
        return LineChart.chart(760, 480, "GRADIENT SNR VS K: DECODER UP AS SQRT K, ENCODER DOWN AS 1/SQRT K "
                + "(RAINFORTH ET AL. 2018; SLIDE 9)", "LOG10 K", "LOG10 SNR", series);
    }

    /**
     * The IWAE posterior (slide 8, Cremer et al. 2017): the true posterior on a grid beside histograms of
     * samples from {@code q_IW} for each K, as heat maps of the same size.
     *
     * @param truth     the grid posterior, row-major {@code rows × cols}, row 0 at the top
     * @param histograms one per K, same grid
     */
    public static Canvas iwaePosterior(double[] truth, List<double[]> histograms, int[] k, int rows, int cols,
                                       double[] totalVariation) {
        int cell = Math.max(1, 220 / Math.max(rows, cols));
        List<Canvas> panels = new ArrayList<>();
        panels.add(panel("TRUE POSTERIOR P(Z|X)", truth, rows, cols, cell));
        for (int i = 0; i < k.length; i++) {
            panels.add(panel(String.format(Locale.ROOT, "Q_IW, K = %d (TV %.3f)", k[i], totalVariation[i]),
                    histograms.get(i), rows, cols, cell));
        }
        return Figure.caption("THE IWAE POSTERIOR Q_IW APPROACHES THE TRUE POSTERIOR AS K GROWS (CREMER ET AL. "
                + "2017; SLIDE 8)", Figure.panels(panels.size(), panels.toArray(Canvas[]::new)), 2);
    }

    private static Canvas panel(String title, double[] values, int rows, int cols, int cell) {
        Canvas c = new Canvas(cols * cell + 8, rows * cell + 30, 0xFFFFFF);
        c.text(4, 4, title, 0x202020, 1);
        c.heatMap(4, 22, values, rows, cols, cell);
        return c;
    }
}
