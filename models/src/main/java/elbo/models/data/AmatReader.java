package elbo.models.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the {@code .amat} files of statically binarized MNIST (Larochelle and Murray 2011), raw or gzip: text,
 * one image per line, its pixels as space-separated {@code 0} or {@code 1}. The format has no header, so the
 * caller says how many lines to expect; a blank line or any other token is an error, only white space may
 * follow the last line.
 */
public final class AmatReader {
    private static final int TOKEN_SHOWN = 20;

    private AmatReader() {
    }

    /**
     * Reads {@code rows} images of height × width binary pixels (levels 1, no labels).
     *
     * @throws DataFormatException      if a token is not 0 or 1, a line has the wrong number of values, the file
     *                                  has fewer lines than {@code rows}, or more data follows them
     * @throws IOException              if the file cannot be read or its gzip stream is corrupt
     * @throws IllegalArgumentException if {@code rows}, {@code height} or {@code width} is not positive, or the
     *                                  images would not fit one array
     */
    public static Split read(Path file, int rows, int height, int width) throws IOException {
        try (ByteReader in = ByteReader.open(file)) {
            return read(in, rows, height, width);
        }
    }

    static Split read(ByteReader in, int rows, int height, int width) throws IOException {
        if (rows <= 0 || height <= 0 || width <= 0 || (long) rows * height * width > ByteReader.MAX_ARRAY) {
            throw new IllegalArgumentException("cannot read " + rows + " images of " + height + "x" + width);
        }
        int values = height * width;
        // The size comes from the caller (the registry), not from the file, so allocating it up front is safe.
        byte[] pixels = new byte[rows * values];
        for (int row = 0; row < rows; row++) {
            readLine(in, row, values, pixels);
        }
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (!isBlank(c) && c != '\n') {
                throw in.error(in.offset() - 1, "unexpected data after the " + rows + " expected lines");
            }
        }
        return new Split(pixels, null, rows, height, width, 1);
    }

    private static void readLine(ByteReader in, int row, int values, byte[] pixels) throws IOException {
        long lineStart = in.offset();
        int line = row + 1;
        int c = in.read();
        if (c < 0) {
            throw in.error(lineStart, "the data ends after " + row + " lines; " + (pixels.length / values)
                    + " lines were expected");
        }
        int column = 0;
        while (c >= 0 && c != '\n') {
            if (isBlank(c)) {
                c = in.read();
                continue;
            }
            long tokenStart = in.offset() - 1;
            int next = in.read();
            if ((c != '0' && c != '1') || !(next < 0 || next == '\n' || isBlank(next))) {
                throw in.error(tokenStart, "line " + line + ", value " + (column + 1) + ": '" + token(c, next, in)
                        + "' is not 0 or 1");
            }
            if (column == values) {
                throw in.error(lineStart, "line " + line + " has more than " + values + " values");
            }
            pixels[row * values + column++] = (byte) (c - '0');
            c = next;
        }
        if (column != values) {
            throw in.error(lineStart, "line " + line + " has " + column + " values; expected " + values);
        }
    }

    private static boolean isBlank(int c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    /** The offending token for the message: its first characters, up to the next separator. */
    private static String token(int first, int second, ByteReader in) throws IOException {
        StringBuilder text = new StringBuilder().append((char) first);
        for (int c = second; c >= 0 && c != '\n' && !isBlank(c); c = in.read()) {
            if (text.length() == TOKEN_SHOWN) {
                return text.append("...").toString();
            }
            text.append((char) c);
        }
        return text.toString();
    }
}
