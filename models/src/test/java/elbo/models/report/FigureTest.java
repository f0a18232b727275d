package elbo.models.report;

import elbo.models.report.LineChart.Series;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FigureTest {
    private static final int WHITE = 0xFFFFFF;

    // ---- helpers ---------------------------------------------------------------------------------

    /** Writes the canvas as a PNG, decodes it with javax.imageio and checks that every pixel survived. */
    private static BufferedImage roundTrip(Canvas canvas, Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        canvas.writePng(file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(canvas.width(), img.getWidth(), name + " width");
        assertEquals(canvas.height(), img.getHeight(), name + " height");
        for (int y = 0; y < canvas.height(); y++) {
            for (int x = 0; x < canvas.width(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != canvas.get(x, y)) {
                    throw new AssertionError(name + ": pixel " + x + "," + y + " differs after decoding");
                }
            }
        }
        return img;
    }

    private static int count(Canvas c, int color) {
        int n = 0;
        for (int y = 0; y < c.height(); y++) {
            for (int x = 0; x < c.width(); x++) {
                n += c.get(x, y) == color ? 1 : 0;
            }
        }
        return n;
    }

    /** The longest vertical run of {@code color} in any column. */
    private static int tallestRun(Canvas c, int color) {
        int best = 0;
        for (int x = 0; x < c.width(); x++) {
            int run = 0;
            for (int y = 0; y < c.height(); y++) {
                run = c.get(x, y) == color ? run + 1 : 0;
                best = Math.max(best, run);
            }
        }
        return best;
    }

    private static int grey(float v) {
        return Math.round(255f * v) * 0x010101;
    }

    // ---- ticks -----------------------------------------------------------------------------------

    @Test
    void niceTicksUseStepsOfOneTwoOrFive() {
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, Ticks.nice(0, 97, 6));
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, Ticks.nice(97, 0, 6), "bounds in either order");
        assertArrayEquals(new double[] {-220, -200, -180, -160, -140, -120, -100, -80}, Ticks.nice(-210, -95, 8));
        assertArrayEquals(new double[] {-250, -200, -150, -100, -50}, Ticks.nice(-210, -95, 6));
        assertArrayEquals(new double[] {0, 0.002, 0.004, 0.006, 0.008, 0.01}, Ticks.nice(0, 0.0097, 6));
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4}, Ticks.nice(0.1, 0.4, 4), "decimal ticks are exact");
        assertArrayEquals(new double[] {0, 0.5, 1}, Ticks.nice(Double.NaN, 3, 5), "non-finite bounds give 0..1");
        assertArrayEquals(new double[] {0, 10, 20, 30, 40, 50}, Ticks.nice(1, 50, 8, 1));
        assertArrayEquals(new double[] {1, 2, 3}, Ticks.nice(1, 3, 11, 1), "integer steps for epochs");
        assertArrayEquals(new double[] {-3, -2, -1, 0, 1, 2, 3}, Ticks.inside(-3.2, 3.2, 7));
        assertArrayEquals(new double[] {-2, 0, 2}, Ticks.inside(-3.2, 3.2, 4));
    }

    @Test
    void degenerateRangesStillGiveTwoOrMoreTicks() {
        double[] constant = Ticks.nice(5, 5, 6);
        assertTrue(constant.length >= 2 && constant[0] < 5 && constant[constant.length - 1] > 5);
        double[] zero = Ticks.nice(0, 0, 6);
        assertTrue(zero[0] < 0 && zero[zero.length - 1] > 0);
        double[] huge = Ticks.nice(-Double.MAX_VALUE, Double.MAX_VALUE, 5);
        assertTrue(huge.length >= 2 && huge.length <= 5);
        double[] top = Ticks.nice(Double.MAX_VALUE, Double.MAX_VALUE, 5);
        assertTrue(top.length >= 2 && Double.isFinite(top[0]) && Double.isFinite(top[top.length - 1]));
        assertEquals(1, Ticks.step(new double[] {3}));
        assertArrayEquals(new double[] {-20, 0, 20}, Ticks.nice(-11, 9, 2), "max 2 counts as 3: 0 is inside");
    }

    @Test
    void niceTicksCoverTheRangeWithAtMostMaxTicks() {
        Random rng = new Random(1);
        for (int trial = 0; trial < 2000; trial++) {
            double scale = Math.pow(10, rng.nextInt(16) - 8);
            double a = (rng.nextDouble() - 0.5) * 200 * scale, b = a + rng.nextDouble() * 100 * scale;
            int max = 3 + rng.nextInt(9);
            double[] t = Ticks.nice(a, b, max);
            String msg = a + ".." + b + " max " + max;
            assertTrue(t.length >= 2 && t.length <= max, msg);
            assertTrue(t[0] <= a && t[t.length - 1] >= b, msg);
            double step = Ticks.step(t);
            double m = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            boolean nice = Math.abs(m - 1) < 1e-6 || Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6;
            assertTrue(nice, msg + " step " + step);
            for (int i = 1; i < t.length; i++) {
                assertEquals(step, t[i] - t[i - 1], step * 1e-6, msg);
            }
            double[] in = Ticks.inside(a, b, max);
            assertTrue(in.length <= max, msg);
            double tol = 1e-6 * (b - a) + 1e-12 * Math.abs(a);
            for (double v : in) {
                assertTrue(v >= a - tol && v <= b + tol, msg);
            }
        }
    }

    @Test
    void tickLabelsAreCompact() {
        assertEquals("-95.3", Ticks.format(-95.3, 0.1));
        assertEquals("-95.5", Ticks.format(-95.5, 0.5));
        assertEquals("-95", Ticks.format(-95, 0.5), "trailing zeros dropped");
        assertEquals("1.2K", Ticks.format(1200, 200));
        assertEquals("1.02K", Ticks.format(1020, 20));
        assertEquals("10K", Ticks.format(10000, 1000));
        assertEquals("1.5M", Ticks.format(1.5e6, 5e5));
        assertEquals("0.001", Ticks.format(0.001, 0.001));
        assertEquals("1E-4", Ticks.format(1e-4, 1e-4));
        assertEquals("2.5E-4", Ticks.format(2.5e-4, 5e-5));
        assertEquals("0.3", Ticks.format(0.1 + 0.2, 0.1));
        assertEquals("0", Ticks.format(-0.0, 1));
        assertEquals("0", Ticks.format(1e-17, 0.1), "rounding noise around zero");
        assertEquals("100", Ticks.format(100, 20));
        assertEquals("1E15", Ticks.format(1e15, 1e14));
        assertEquals("NAN", Ticks.format(Double.NaN, 1));
        assertEquals("-INF", Ticks.format(Double.NEGATIVE_INFINITY, 1));
        assertEquals("-95.3", Ticks.compact(-95.34));
        assertEquals("1.23K", Ticks.compact(1234));
        assertEquals("0.001", Ticks.compact(0.001));
        assertEquals("0.0123", Ticks.compact(0.01234));
        assertEquals("1.23E-4", Ticks.compact(0.0001234));
        assertEquals("1E-3", Ticks.format(0.001, 0.0001), "a tick of a finer axis");
        assertEquals("0", Ticks.compact(0));
    }

    // ---- canvas and font -------------------------------------------------------------------------

    @Test
    void fontHasEveryCharacterTheFiguresUse() {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,-+:/()=%_|<>'\"!?[]*#;~\u00B2\u00D7";
        for (char ch : chars.toCharArray()) {
            assertNotEquals(0L, Font.glyph(ch), "glyph for '" + ch + "'");
        }
        assertEquals(0L, Font.glyph(' '));
    }

    @Test
    void canvasDrawsLinesRectanglesAndRotatedText(@TempDir Path dir) throws IOException {
        Canvas c = new Canvas(60, 40, WHITE);
        c.line(2, 3, 20, 9, 0xFF0000);
        assertEquals(0xFF0000, c.get(2, 3));
        assertEquals(0xFF0000, c.get(20, 9));
        c.line(30, 30, 30, 30, 0x00FF00, 3); // a point with a 3-pixel pen: a 3×3 square around it
        assertEquals(9, count(c, 0x00FF00));
        c.rect(40, 2, 10, 5, 0x0000FF);
        assertEquals(2 * 10 + 2 * 3, count(c, 0x0000FF));
        assertEquals(WHITE, c.get(45, 4), "outline only");
        c.clip(0, 0, 10, 10);
        c.fillRect(5, 5, 20, 20, 0x123456);
        c.unclip();
        assertEquals(25, count(c, 0x123456), "clipped to 5×5");
        c.textUp(50, 10, "AB", 0x000000, 1);
        assertEquals(0x000000, c.get(50, 10 + Canvas.textWidth("AB", 1) - 1 - 1),
                "the 'A' starts at the bottom: its top row runs up the left column");
        assertEquals(WHITE, c.get(50, 10 + Canvas.textWidth("AB", 1) - 1), "the corner of the 'A' is blank");
        roundTrip(c, dir, "canvas.png");
        assertThrows(IndexOutOfBoundsException.class, () -> c.get(60, 0));
        assertEquals(0x808080, Canvas.mix(0x000000, 0xFFFFFF, 0.5));
        assertEquals(0x123456, Canvas.mix(0x123456, 0xFFFFFF, -1), "t is clamped");
        assertEquals(0xFFFFFF, Canvas.mix(0x123456, 0xFFFFFF, 2), "t is clamped");
        assertEquals(Canvas.category(3), Canvas.category(13));
        assertEquals(29, Canvas.textWidth("ABCDE", 1));
        assertEquals(List.of("ELBO per", "epoch"), Canvas.wrap("ELBO per epoch", 8 * 6, 1));
        assertEquals(List.of("ABCD", "EF"), Canvas.wrap("ABCDEF", 4 * 6, 1), "long words are broken");
        assertEquals(List.of(), Canvas.wrap("", 100, 1));
    }

    // ---- image grids -----------------------------------------------------------------------------

    /** n images of h×w with distinct values: image k pixel (r, c) = (k·h·w + r·w + c) / (n·h·w − 1). */
    private static float[] ramp(int n, int h, int w) {
        float[] v = new float[n * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) i / (v.length - 1);
        }
        return v;
    }

    @Test
    void gridPutsEachImagePixelInItsPlace(@TempDir Path dir) throws IOException {
        int n = 5, h = 3, w = 4, cols = 3, s = 2;
        float[] images = ramp(n, h, w);
        String title = "Samples from the prior";
        Canvas c = ImageGrid.grid(title, images, n, h, w, cols, s);
        BufferedImage img = roundTrip(c, dir, "grid.png");
        int top = ImageGrid.gridTop(title, c.width());
        assertEquals(ImageGrid.MIN_WIDTH, c.width());
        assertEquals(top + 2 * (h * s + ImageGrid.GAP) - ImageGrid.GAP + ImageGrid.MARGIN, c.height());
        for (int k = 0; k < n; k++) {
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    int x = ImageGrid.MARGIN + (k % cols) * (w * s + ImageGrid.GAP) + col * s;
                    int y = top + (k / cols) * (h * s + ImageGrid.GAP) + r * s;
                    int expected = grey(images[(k * h + r) * w + col]);
                    for (int d = 0; d < s * s; d++) {
                        assertEquals(expected, img.getRGB(x + d % s, y + d / s) & 0xFFFFFF,
                                "image " + k + " pixel " + r + "," + col);
                    }
                }
            }
        }
        // the gap right of image 0 and below row 0 is paper; image 5 (absent) leaves paper
        assertEquals(WHITE, c.get(ImageGrid.MARGIN + w * s, top));
        assertEquals(WHITE, c.get(ImageGrid.MARGIN, top + h * s));
        assertEquals(WHITE, c.get(ImageGrid.MARGIN + 2 * (w * s + ImageGrid.GAP), top + h * s + ImageGrid.GAP));
        int ink = 0;
        for (int y = ImageGrid.MARGIN; y < top; y++) {
            for (int x = 0; x < c.width(); x++) {
                ink += c.get(x, y) == Axes.INK ? 1 : 0;
            }
        }
        assertTrue(ink > 50, "the title is written above the grid");
    }

    @Test
    void gridClampsValuesAndFlagsNaN() {
        float[] v = {-0.5f, 1.5f, Float.NaN, 0.5f};
        Canvas c = ImageGrid.grid("", v, 1, 2, 2, 4, 1);
        int top = ImageGrid.gridTop("", c.width());
        assertEquals(ImageGrid.MARGIN, top, "no title, no title block");
        assertEquals(0x000000, c.get(ImageGrid.MARGIN, top));
        assertEquals(0xFFFFFF, c.get(ImageGrid.MARGIN + 1, top));
        assertEquals(ImageGrid.NAN_COLOR, c.get(ImageGrid.MARGIN, top + 1));
        assertEquals(0x808080, c.get(ImageGrid.MARGIN + 1, top + 1));
        assertEquals(ImageGrid.MIN_WIDTH, ImageGrid.grid("T", new float[0], 0, 8, 8, 10, 4).width(), "no images");
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid("T", new float[7], 2, 2, 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid("T", new float[8], 2, 2, 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid("T", new float[8], 2, 2, 2, 1, 0));
    }

    @Test
    void wideGridsOfMnistSizeComeOutAtTheRequestedScale() {
        Canvas c = ImageGrid.grid("MNIST", new float[16 * 28 * 28], 16, 28, 28, 8, 2);
        assertEquals(8 * (56 + ImageGrid.GAP) - ImageGrid.GAP + 2 * ImageGrid.MARGIN, c.width());
    }

    @Test
    void pairsAlignInputsAboveReconstructions(@TempDir Path dir) throws IOException {
        int n = 7, h = 8, w = 8, cols = 4, s = 4;
        float[] top = ramp(n, h, w);
        float[] bottom = new float[n * h * w];
        for (int i = 0; i < bottom.length; i++) {
            bottom[i] = 1 - top[i];
        }
        String title = "Reconstructions of test digits";
        Canvas c = ImageGrid.pairs(title, "Input", top, "Reconstruction", bottom, n, h, w, cols, s);
        BufferedImage img = roundTrip(c, dir, "pairs.png");
        int gridH = ImageGrid.gridHeight(n, cols, h, s);
        int[] tops = ImageGrid.pairTops(title, "Input", "Reconstruction", c.width(), gridH);
        assertTrue(tops[1] >= tops[0] + gridH + ImageGrid.MARGIN, "the lower block starts below the upper one");
        assertEquals(tops[1] + gridH + ImageGrid.MARGIN, c.height());
        for (int k = 0; k < n; k++) {
            for (int r = 0; r < h; r += 3) {
                for (int col = 0; col < w; col += 2) {
                    int x = ImageGrid.MARGIN + (k % cols) * (w * s + ImageGrid.GAP) + col * s;
                    int dy = (k / cols) * (h * s + ImageGrid.GAP) + r * s;
                    int i = (k * h + r) * w + col;
                    assertEquals(grey(top[i]), img.getRGB(x + 1, tops[0] + dy + 2) & 0xFFFFFF, "input " + k);
                    assertEquals(grey(bottom[i]), img.getRGB(x + 1, tops[1] + dy + 2) & 0xFFFFFF, "recon " + k);
                }
            }
        }
        // the label of the lower block sits between the blocks
        int ink = 0;
        for (int y = tops[0] + gridH; y < tops[1]; y++) {
            for (int x = 0; x < c.width(); x++) {
                ink += c.get(x, y) == Axes.MUTED ? 1 : 0;
            }
        }
        assertTrue(ink > 20, "lower block label");
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.pairs("T", "A", top, "B", new float[3], n, h, w, cols, s));
    }

    // ---- line charts -----------------------------------------------------------------------------

    @Test
    void lineChartDrawsEverySeriesInItsColour(@TempDir Path dir) throws IOException {
        double[] train = new double[50], val = new double[50];
        for (int e = 0; e < 50; e++) {
            train[e] = -210 + 115 * (1 - Math.exp(-e / 6.0));
            val[e] = train[e] - 5;
        }
        int red = 0xD62728, blue = 0x1F77B4;
        Canvas c = LineChart.chart(480, 320, "ELBO per epoch", "Epoch", "ELBO",
                List.of(Series.of("train", train, blue), Series.of("validation", val, red)));
        roundTrip(c, dir, "chart.png");
        assertTrue(count(c, blue) > 300, "train line");
        assertTrue(count(c, red) > 300, "validation line");
        assertTrue(count(c, Axes.INK) > 500, "frame, ticks and labels");
        assertTrue(count(c, Axes.GRID) > 100, "grid lines");
    }

    @Test
    void linesAreTwoPixelsThickAndShortSeriesGetMarkers() {
        int green = 0x2CA02C;
        double[] flat31 = new double[31], flat5 = new double[5];
        java.util.Arrays.fill(flat31, 1);
        java.util.Arrays.fill(flat5, 1);
        Canvas many = LineChart.chart(480, 320, "", "", "", List.of(Series.of("", flat31, green)));
        Canvas few = LineChart.chart(480, 320, "", "", "", List.of(Series.of("", flat5, green)));
        assertEquals(2, tallestRun(many, green), "a horizontal line 2 pixels thick, no markers");
        assertEquals(5, tallestRun(few, green), "discs of radius 2 at the points");
    }

    @Test
    void nanPointsLeaveAGap() {
        int orange = 0xFF7F0E;
        double[] y = new double[100];
        for (int i = 0; i < y.length; i++) {
            y[i] = i >= 40 && i < 60 ? Double.NaN : Math.sin(i / 10.0);
        }
        y[10] = Double.POSITIVE_INFINITY;
        Canvas c = LineChart.chart(480, 320, "gap", "step", "loss", List.of(Series.of("", y, orange)));
        boolean[] inked = new boolean[c.width()];
        for (int x = 0; x < c.width(); x++) {
            for (int yy = 0; yy < c.height(); yy++) {
                inked[x] |= c.get(x, yy) == orange;
            }
        }
        int first = -1, last = -1, longestGap = 0, gap = 0;
        for (int x = 0; x < inked.length; x++) {
            if (inked[x]) {
                first = first < 0 ? x : first;
                last = x;
                longestGap = Math.max(longestGap, gap);
                gap = 0;
            } else if (first >= 0) {
                gap++;
            }
        }
        assertTrue(last - first > 300, "the line spans the plot");
        assertTrue(longestGap > 60, "20 missing points of 100 leave a gap: " + longestGap);
    }

    @Test
    void degenerateSeriesRenderWithoutException(@TempDir Path dir) throws IOException {
        int purple = 0x9467BD, brown = 0x8C564B, pink = 0xE377C2;
        Canvas c = LineChart.chart(360, 240, "Constant and single", "x", "y", List.of(
                Series.of("constant", new double[] {5, 5, 5}, purple),
                new Series("single", new double[] {2}, new double[] {5.2}, brown),
                Series.of("empty", new double[0], pink),
                Series.of("all NaN", new double[] {Double.NaN, Double.NaN}, 0x17BECF)));
        roundTrip(c, dir, "degenerate.png");
        assertTrue(count(c, purple) > 100, "constant line");
        assertTrue(count(c, brown) >= 21 + 32, "single point marker and legend swatch");
        assertTrue(count(c, pink) > 0, "the empty series is still in the legend");
        Canvas only = LineChart.chart(200, 150, "one", "", "", List.of(Series.of("", new double[] {-3}, brown)));
        assertEquals(21, count(only, brown), "a lone point is a disc of radius 2 (21 pixels)");
        Canvas none = LineChart.chart(200, 150, "no data", "x", "y", List.of());
        assertTrue(count(none, Axes.MUTED) > 20, "says NO DATA");
        Canvas tiny = LineChart.chart(20, 10, "tiny", "x", "y", List.of(Series.of("a", new double[] {1, 2}, brown)));
        assertEquals(20, tiny.width(), "a region too small for a plot does not throw");
        Canvas inf = LineChart.chart(300, 200, "", "", "", List.of(new Series("", new double[] {0, 1, 2},
                new double[] {Double.NEGATIVE_INFINITY, 1e300, -1e300}, brown)));
        assertTrue(count(inf, brown) > 0);
    }

    @Test
    void longTitlesWrapAndKeepSideBySidePlotsAligned() {
        List<Series> s = List.of(Series.of("train", new double[] {1, 2, 3}, 0x1F77B4));
        Canvas shortTitle = LineChart.chart(640, 400, "KL PER EPOCH", "EPOCH", "NATS", s);
        Canvas longTitle = LineChart.chart(640, 400, "BOUND PER EPOCH (NATS, HIGHER IS BETTER)", "EPOCH", "NATS", s);
        Canvas veryLong = LineChart.chart(640, 400, "A TITLE SO LONG THAT EVEN AT THE SMALL TEXT SCALE IT HAS TO WRAP "
                + "ONTO A SECOND LINE", "EPOCH", "NATS", s);
        assertEquals(frameTop(shortTitle), frameTop(longTitle), "a one-line title at either scale takes one band");
        assertTrue(frameTop(veryLong) > frameTop(shortTitle), "a wrapped title takes more room");
    }

    /** The first row with a long run of frame ink: the top of the plot's frame. */
    private static int frameTop(Canvas c) {
        for (int y = 0; y < c.height(); y++) {
            int run = 0;
            for (int x = 0; x < c.width(); x++) {
                run = c.get(x, y) == Axes.INK ? run + 1 : 0;
                if (run > 200) {
                    return y;
                }
            }
        }
        return -1;
    }

    @Test
    void seriesValidatesItsArrays() {
        assertThrows(IllegalArgumentException.class, () -> new Series("a", new double[2], new double[3], 0));
        assertThrows(IllegalArgumentException.class, () -> new Series("a", null, null, 0));
        Series s = Series.of(null, new double[] {4, 5, 6}, 0);
        assertArrayEquals(new double[] {1, 2, 3}, s.x());
        assertEquals("", s.name());
    }

    @Test
    void clippingKeepsTheInsideOfASegment() {
        assertArrayEquals(new double[] {0, 5, 10, 5}, LineChart.clip(-10, 5, 20, 5, 0, 0, 10, 10), 1e-12);
        assertEquals(null, LineChart.clip(-10, -5, 20, -5, 0, 0, 10, 10));
        assertArrayEquals(new double[] {2, 3, 4, 5}, LineChart.clip(2, 3, 4, 5, 0, 0, 10, 10), 1e-12);
    }

    @Test
    void panelsSitSideBySideAndCaptionsGoOnTop() {
        Canvas a = new Canvas(10, 10, 0xFF0000), b = new Canvas(20, 5, 0x0000FF), d = new Canvas(4, 4, 0x00FF00);
        Canvas p = Figure.panels(2, a, b, d);
        int g = Figure.GAP;
        assertEquals(g + 10 + g + 20 + g, p.width());
        assertEquals(g + 10 + g + 4 + g, p.height());
        assertEquals(0xFF0000, p.get(g, g));
        assertEquals(0x0000FF, p.get(g + 10 + g, g));
        assertEquals(WHITE, p.get(g + 10 + g, g + 5), "below the lower panel b: paper");
        assertEquals(0x00FF00, p.get(g, g + 10 + g));
        Canvas captioned = Figure.caption("Training curves", p, 1);
        assertEquals(p.width(), captioned.width());
        assertTrue(captioned.height() > p.height());
        assertEquals(0x00FF00, captioned.get(g, captioned.height() - p.height() + g + 10 + g));
        assertThrows(IllegalArgumentException.class, () -> Figure.panels(0, a));
        assertThrows(IllegalArgumentException.class, () -> Figure.panels(2));
    }

    // ---- latent scatter --------------------------------------------------------------------------

    @Test
    void latentScatterColoursPointsByLabel(@TempDir Path dir) throws IOException {
        int n = 10;
        double[] zx = new double[n], zy = new double[n];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            zx[k] = 2 * Math.cos(2 * Math.PI * k / n);
            zy[k] = 2 * Math.sin(2 * Math.PI * k / n);
            labels[k] = k;
        }
        Canvas c = LatentScatter.plot(520, 440, "Posterior means", zx, zy, labels,
                (x, y) -> -0.5 * (x * x + y * y), new double[] {-3, 3, -3, 3});
        roundTrip(c, dir, "latent.png");
        int swatch = 5 * 5;
        for (int k = 0; k < n; k++) {
            assertEquals(swatch + 9, count(c, Canvas.category(k)), "label " + k + ": legend swatch and a 3×3 dot");
        }
        assertTrue(count(c, LatentScatter.DENSITY_COLOR) > 0, "the prior's mode is shaded at full strength");

        // a point outside the extent is left out (only its legend swatch remains)
        Canvas out = LatentScatter.plot(520, 440, "", new double[] {0, 9}, new double[] {0, 0}, new int[] {1, 2},
                null, new double[] {-3, 3, -3, 3});
        assertEquals(swatch + 9, count(out, Canvas.category(1)));
        assertEquals(swatch, count(out, Canvas.category(2)));
        assertEquals(0, count(out, LatentScatter.DENSITY_COLOR), "no prior, no shading");
    }

    @Test
    void latentScatterWithoutLabelsOrPointsOrPrior() {
        Random rng = new Random(2);
        int n = 4000;
        double[] zx = new double[n], zy = new double[n];
        for (int i = 0; i < n; i++) {
            zx[i] = rng.nextGaussian();
            zy[i] = 3 * rng.nextGaussian();
        }
        zx[0] = Double.NaN;
        Canvas c = LatentScatter.plot(400, 320, "no labels", zx, zy, null, (x, y) -> Double.NaN, null);
        assertTrue(count(c, LatentScatter.UNLABELLED) > 1000);
        assertEquals(0, count(c, Canvas.category(1)), "no legend without labels");
        Canvas empty = LatentScatter.plot(300, 240, "none", new double[0], new double[0], new int[0], null, null);
        assertEquals(300, empty.width());
        Canvas negative = LatentScatter.plot(300, 240, "", new double[] {0}, new double[] {0}, new int[] {-1},
                null, null);
        assertTrue(count(negative, LatentScatter.colorOf(-1)) >= 9);
    }

    @Test
    void latentScatterValidatesItsInputs() {
        double[] z = {0, 1};
        assertThrows(IllegalArgumentException.class,
                () -> LatentScatter.plot(300, 200, "", z, new double[3], null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> LatentScatter.plot(300, 200, "", z, z, new int[1], null, null));
        assertThrows(IllegalArgumentException.class,
                () -> LatentScatter.plot(300, 200, "", z, z, null, null, new double[] {0, 1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> LatentScatter.plot(300, 200, "", z, z, null, null, new double[] {1, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> LatentScatter.plot(300, 200, "", z, z, null, null, new double[] {0, 1, 0, Double.NaN}));
    }

    @Test
    void extentsComeFromThePointsAndMatchThePlotsAspect() {
        assertArrayEquals(new double[] {-0.05, 1.05, -0.1, 2.1},
                LatentScatter.extentOf(new double[] {0, 1}, new double[] {0, 2}), 1e-12);
        assertArrayEquals(new double[] {0, 2, 4, 6},
                LatentScatter.extentOf(new double[] {1, Double.NaN}, new double[] {5, 0}), 1e-12);
        assertArrayEquals(new double[] {-3, 3, -3, 3}, LatentScatter.extentOf(new double[0], new double[0]));
        assertArrayEquals(new double[] {-0.5, 1.5, 0, 1}, LatentScatter.fitAspect(new double[] {0, 1, 0, 1}, 200, 100));
        assertArrayEquals(new double[] {0, 1, -0.5, 1.5}, LatentScatter.fitAspect(new double[] {0, 1, 0, 1}, 100, 200));
    }

    @Test
    void regionsOfABiggerCanvasAreRespected() {
        Canvas c = new Canvas(900, 400, WHITE);
        List<Series> s = new ArrayList<>(List.of(Series.of("a", new double[] {1, 3, 2}, 0xD62728)));
        LineChart.draw(c, 0, 0, 450, 400, "left", "x", "y", s);
        LatentScatter.draw(c, 450, 0, 450, 400, "right", new double[] {0}, new double[] {0}, new int[] {0}, null,
                null);
        for (int y = 0; y < 400; y++) {
            for (int x = 0; x < 450; x++) {
                assertNotEquals(Canvas.category(0), c.get(x, y), "nothing of the right panel on the left");
            }
            for (int x = 450; x < 900; x++) {
                assertNotEquals(0xD62728, c.get(x, y), "nothing of the left panel on the right");
            }
        }
    }
}
