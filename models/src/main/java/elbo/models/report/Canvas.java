package elbo.models.report;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An RGB pixel canvas for report figures: heat maps of densities and histograms, rectangles, lines and discs,
 * panels side by side, and short labels in a built-in 5×7 bitmap font (upper-case letters, digits and a little
 * punctuation), horizontal or reading upwards. Drawing outside the canvas (or the current clip) is ignored.
 */
public final class Canvas {
    private final int width;
    private final int height;
    private final int[] rgb;
    // the clip rectangle [clipX0, clipX1) × [clipY0, clipY1) that set() respects; the whole canvas by default
    private int clipX0;
    private int clipY0;
    private int clipX1;
    private int clipY1;

    /** A {@code width × height} canvas filled with the colour {@code background} ({@code 0xRRGGBB}). */
    public Canvas(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.rgb = new int[width * height];
        java.util.Arrays.fill(rgb, background);
        unclip();
    }

    /** The width in pixels. */
    public int width() {
        return width;
    }

    /** The height in pixels. */
    public int height() {
        return height;
    }

    /** Sets one pixel; pixels outside the canvas (or outside the current {@link #clip}) are ignored. */
    public void set(int x, int y, int color) {
        if (x >= clipX0 && y >= clipY0 && x < clipX1 && y < clipY1) {
            rgb[y * width + x] = color;
        }
    }

    /** The colour ({@code 0xRRGGBB}) of pixel (x, y). @throws IndexOutOfBoundsException outside the canvas */
    public int get(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("pixel " + x + "," + y + " outside " + width + "x" + height);
        }
        return rgb[y * width + x];
    }

    /** Restricts all later drawing to the rectangle at (x, y) of size w × h (intersected with the canvas). */
    public void clip(int x, int y, int w, int h) {
        clipX0 = Math.max(0, x);
        clipY0 = Math.max(0, y);
        clipX1 = Math.min(width, x + Math.max(0, w));
        clipY1 = Math.min(height, y + Math.max(0, h));
    }

    /** Lifts the clip rectangle: drawing may touch the whole canvas again. */
    public void unclip() {
        clipX0 = 0;
        clipY0 = 0;
        clipX1 = width;
        clipY1 = height;
    }

    /** Fills the rectangle with top-left corner (x, y), {@code w} pixels wide and {@code h} high. */
    public void fillRect(int x, int y, int w, int h, int color) {
        int xa = Math.max(x, clipX0), xb = Math.min(x + w, clipX1);
        int ya = Math.max(y, clipY0), yb = Math.min(y + h, clipY1);
        for (int yy = ya; yy < yb; yy++) {
            java.util.Arrays.fill(rgb, yy * width + xa, yy * width + Math.max(xa, xb), color);
        }
    }

    /** Draws the 1-pixel outline of the rectangle with top-left corner (x, y), {@code w} × {@code h} pixels. */
    public void rect(int x, int y, int w, int h, int color) {
        if (w <= 0 || h <= 0) {
            return;
        }
        fillRect(x, y, w, 1, color);
        fillRect(x, y + h - 1, w, 1, color);
        fillRect(x, y, 1, h, color);
        fillRect(x + w - 1, y, 1, h, color);
    }

    /** A 1-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham). */
    public void line(int x0, int y0, int x1, int y1, int color) {
        line(x0, y0, x1, y1, color, 1);
    }

    /**
     * A line from (x0, y0) to (x1, y1) drawn with a square pen of {@code thickness} pixels (Bresenham; the pen's
     * top-left pixel is offset by {@code -(thickness - 1) / 2} from the line). Callers keep the end points near
     * the canvas: the cost is proportional to the line's length.
     */
    public void line(int x0, int y0, int x1, int y1, int color, int thickness) {
        int dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        int off = (thickness - 1) / 2;
        int x = x0, y = y0;
        while (true) {
            if (thickness <= 1) {
                set(x, y, color);
            } else {
                fillRect(x - off, y - off, thickness, thickness, color);
            }
            if (x == x1 && y == y1) {
                break;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y += sy;
            }
        }
    }

    /** A filled disc of the given radius centred on pixel (cx, cy); radius 0 is the single pixel. */
    public void disc(int cx, int cy, int radius, int color) {
        for (int dy = -radius; dy <= radius; dy++) {
            for (int dx = -radius; dx <= radius; dx++) {
                if (dx * dx + dy * dy <= radius * radius + radius) {
                    set(cx + dx, cy + dy, color);
                }
            }
        }
    }

    /** Copies {@code source} onto this canvas with its top-left corner at (x, y). */
    public void draw(Canvas source, int x, int y) {
        for (int sy = 0; sy < source.height; sy++) {
            for (int sx = 0; sx < source.width; sx++) {
                set(x + sx, y + sy, source.rgb[sy * source.width + sx]);
            }
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

    /**
     * The colour {@code (1 - t)·a + t·b}, channel by channel, for t clamped to [0, 1].
     */
    public static int mix(int a, int b, double t) {
        double f = Math.max(0, Math.min(1, t));
        int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
        int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
        return (r << 16) | (g << 8) | bl;
    }

    /**
     * Colour number {@code k} (taken modulo 10) of a ten-colour categorical palette (matplotlib's "tab10": blue,
     * orange, green, red, purple, brown, pink, grey, olive, cyan), for series and class labels.
     */
    public static int category(int k) {
        return TAB10[Math.floorMod(k, TAB10.length)];
    }

    private static final int[] TAB10 = {
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};

    /** The width in pixels of {@code text} written at {@code scale} (6 dots per character, less the last gap). */
    public static int textWidth(String text, int scale) {
        int n = text.toUpperCase(java.util.Locale.ROOT).length();
        return n == 0 ? 0 : (6 * n - 1) * scale;
    }

    /** The height in pixels of a line of text at {@code scale} (7 dots). */
    public static int textHeight(int scale) {
        return 7 * scale;
    }

    /**
     * Splits {@code text} at spaces into lines at most {@code maxWidth} pixels wide at {@code scale}; a word longer
     * than a line is broken. An empty text gives no lines.
     */
    public static java.util.List<String> wrap(String text, int maxWidth, int scale) {
        int perLine = Math.max(1, (maxWidth + scale) / (6 * scale));
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            while (word.length() > perLine) {
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                lines.add(word.substring(0, perLine));
                word = word.substring(perLine);
            }
            if (word.isEmpty()) {
                continue;
            }
            if (!line.isEmpty() && line.length() + 1 + word.length() > perLine) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Writes {@code text} rotated a quarter turn counter-clockwise (reading upwards); (x, y) is the top-left
     * corner of its bounding box, {@link #textHeight} wide and {@link #textWidth} high. */
    public void textUp(int x, int y, String text, int color, int scale) {
        int h = textWidth(text, scale);
        String up = text.toUpperCase(java.util.Locale.ROOT);
        for (int i = 0; i < up.length(); i++) {
            long glyph = Font.glyph(up.charAt(i));
            for (int row = 0; row < 7; row++) {
                for (int col = 0; col < 5; col++) {
                    if ((glyph >>> (row * 5 + (4 - col)) & 1L) != 0) {
                        fillRect(x + row * scale, y + h - (6 * i + col + 1) * scale, scale, scale, color);
                    }
                }
            }
        }
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
