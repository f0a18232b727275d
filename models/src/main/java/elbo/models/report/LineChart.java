package elbo.models.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Line charts such as "ELBO per epoch" (train and validation): axes with nice 1-2-5 ticks and compact tick
 * labels, axis labels, a title, a legend of the series' names and colours, and one polyline per series.
 * Non-finite points (NaN, ±∞) leave a gap in their line; series of at most {@value #MARKER_LIMIT} points get
 * a marker at each point. Empty series, constant series and single points are drawn without complaint.
 *
 * <p>Put two charts side by side with {@link Figure#panels}, e.g.
 * {@code Figure.panels(2, LineChart.chart(480, 320, "ELBO PER EPOCH", ...),
 * LineChart.chart(480, 320, "KL PER EPOCH", ...))}.
 */
public final class LineChart {
    /** Series with at most this many finite points are drawn with a marker at every point. */
    public static final int MARKER_LIMIT = 30;

    private LineChart() {
    }

    /**
     * One line of a chart: points (x[i], y[i]) joined in order, in colour {@code 0xRRGGBB} (see
     * {@link Canvas#category}). The arrays are used as given, not copied.
     *
     * @param name  the legend entry (an empty name is left out of the legend)
     * @param x     the x coordinates, or null for 1, 2, …, n (e.g. epochs)
     * @param y     the y coordinates
     * @param color the line's colour
     */
    public record Series(String name, double[] x, double[] y, int color) {
        /**
         * Checks the arrays; a null name becomes "" and a null x becomes 1, 2, …, n.
         *
         * @throws IllegalArgumentException if y is null or x and y differ in length
         */
        public Series {
            name = name == null ? "" : name;
            if (y == null) {
                throw new IllegalArgumentException("Series '" + name + "': y is null");
            }
            if (x == null) {
                x = new double[y.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i + 1;
                }
            }
            if (x.length != y.length) {
                throw new IllegalArgumentException(
                        "Series '" + name + "': " + x.length + " x values but " + y.length + " y values");
            }
        }

        /** The series y[0], y[1], … at x = 1, 2, … (per-epoch values). */
        public static Series of(String name, double[] y, int color) {
            return new Series(name, null, y, color);
        }

        private boolean finite(int i) {
            return Double.isFinite(x[i]) && Double.isFinite(y[i]);
        }
    }

    /**
     * A chart on a new white canvas of the given size; see {@link #draw}.
     */
    public static Canvas chart(int width, int height, String title, String xLabel, String yLabel,
                               List<Series> series) {
        Canvas canvas = new Canvas(width, height, 0xFFFFFF);
        draw(canvas, 0, 0, width, height, title, xLabel, yLabel, series);
        return canvas;
    }

    /**
     * Draws a line chart into the region of {@code canvas} with top-left corner (x0, y0), {@code w} × {@code h}
     * pixels: the title on top, the legend under it, then the plot with its axes. The axes span the nice ticks
     * around all finite points of all series, the y range first widened by 4% on each side (but not across 0);
     * x ticks are whole numbers when every x is. With no finite point at all the plot says "NO DATA". Text is at
     * scale 1 for regions smaller than 560 × 360, else at scale 2; the title one scale larger when it fits on a
     * line, else word-wrapped at the text scale.
     *
     * @param series the lines, drawn in order (later ones on top)
     */
    public static void draw(Canvas canvas, int x0, int y0, int w, int h, String title, String xLabel,
                            String yLabel, List<Series> series) {
        Objects.requireNonNull(series, "series");
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY, yhi = Double.NEGATIVE_INFINITY;
        boolean integers = true;
        int points = 0;
        for (Series s : series) {
            for (int i = 0; i < s.y.length; i++) {
                if (s.finite(i)) {
                    xlo = Math.min(xlo, s.x[i]);
                    xhi = Math.max(xhi, s.x[i]);
                    ylo = Math.min(ylo, s.y[i]);
                    yhi = Math.max(yhi, s.y[i]);
                    integers &= s.x[i] == Math.rint(s.x[i]);
                    points++;
                }
            }
        }
        if (points == 0) {
            xlo = 0;
            xhi = 1;
            ylo = 0;
            yhi = 1;
        }
        if (points > 0) { // keep lines off the top and bottom edges: 4% room above and below, not across 0
            double room = 0.04 * (yhi - ylo);
            ylo = ylo >= 0 ? Math.max(0, ylo - room) : ylo - room;
            yhi = yhi <= 0 ? Math.min(0, yhi + room) : yhi + room;
        }
        int ts = Axes.textScale(w, h);
        int pad = 5 * ts;
        List<List<Series>> legendRows = legendRows(series, w - 2 * pad, ts);
        int rowH = Canvas.textHeight(ts) + 4 * ts;
        int header = legendRows.isEmpty() ? 0 : 2 * ts + legendRows.size() * rowH + pad;
        Axes axes = new Axes(canvas, x0, y0, w, h, title, header, 0, xLabel, yLabel, xlo, xhi, ylo, yhi, true,
                integers && points > 0 ? 1 : 0, false);
        axes.drawGrid();

        int thickness = ts + 1;
        int radius = ts + 1;
        canvas.clip(axes.left - radius, axes.top - radius, axes.width + 2 * radius, axes.height + 2 * radius);
        for (Series s : series) {
            drawSeries(canvas, axes, s, thickness, radius);
        }
        canvas.unclip();
        if (points == 0) {
            String msg = "NO DATA";
            canvas.text(axes.left + (axes.width - Canvas.textWidth(msg, ts + 1)) / 2,
                    axes.top + (axes.height - Canvas.textHeight(ts + 1)) / 2, msg, Axes.MUTED, ts + 1);
        }
        axes.drawFrame();

        int y = axes.headerY + 2 * ts;
        for (List<Series> row : legendRows) {
            int x = x0 + pad + (w - 2 * pad - rowWidth(row, ts)) / 2;
            for (Series s : row) {
                int cy = y + Canvas.textHeight(ts) / 2;
                canvas.line(x, cy, x + swatch(ts) - 1, cy, s.color, thickness);
                if (markers(s)) {
                    canvas.disc(x + swatch(ts) / 2, cy, radius, s.color);
                }
                canvas.text(x + swatch(ts) + 4 * ts, y, s.name, Axes.INK, ts);
                x += entryWidth(s, ts) + gap(ts);
            }
            y += rowH;
        }
    }

    private static void drawSeries(Canvas canvas, Axes axes, Series s, int thickness, int radius) {
        int n = s.y.length;
        // clip segments to a box a little larger than the plot so that far-away points cannot make long lines
        double bx0 = axes.left - 8, by0 = axes.top - 8;
        double bx1 = axes.left + axes.width + 8, by1 = axes.top + axes.height + 8;
        for (int i = 1; i < n; i++) {
            if (s.finite(i - 1) && s.finite(i)) {
                double[] seg = clip(axes.fx(s.x[i - 1]), axes.fy(s.y[i - 1]), axes.fx(s.x[i]), axes.fy(s.y[i]),
                        bx0, by0, bx1, by1);
                if (seg != null) {
                    canvas.line((int) Math.round(seg[0]), (int) Math.round(seg[1]),
                            (int) Math.round(seg[2]), (int) Math.round(seg[3]), s.color, thickness);
                }
            }
        }
        boolean all = markers(s);
        for (int i = 0; i < n; i++) {
            boolean isolated = (i == 0 || !s.finite(i - 1)) && (i == n - 1 || !s.finite(i + 1));
            if (s.finite(i) && (all || isolated)) {
                double px = axes.fx(s.x[i]), py = axes.fy(s.y[i]);
                if (px >= bx0 && px <= bx1 && py >= by0 && py <= by1) {
                    canvas.disc((int) Math.round(px), (int) Math.round(py), radius, s.color);
                }
            }
        }
    }

    private static boolean markers(Series s) {
        int finite = 0;
        for (int i = 0; i < s.y.length; i++) {
            finite += s.finite(i) ? 1 : 0;
        }
        return finite <= MARKER_LIMIT;
    }

    /** Liang–Barsky: the part of segment (ax, ay)–(bx, by) inside the box, or null if none. */
    static double[] clip(double ax, double ay, double bx, double by, double x0, double y0, double x1, double y1) {
        double dx = bx - ax, dy = by - ay;
        double t0 = 0, t1 = 1;
        double[] p = {-dx, dx, -dy, dy};
        double[] q = {ax - x0, x1 - ax, ay - y0, y1 - ay};
        for (int i = 0; i < 4; i++) {
            if (p[i] == 0) {
                if (q[i] < 0) {
                    return null;
                }
            } else {
                double r = q[i] / p[i];
                if (p[i] < 0) {
                    t0 = Math.max(t0, r);
                } else {
                    t1 = Math.min(t1, r);
                }
            }
        }
        if (t0 > t1) {
            return null;
        }
        return new double[] {ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy};
    }

    // ---- legend layout ---------------------------------------------------------------------------

    private static int swatch(int ts) {
        return 16 * ts;
    }

    private static int gap(int ts) {
        return 12 * ts;
    }

    private static int entryWidth(Series s, int ts) {
        return swatch(ts) + 4 * ts + Canvas.textWidth(s.name, ts);
    }

    private static int rowWidth(List<Series> row, int ts) {
        int width = 0;
        for (Series s : row) {
            width += (width == 0 ? 0 : gap(ts)) + entryWidth(s, ts);
        }
        return width;
    }

    /** The named series, in rows that fit the width (a row holds at least one entry). */
    private static List<List<Series>> legendRows(List<Series> series, int width, int ts) {
        List<List<Series>> rows = new ArrayList<>();
        List<Series> row = new ArrayList<>();
        for (Series s : series) {
            if (s.name.isEmpty()) {
                continue;
            }
            row.add(s);
            if (row.size() > 1 && rowWidth(row, ts) > width) {
                row.remove(row.size() - 1);
                rows.add(row);
                row = new ArrayList<>(List.of(s));
            }
        }
        if (!row.isEmpty()) {
            rows.add(row);
        }
        return rows;
    }
}
