package elbo.models.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the UCI optical digits as scikit-learn ships them ({@code digits.csv.gz}), raw or gzip: no header,
 * one 8x8 image per line as 64 comma-separated integers 0..16 (pen counts per 4x4 block), then its label
 * 0..9. Blank lines are skipped; anything else that is not a whole number in range is an error.
 */
public final class DigitsCsvReader {
    /** Images are 8x8. */
    public static final int SIDE = 8;
    /** Pixel values are counts 0..16. */
    public static final int LEVELS = 16;

    private static final int FEATURES = SIDE * SIDE;
    private static final int COLUMNS = FEATURES + 1;
    private static final int TOKEN_SHOWN = 20;

    private DigitsCsvReader() {
    }

    /**
     * Reads every line of the file.
     *
     * @throws DataFormatException if a line does not have 65 values, a value is not a whole number, a pixel is
     *                             not in 0..16 or a label not in 0..9
     * @throws IOException         if the file cannot be read or its gzip stream is corrupt
     */
    public static Split read(Path file) throws IOException {
        try (ByteReader in = ByteReader.open(file)) {
            return read(in);
        }
    }

    static Split read(ByteReader in) throws IOException {
        // The row count is not declared anywhere, so the arrays grow with the lines that arrive.
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        byte[] row = new byte[COLUMNS];
        int line = 0;
        int rows = 0;
        while (true) {
            long lineStart = in.offset();
            int c = in.read();
            if (c < 0) {
                break;
            }
            line++;
            int column = 0;
            while (true) {
                long fieldStart = c < 0 ? in.offset() : in.offset() - 1; // c is the field's first character
                int value = 0;
                int digits = 0;
                boolean number = true;
                StringBuilder text = new StringBuilder();
                for (; c >= 0 && c != ',' && c != '\n'; c = in.read()) {
                    if (c == '\r') {
                        continue; // tolerate CRLF line ends
                    }
                    if (text.length() < TOKEN_SHOWN) {
                        text.append((char) c);
                    }
                    if (c >= '0' && c <= '9') {
                        value = Math.min(value * 10 + (c - '0'), 1000); // capped: anything > 16 is out of range
                        digits++;
                    } else {
                        number = false;
                    }
                }
                boolean blankLine = column == 0 && text.isEmpty() && c != ',';
                if (blankLine) {
                    break;
                }
                if (!number || digits == 0) {
                    throw in.error(fieldStart, "line " + line + ", value " + (column + 1) + ": '" + text
                            + "' is not a whole number");
                }
                if (column < COLUMNS) {
                    int max = column < FEATURES ? LEVELS : IdxReader.CLASSES - 1;
                    if (value > max) {
                        throw in.error(fieldStart, "line " + line + ", value " + (column + 1) + ": " + text
                                + " is not in 0.." + max + (column < FEATURES ? " (a pixel)" : " (the label)"));
                    }
                    row[column] = (byte) value;
                }
                column++;
                if (c != ',') {
                    break;
                }
                c = in.read();
            }
            if (column == 0) {
                continue;
            }
            if (column != COLUMNS) {
                throw in.error(lineStart, "line " + line + " has " + column + " values; expected " + COLUMNS
                        + " (64 pixels, then the label)");
            }
            pixels.write(row, 0, FEATURES);
            labels.write(row[FEATURES]);
            rows++;
        }
        byte[] labelBytes = labels.toByteArray();
        int[] labelValues = new int[rows];
        for (int i = 0; i < rows; i++) {
            labelValues[i] = labelBytes[i];
        }
        return new Split(pixels.toByteArray(), labelValues, rows, SIDE, SIDE, LEVELS);
    }
}
