package elbo.models.report;

import java.util.List;

/**
 * Composes finished panels into one figure: a grid of panels, and a caption line (or lines) above a figure.
 */
public final class Figure {
    /** Pixels between panels and around the edge of a composed figure. */
    static final int GAP = 8;
    static final int BACKGROUND = 0xFFFFFF;

    private Figure() {
    }

    /**
     * The panels in a grid of {@code columns} columns, filled row by row, on white with {@value #GAP}-pixel gaps
     * and margins; each cell is as wide as the widest panel of its column and as high as the highest of its row,
     * and each panel sits at its cell's top-left corner.
     *
     * @throws IllegalArgumentException if there are no panels or columns &lt; 1
     */
    public static Canvas panels(int columns, Canvas... panels) {
        if (columns < 1 || panels.length == 0) {
            throw new IllegalArgumentException(
                    "Figure.panels: " + panels.length + " panels in " + columns + " columns");
        }
        int cols = Math.min(columns, panels.length);
        int rows = (panels.length + cols - 1) / cols;
        int[] colW = new int[cols];
        int[] rowH = new int[rows];
        for (int i = 0; i < panels.length; i++) {
            colW[i % cols] = Math.max(colW[i % cols], panels[i].width());
            rowH[i / cols] = Math.max(rowH[i / cols], panels[i].height());
        }
        int width = GAP, height = GAP;
        for (int c : colW) {
            width += c + GAP;
        }
        for (int r : rowH) {
            height += r + GAP;
        }
        Canvas out = new Canvas(width, height, BACKGROUND);
        int y = GAP;
        for (int r = 0; r < rows; r++) {
            int x = GAP;
            for (int c = 0; c < cols && r * cols + c < panels.length; c++) {
                out.draw(panels[r * cols + c], x, y);
                x += colW[c] + GAP;
            }
            y += rowH[r] + GAP;
        }
        return out;
    }

    /**
     * {@code figure} with {@code caption} above it, in the 5×7 font at scale {@code scale} (2 is a good title
     * size), word-wrapped to the figure's width.
     */
    public static Canvas caption(String caption, Canvas figure, int scale) {
        int s = Math.max(1, scale);
        List<String> lines = Canvas.wrap(caption, figure.width() - 2 * GAP, s);
        int lineH = Canvas.textHeight(s) + 3 * s;
        int head = lines.isEmpty() ? 0 : GAP + lines.size() * lineH;
        Canvas out = new Canvas(figure.width(), figure.height() + head, BACKGROUND);
        int y = GAP;
        for (String line : lines) {
            out.text((figure.width() - Canvas.textWidth(line, s)) / 2, y, line, Axes.INK, s);
            y += lineH;
        }
        out.draw(figure, 0, head);
        return out;
    }
}
