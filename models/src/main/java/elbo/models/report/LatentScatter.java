package elbo.models.report;

import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;

/**
 * A 2-D latent space: points z = (z1, z2) (e.g. posterior means of test images) as small dots coloured by their
 * class label with the ten-colour {@link Canvas#category} palette, over the prior's density p(z) shaded from
 * white (no mass) to a pale blue-grey (the density's maximum), with axes, a title and a legend of the labels.
 */
public final class LatentScatter {
    /** The shade of the prior density at its maximum (white at zero). */
    static final int DENSITY_COLOR = 0x9DB0D3;
    /** The dot colour when no labels are given. */
    static final int UNLABELLED = 0x1F77B4;
    /** Legend entries beyond this many distinct labels are left out. */
    static final int MAX_LEGEND = 20;

    private LatentScatter() {
    }

    /** A scatter plot on a new white canvas of the given size; see {@link #draw}. */
    public static Canvas plot(int width, int height, String title, double[] zx, double[] zy, int[] labels,
                              DoubleBinaryOperator logDensity, double[] extent) {
        Canvas canvas = new Canvas(width, height, 0xFFFFFF);
        draw(canvas, 0, 0, width, height, title, zx, zy, labels, logDensity, extent);
        return canvas;
    }

    /**
     * Draws the scatter plot into the region of {@code canvas} with top-left corner (x0, y0), {@code w} ×
     * {@code h} pixels. Points are drawn in a fixed shuffled order (so that no label systematically hides
     * another) as squares of 3 pixels, or 2 when there are more than 3000 (one more at text scale 2, i.e. in
     * regions of at least 560 × 360); points that are not finite or fall outside the extent are left out.
     *
     * @param title      what the points are, e.g. "TEST SET: POSTERIOR MEANS"
     * @param zx         first latent coordinate of each point
     * @param zy         second latent coordinate of each point
     * @param labels     each point's class (0..9; larger labels reuse the colours modulo 10, negative ones are
     *                   dark grey), or null for one colour and no legend
     * @param logDensity log p(z1, z2) of the prior, evaluated on a grid of 2 × 2-pixel cells and shown as
     *                   exp(log p − max) (non-finite values as 0), or null for a plain background
     * @param extent     the axes' range {xmin, xmax, ymin, ymax}, or null for the points' range plus 5% (−3..3
     *                   without points), widened along one axis so that both axes have the same units per
     *                   pixel. A given extent is kept, and the plot narrowed to equal units per pixel when that
     *                   keeps at least half of its width or height.
     * @throws IllegalArgumentException if the arrays differ in length or the extent is not 4 finite, increasing
     *                                  bounds
     */
    public static void draw(Canvas canvas, int x0, int y0, int w, int h, String title, double[] zx, double[] zy,
                            int[] labels, DoubleBinaryOperator logDensity, double[] extent) {
        if (zx == null || zy == null || zx.length != zy.length) {
            throw new IllegalArgumentException("LatentScatter: zx and zy must have the same length");
        }
        if (labels != null && labels.length != zx.length) {
            throw new IllegalArgumentException(
                    "LatentScatter: " + labels.length + " labels for " + zx.length + " points");
        }
        double[] ext = extent == null ? extentOf(zx, zy) : checkedExtent(extent);
        int ts = Axes.textScale(w, h);
        int pad = 5 * ts;
        int lineH = Canvas.textHeight(ts) + 4 * ts;

        String caption = logDensity == null ? "" : "SHADING: PRIOR DENSITY P(Z)";
        int header = caption.isEmpty() ? 0 : lineH + pad;
        TreeSet<Integer> present = new TreeSet<>();
        if (labels != null) {
            for (int i = 0; i < labels.length && present.size() <= MAX_LEGEND; i++) {
                present.add(labels[i]);
            }
        }
        String legendTitle = "LABEL";
        int swatch = Canvas.textHeight(ts) - 2 * ts;
        int legendW = Canvas.textWidth(legendTitle, ts);
        for (int label : present) {
            legendW = Math.max(legendW, swatch + 3 * ts + Canvas.textWidth(Integer.toString(label), ts));
        }
        int right = present.isEmpty() ? 0 : legendW + 3 * pad;

        if (extent == null) { // widen the shorter side so that both axes have the same units per pixel
            Axes probe = new Axes(canvas, x0, y0, w, h, title, header, right, "z1", "z2", ext[0], ext[1], ext[2],
                    ext[3], false, 0, false);
            ext = fitAspect(ext, probe.width, probe.height);
        }
        Axes axes = new Axes(canvas, x0, y0, w, h, title, header, right, "z1", "z2", ext[0], ext[1], ext[2], ext[3],
                false, 0, true);
        canvas.clip(axes.left, axes.top, axes.width, axes.height);
        if (logDensity != null) {
            shadeDensity(canvas, axes, logDensity);
        }
        int size = (zx.length > 3000 ? 2 : 3) + (ts - 1);
        int[] order = shuffled(zx.length);
        for (int i : order) {
            if (!Double.isFinite(zx[i]) || !Double.isFinite(zy[i])) {
                continue;
            }
            double px = axes.fx(zx[i]), py = axes.fy(zy[i]);
            if (px < axes.left - 0.5 || px > axes.left + axes.width - 0.5
                    || py < axes.top - 0.5 || py > axes.top + axes.height - 0.5) {
                continue;
            }
            int color = labels == null ? UNLABELLED : colorOf(labels[i]);
            canvas.fillRect((int) Math.round(px) - (size - 1) / 2, (int) Math.round(py) - (size - 1) / 2, size, size,
                    color);
        }
        canvas.unclip();
        axes.drawFrame();

        if (!caption.isEmpty()) {
            int cw = Canvas.textWidth(caption, ts);
            canvas.text(axes.left + (axes.width - cw) / 2, axes.headerY, caption, Axes.MUTED, ts);
        }
        if (!present.isEmpty()) {
            int lx = axes.left + axes.width + 2 * pad;
            int ly = axes.top;
            canvas.text(lx, ly, legendTitle, Axes.INK, ts);
            ly += lineH;
            int shown = 0;
            for (int label : present) {
                if (shown++ == MAX_LEGEND) {
                    canvas.text(lx, ly, "...", Axes.INK, ts);
                    break;
                }
                canvas.fillRect(lx, ly + ts, swatch, swatch, colorOf(label));
                canvas.text(lx + swatch + 3 * ts, ly, Integer.toString(label), Axes.INK, ts);
                ly += lineH;
            }
        }
    }

    /** The dot colour of a label: the categorical palette for labels ≥ 0, dark grey for negative ones. */
    static int colorOf(int label) {
        return label < 0 ? 0x303030 : Canvas.category(label);
    }

    private static void shadeDensity(Canvas canvas, Axes axes, DoubleBinaryOperator logDensity) {
        int cell = 2;
        int cols = (axes.width + cell - 1) / cell, rows = (axes.height + cell - 1) / cell;
        double[] lp = new double[rows * cols];
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < rows; r++) {
            double y = axes.dataY(axes.top + r * cell + (cell - 1) / 2.0);
            for (int c = 0; c < cols; c++) {
                double v = logDensity.applyAsDouble(axes.dataX(axes.left + c * cell + (cell - 1) / 2.0), y);
                lp[r * cols + c] = v;
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = lp[r * cols + c];
                double t = Double.isFinite(v) ? Math.exp(v - max) : 0;
                canvas.fillRect(axes.left + c * cell, axes.top + r * cell, cell, cell,
                        Canvas.mix(0xFFFFFF, DENSITY_COLOR, t));
            }
        }
    }

    private static double[] checkedExtent(double[] e) {
        if (e.length != 4 || !(e[0] < e[1]) || !(e[2] < e[3])
                || !Double.isFinite(e[0]) || !Double.isFinite(e[1])
                || !Double.isFinite(e[2]) || !Double.isFinite(e[3])) {
            throw new IllegalArgumentException("LatentScatter: extent must be {xmin, xmax, ymin, ymax} with finite "
                    + "xmin < xmax and ymin < ymax, got " + java.util.Arrays.toString(e));
        }
        return e.clone();
    }

    /** The extent widened about its centre along one axis to the pixel aspect ratio width : height. */
    static double[] fitAspect(double[] e, int width, int height) {
        double xs = e[1] - e[0], ys = e[3] - e[2];
        double want = (double) width / height; // x span / y span
        if (xs / ys < want) {
            double grow = (ys * want - xs) / 2;
            return new double[] {e[0] - grow, e[1] + grow, e[2], e[3]};
        }
        double grow = (xs / want - ys) / 2;
        return new double[] {e[0], e[1], e[2] - grow, e[3] + grow};
    }

    /** The finite points' bounding box plus 5% on each side (±1 around a single value, −3..3 without points). */
    static double[] extentOf(double[] zx, double[] zy) {
        double[] e = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < zx.length; i++) {
            if (Double.isFinite(zx[i]) && Double.isFinite(zy[i])) {
                e[0] = Math.min(e[0], zx[i]);
                e[1] = Math.max(e[1], zx[i]);
                e[2] = Math.min(e[2], zy[i]);
                e[3] = Math.max(e[3], zy[i]);
            }
        }
        if (e[0] > e[1]) {
            return new double[] {-3, 3, -3, 3};
        }
        for (int a = 0; a < 4; a += 2) {
            double span = e[a + 1] - e[a];
            double m = span > 0 && Double.isFinite(span) ? 0.05 * span : 1;
            e[a] -= m;
            e[a + 1] += m;
        }
        return e;
    }

    /** 0..n-1 in a fixed pseudo-random order. */
    private static int[] shuffled(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
