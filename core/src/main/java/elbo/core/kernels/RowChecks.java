package elbo.core.kernels;

/** The argument checks of {@link Kernels#zipRows} and {@link Kernels#repeatRow}, shared by both implementations. */
final class RowChecks {
    private RowChecks() {
    }

    /**
     * @throws IllegalArgumentException  if a column stride is not 0 or 1, or {@code rows} or {@code cols} is negative
     * @throws IndexOutOfBoundsException if a row of {@code a}, {@code b} or {@code y} reaches outside its array
     */
    static void check(int aLength, int aOff, int aRow, int aCol, int bLength, int bOff, int bRow, int bCol,
                      int yLength, int yOff, int yRow, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("zipRows: negative size " + rows + "x" + cols);
        }
        if ((aCol != 0 && aCol != 1) || (bCol != 0 && bCol != 1)) {
            throw new IllegalArgumentException("zipRows: column strides must be 0 or 1, got a " + aCol + ", b " + bCol);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        range("a", aLength, aOff, aRow, aCol == 0 ? 1 : cols, rows);
        range("b", bLength, bOff, bRow, bCol == 0 ? 1 : cols, rows);
        range("y", yLength, yOff, yRow, cols, rows);
    }

    /**
     * @throws IllegalArgumentException  if {@code n} or {@code rows} is negative
     * @throws IndexOutOfBoundsException if {@code row[rowOff, rowOff + n)} or {@code y[yOff, yOff + rows·n)}
     *                                   reaches outside its array
     */
    static void checkRepeat(int rowLength, int rowOff, int n, int yLength, int yOff, int rows) {
        if (rows < 0 || n < 0) {
            throw new IllegalArgumentException("repeatRow: negative size " + rows + "x" + n);
        }
        if (rowOff < 0 || (long) rowOff + n > rowLength) {
            throw new IndexOutOfBoundsException("repeatRow: the row [" + rowOff + ", " + ((long) rowOff + n)
                    + ") lies outside its array of " + rowLength);
        }
        if (yOff < 0 || yOff + (long) rows * n > yLength) {
            throw new IndexOutOfBoundsException("repeatRow: " + rows + " rows of " + n + " from offset " + yOff
                    + " reach " + (yOff + (long) rows * n) + ", past the end of y's array of " + yLength);
        }
    }

    /** Rows {@code off + r·row + [0, span)} for {@code r < rows} lie in {@code [0, length)}. */
    private static void range(String name, int length, int off, int row, int span, int rows) {
        long first = Math.min(off, off + (long) (rows - 1) * row);
        long last = Math.max(off, off + (long) (rows - 1) * row) + span;
        if (first < 0 || last > length) {
            throw new IndexOutOfBoundsException("zipRows: rows of " + name + " span [" + first + ", " + last
                    + ") of an array of " + length + " (offset " + off + ", row stride " + row + ", " + rows + " rows)");
        }
    }
}
