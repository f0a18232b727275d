package elbo.models.report;

import java.util.List;

/**
 * Grids of small grey images (digits: data, samples, reconstructions) in the MNIST convention: 0 is a black
 * background, 1 white ink. Each image pixel becomes a {@code scale × scale} square of grey
 * {@code round(255 · v)} (values clamped to [0, 1]; NaN shows as magenta so that it is not mistaken for ink).
 * Images are {@value #GAP} pixels apart on a white sheet with a {@value #MARGIN}-pixel margin, under a title
 * (text scale 2, word-wrapped); {@link #pairs} labels its two blocks at scale 2 when both labels fit on a line,
 * else at scale 1.
 * For 8×8 digits a scale of 4, for 28×28 MNIST a scale of 2 reads well.
 */
public final class ImageGrid {
    static final int MARGIN = 8;
    static final int GAP = 2;
    static final int TITLE_SCALE = 2;
    static final int MIN_WIDTH = 200;
    static final int PAPER = 0xFFFFFF;
    static final int NAN_COLOR = 0xFF00FF;

    private ImageGrid() {
    }

    /**
     * {@code n} images of {@code height × width} pixels, row-major one after another in {@code images}
     * ({@code [n, height·width]}), in a grid of {@code columns} columns filled row by row, under {@code title}
     * (word-wrapped to the sheet's width), on a sheet at least {@value #MIN_WIDTH} pixels wide. Image k's
     * pixel (r, c) is the square at x = {@value #MARGIN} + (k mod columns)·(width·scale + {@value #GAP}) + c·scale,
     * y = top + ⌊k / columns⌋·(height·scale + {@value #GAP}) + r·scale, top being the height of the title block.
     *
     * @throws IllegalArgumentException if {@code images} holds fewer than {@code n·height·width} values or a
     *                                  size is not positive (n may be 0)
     */
    public static Canvas grid(String title, float[] images, int n, int height, int width, int columns, int scale) {
        check(images, n, height, width, columns, scale);
        int cols = Math.max(1, Math.min(columns, n));
        int sheetW = sheetWidth(cols, width, scale);
        List<String> titleLines = lines(title, sheetW, TITLE_SCALE);
        int top = gridTop(title, sheetW);
        Canvas canvas = new Canvas(sheetW, top + gridHeight(n, cols, height, scale) + MARGIN, PAPER);
        writeLines(canvas, titleLines, MARGIN, TITLE_SCALE, Axes.INK);
        drawImages(canvas, MARGIN, top, images, n, height, width, cols, scale);
        return canvas;
    }

    /**
     * Inputs above their reconstructions: the first {@code n} images of {@code top} in a labelled upper block
     * and the first {@code n} of {@code bottom} in a labelled lower block, both in {@code columns} columns so that
     * image k of one block is straight above (or below) image k of the other.
     *
     * @throws IllegalArgumentException as for {@link #grid}, for either array
     */
    public static Canvas pairs(String title, String topLabel, float[] top, String bottomLabel, float[] bottom,
                               int n, int height, int width, int columns, int scale) {
        check(top, n, height, width, columns, scale);
        check(bottom, n, height, width, columns, scale);
        int cols = Math.max(1, Math.min(columns, n));
        int sheetW = sheetWidth(cols, width, scale);
        int gridH = gridHeight(n, cols, height, scale);
        List<String> titleLines = lines(title, sheetW, TITLE_SCALE);
        int labelScale = labelScale(topLabel, bottomLabel, sheetW);
        List<String> topLines = lines(topLabel, sheetW, labelScale);
        List<String> bottomLines = lines(bottomLabel, sheetW, labelScale);
        int[] tops = pairTops(title, topLabel, bottomLabel, sheetW, gridH);
        int topGrid = tops[0];
        int bottomGrid = tops[1];
        int bottomLabelY = topGrid + gridH + 2 * MARGIN;
        Canvas canvas = new Canvas(sheetW, bottomGrid + gridH + MARGIN, PAPER);
        writeLines(canvas, titleLines, MARGIN, TITLE_SCALE, Axes.INK);
        writeLines(canvas, topLines, topGrid - blockHeight(topLines, labelScale), labelScale, Axes.MUTED);
        writeLines(canvas, bottomLines, bottomLabelY, labelScale, Axes.MUTED);
        drawImages(canvas, MARGIN, topGrid, top, n, height, width, cols, scale);
        drawImages(canvas, MARGIN, bottomGrid, bottom, n, height, width, cols, scale);
        return canvas;
    }

    private static void check(float[] images, int n, int height, int width, int columns, int scale) {
        if (n < 0 || height <= 0 || width <= 0 || columns <= 0 || scale <= 0) {
            throw new IllegalArgumentException("ImageGrid: n=" + n + ", " + height + "x" + width + " pixels, "
                    + columns + " columns, scale " + scale);
        }
        long needed = (long) n * height * width;
        if (images == null || images.length < needed) {
            throw new IllegalArgumentException("ImageGrid: " + n + " images of " + height + "x" + width + " need "
                    + needed + " values, got " + (images == null ? "null" : images.length));
        }
    }

    /** The y of the grid's top edge under {@code title} on a sheet {@code sheetW} wide. */
    static int gridTop(String title, int sheetW) {
        return MARGIN + blockHeight(lines(title, sheetW, TITLE_SCALE), TITLE_SCALE);
    }

    /** The y of the upper and the lower grid's top edges of {@link #pairs}, each block {@code gridH} high. */
    static int[] pairTops(String title, String topLabel, String bottomLabel, int sheetW, int gridH) {
        int s = labelScale(topLabel, bottomLabel, sheetW);
        int upper = gridTop(title, sheetW) + blockHeight(lines(topLabel, sheetW, s), s);
        int lower = upper + gridH + 2 * MARGIN + blockHeight(lines(bottomLabel, sheetW, s), s);
        return new int[] {upper, lower};
    }

    /** The block labels' text scale: 2 when both fit on one line, else 1. */
    private static int labelScale(String topLabel, String bottomLabel, int sheetW) {
        int room = sheetW - 2 * MARGIN;
        return Canvas.textWidth(topLabel == null ? "" : topLabel, 2) <= room
                && Canvas.textWidth(bottomLabel == null ? "" : bottomLabel, 2) <= room ? 2 : 1;
    }

    static int gridHeight(int n, int cols, int height, int scale) {
        int rows = (n + cols - 1) / cols;
        return rows == 0 ? 0 : rows * (height * scale + GAP) - GAP;
    }

    /** The sheet's width: the grid plus margins, at least {@link #MIN_WIDTH}. */
    static int sheetWidth(int cols, int width, int scale) {
        return Math.max(MIN_WIDTH, cols * (width * scale + GAP) - GAP + 2 * MARGIN);
    }

    private static List<String> lines(String text, int sheetW, int scale) {
        return Canvas.wrap(text == null ? "" : text, sheetW - 2 * MARGIN, scale);
    }

    /** The height of a block of text lines plus the space under it (0 for no lines). */
    static int blockHeight(List<String> lines, int scale) {
        return lines.isEmpty() ? 0 : lines.size() * (Canvas.textHeight(scale) + 3 * scale) - 3 * scale + MARGIN;
    }

    private static void writeLines(Canvas canvas, List<String> lines, int y, int scale, int color) {
        for (String line : lines) {
            canvas.text(MARGIN, y, line, color, scale);
            y += Canvas.textHeight(scale) + 3 * scale;
        }
    }

    private static void drawImages(Canvas canvas, int left, int top, float[] images, int n, int height, int width,
                                   int cols, int scale) {
        for (int k = 0; k < n; k++) {
            int x0 = left + (k % cols) * (width * scale + GAP);
            int y0 = top + (k / cols) * (height * scale + GAP);
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    canvas.fillRect(x0 + c * scale, y0 + r * scale, scale, scale,
                            grey(images[(k * height + r) * width + c]));
                }
            }
        }
    }

    /** The colour of pixel value v: grey round(255 · v) for v clamped to [0, 1], magenta for NaN. */
    static int grey(float v) {
        if (Float.isNaN(v)) {
            return NAN_COLOR;
        }
        int g = Math.round(255f * Math.max(0f, Math.min(1f, v)));
        return g * 0x010101;
    }
}
