package elbo.models.report;

/**
 * The shared frame of {@link LineChart} and {@link LatentScatter}: lays out a title, an optional header band
 * (legend or caption), the plot rectangle, tick labels and axis labels inside a region of a canvas, maps data
 * coordinates to pixels, and draws the frame on top of the plotted data.
 */
final class Axes {
    static final int INK = 0x202020;
    static final int MUTED = 0x606060;
    static final int GRID = 0xE6E6E6;

    final Canvas canvas;
    /** Text scale of tick labels, axis labels and legends; the title is one step larger. */
    final int ts;
    final int pad;
    final int x0;
    final int y0;
    final int w;
    final int h;
    final String title;
    /** The title: one line at text scale ts + 1 if it fits the region, else word-wrapped at scale ts. */
    private final java.util.List<String> titleLines;
    private final int titleS;
    private final int titleBand;
    final String xLabel;
    final String yLabel;
    /** Top of the header band (below the title). */
    final int headerY;
    /** The plot rectangle: left, top, width, height in pixels. */
    final int left;
    final int top;
    final int width;
    final int height;
    /** Width of the widest y tick label. */
    private final int yLabelW;
    final double xmin;
    final double xmax;
    final double ymin;
    final double ymax;
    final double[] xTicks;
    final double[] yTicks;

    /** Tick label, axis label and legend text scale for a region of the given size. */
    static int textScale(int w, int h) {
        return w >= 560 && h >= 360 ? 2 : 1;
    }

    /**
     * Lays out the region. With {@code loose} the axes are widened to the nice ticks around the data range;
     * otherwise they span exactly the given range and the ticks fall inside it.
     *
     * @param header pixels reserved below the title (for a legend or caption)
     * @param right  pixels reserved right of the plot (for a legend)
     * @param xMinStep smallest x tick step (1 for integer x such as epochs, else 0)
     * @param equalAspect (only without {@code loose}) shrink the plot to equal pixels per unit on both axes,
     *                    centred in the space, when that keeps at least half of its width or height
     */
    Axes(Canvas canvas, int x0, int y0, int w, int h, String title, int header, int right, String xLabel,
         String yLabel, double xlo, double xhi, double ylo, double yhi, boolean loose, double xMinStep,
         boolean equalAspect) {
        this.canvas = canvas;
        this.x0 = x0;
        this.y0 = y0;
        this.w = w;
        this.h = h;
        this.title = title == null ? "" : title;
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
        this.ts = textScale(w, h);
        this.pad = 5 * ts;
        int ch = Canvas.textHeight(ts);
        int tick = 3 * ts;
        int big = ts + 1;
        if (Canvas.textWidth(this.title, big) <= w - 2 * pad) {
            titleS = big;
            titleLines = this.title.isEmpty() ? java.util.List.of() : java.util.List.of(this.title);
        } else {
            titleS = ts;
            titleLines = Canvas.wrap(this.title, w - 2 * pad, ts);
        }
        // a title falls back to the small scale when too long; its band stays at least one large line high so
        // that panels side by side keep their plots aligned
        int linesH = titleLines.size() * (Canvas.textHeight(titleS) + 3 * titleS) - 3 * titleS;
        titleBand = titleLines.isEmpty() ? 0 : Math.max(Canvas.textHeight(big), linesH);
        int titleH = titleLines.isEmpty() ? 0 : titleBand + pad;
        this.headerY = y0 + pad + titleH;
        int plotTop = headerY + header;
        int bottom = y0 + h - pad - (this.xLabel.isEmpty() ? 0 : ch + pad) - ch - tick - 2 * ts;
        int plotH = Math.max(8, bottom - plotTop);
        double[] yt = yTicks(ylo, yhi, plotH, loose);
        int labelW = widest(yt);
        int plotLeft = x0 + pad + (this.yLabel.isEmpty() ? 0 : ch + pad) + labelW + tick + 2 * ts;
        int plotW = Math.max(8, x0 + w - pad - right - 6 * ts * 2 - plotLeft);
        if (equalAspect && !loose) {
            // units per pixel equal on both axes; a larger step has no wider labels, so the left edge stays valid
            double ratio = Math.abs((xhi - xlo) / (yhi - ylo)); // width / height
            int wantW = (int) Math.round(plotH * ratio), wantH = (int) Math.round(plotW / ratio);
            if (wantW < plotW && wantW >= plotW / 2) {
                plotLeft += (plotW - wantW) / 2;
                plotW = wantW;
            } else if (wantH < plotH && wantH >= plotH / 2) {
                plotTop += (plotH - wantH) / 2;
                plotH = wantH;
                yt = yTicks(ylo, yhi, plotH, false);
            }
        }
        this.top = plotTop;
        this.height = plotH;
        this.left = plotLeft;
        this.width = plotW;
        this.yTicks = yt;
        this.yLabelW = labelW;

        double[] xt = null;
        for (int maxX = Math.max(2, Math.min(11, width / (25 * ts) + 1)); ; maxX--) {
            xt = loose ? Ticks.nice(xlo, xhi, maxX, xMinStep) : Ticks.inside(xlo, xhi, maxX);
            if (maxX <= 2 || fits(xt, width, ts)) {
                break;
            }
        }
        this.xTicks = xt;
        if (loose) {
            this.xmin = xt[0];
            this.xmax = xt[xt.length - 1];
            this.ymin = yt[0];
            this.ymax = yt[yt.length - 1];
        } else {
            this.xmin = Math.min(xlo, xhi);
            this.xmax = Math.max(xlo, xhi);
            this.ymin = Math.min(ylo, yhi);
            this.ymax = Math.max(ylo, yhi);
        }
    }

    private double[] yTicks(double ylo, double yhi, int plotH, boolean loose) {
        int maxY = Math.max(2, Math.min(11, plotH / (28 * ts) + 1));
        return loose ? Ticks.nice(ylo, yhi, maxY) : Ticks.inside(ylo, yhi, maxY);
    }

    /** The width of the widest tick label. */
    private int widest(double[] ticks) {
        double step = Ticks.step(ticks);
        int widest = 0;
        for (double v : ticks) {
            widest = Math.max(widest, Canvas.textWidth(Ticks.format(v, step), ts));
        }
        return widest;
    }

    /** Whether the x tick labels leave at least two character widths between neighbours. */
    private static boolean fits(double[] ticks, int width, int ts) {
        if (ticks.length < 2) {
            return true;
        }
        double step = Ticks.step(ticks);
        int widest = 0;
        for (double v : ticks) {
            widest = Math.max(widest, Canvas.textWidth(Ticks.format(v, step), ts));
        }
        return (double) width / (ticks.length - 1) >= widest + 12 * ts;
    }

    /** Pixel column of data x (fractional). */
    double fx(double x) {
        return left + (x - xmin) / (xmax - xmin) * (width - 1);
    }

    /** Pixel row of data y (fractional; larger y is higher up). */
    double fy(double y) {
        return top + (height - 1) - (y - ymin) / (ymax - ymin) * (height - 1);
    }

    /** Data x at the centre of pixel column px. */
    double dataX(double px) {
        return xmin + (px - left) / (width - 1) * (xmax - xmin);
    }

    /** Data y at the centre of pixel row py. */
    double dataY(double py) {
        return ymin + (top + height - 1 - py) / (height - 1) * (ymax - ymin);
    }

    /** Light grid lines at the ticks (drawn before the data). */
    void drawGrid() {
        for (double t : xTicks) {
            int px = (int) Math.round(fx(t));
            canvas.fillRect(px, top, 1, height, GRID);
        }
        for (double t : yTicks) {
            int py = (int) Math.round(fy(t));
            canvas.fillRect(left, py, width, 1, GRID);
        }
    }

    /** The frame, ticks, tick labels, axis labels and title (drawn after the data). */
    void drawFrame() {
        canvas.rect(left - 1, top - 1, width + 2, height + 2, INK);
        int tick = 3 * ts;
        int ch = Canvas.textHeight(ts);
        double xs = Ticks.step(xTicks);
        for (double t : xTicks) {
            int px = (int) Math.round(fx(t));
            canvas.fillRect(px, top + height + 1, 1, tick, INK);
            String s = Ticks.format(t, xs);
            canvas.text(px - Canvas.textWidth(s, ts) / 2, top + height + 1 + tick + 2 * ts, s, INK, ts);
        }
        double ys = Ticks.step(yTicks);
        for (double t : yTicks) {
            int py = (int) Math.round(fy(t));
            canvas.fillRect(left - 1 - tick, py, tick, 1, INK);
            String s = Ticks.format(t, ys);
            canvas.text(left - 1 - tick - 2 * ts - Canvas.textWidth(s, ts), py - ch / 2, s, INK, ts);
        }
        if (!xLabel.isEmpty()) {
            int y = top + height + 1 + tick + 2 * ts + ch + pad;
            canvas.text(left + (width - Canvas.textWidth(xLabel, ts)) / 2, y, xLabel, INK, ts);
        }
        if (!yLabel.isEmpty()) {
            int len = Canvas.textWidth(yLabel, ts);
            int x = left - tick - 2 * ts - yLabelW - pad - ch;
            canvas.textUp(x, top + Math.max(0, (height - len) / 2), yLabel, INK, ts);
        }
        int linesH = titleLines.size() * (Canvas.textHeight(titleS) + 3 * titleS) - 3 * titleS;
        int y = y0 + pad + (titleBand - linesH) / 2;
        for (String line : titleLines) { // centred over the plot, kept inside the region
            int tw = Canvas.textWidth(line, titleS);
            int x = Math.max(x0 + pad, Math.min(left + (width - tw) / 2, x0 + w - pad - tw));
            canvas.text(x, y, line, INK, titleS);
            y += Canvas.textHeight(titleS) + 3 * titleS;
        }
    }
}
