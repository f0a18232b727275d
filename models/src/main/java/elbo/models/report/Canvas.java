package elbo.models.report;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An RGB pixel canvas for report figures: heat maps of densities and histograms, panels side by side,
 * and short labels in a built-in 5×7 bitmap font (upper-case letters, digits and a little punctuation).
 */
public final class Canvas {
    private final int width;
    private final int height;
    private final int[] rgb;

    public Canvas(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.rgb = new int[width * height];
        java.util.Arrays.fill(rgb, background);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public void set(int x, int y, int color) {
        if (x >= 0 && y >= 0 && x < width && y < height) {
            rgb[y * width + x] = color;
        }
    }

    /**
     * Draws {@code values} (row-major {@code rows × cols}, row 0 at the top) as a heat map at
     * {@code (x0, y0)}, each cell {@code cell} pixels, colour by {@link #viridis} of value / max.
     */
    public void heatMap(int x0, int y0, double[] values, int rows, int cols, int cell) {
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = values[r * cols + c];
                int color = viridis(max > 0 && Double.isFinite(v) ? v / max : 0.0);
                for (int dy = 0; dy < cell; dy++) {
                    for (int dx = 0; dx < cell; dx++) {
                        set(x0 + c * cell + dx, y0 + r * cell + dy, color);
                    }
                }
            }
        }
    }

    /** A perceptually ordered colour for t in [0, 1] (piecewise-linear through viridis' key colours). */
    public static int viridis(double t) {
        int[] stops = {0x440154, 0x3B528B, 0x21918C, 0x5EC962, 0xFDE725};
        double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min((int) x, stops.length - 2);
        double f = x - i;
        int a = stops[i], b = stops[i + 1];
        int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
        int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
        return (r << 16) | (g << 8) | bl;
    }

    /** Writes {@code text} with its top-left corner at (x, y), {@code scale} pixels per font dot. */
    public void text(int x, int y, String text, int color, int scale) {
        int cx = x;
        for (char ch : text.toUpperCase(java.util.Locale.ROOT).toCharArray()) {
            long glyph = Font.glyph(ch);
            for (int row = 0; row < 7; row++) {
                for (int col = 0; col < 5; col++) {
                    if ((glyph >>> (row * 5 + (4 - col)) & 1L) != 0) {
                        for (int sy = 0; sy < scale; sy++) {
                            for (int sx = 0; sx < scale; sx++) {
                                set(cx + col * scale + sx, y + row * scale + sy, color);
                            }
                        }
                    }
                }
            }
            cx += 6 * scale;
        }
    }

    /** Writes the canvas as a PNG file. */
    public void writePng(Path file) throws IOException {
        Png.write(file, width, height, rgb);
    }
}
