package elbo.models.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The bytes of a data file, decompressed if the file is gzip (recognised by its 1f 8b magic number, not by
 * its name), with the offset of every byte known so that format errors can say where they are. Buffered:
 * the text readers take one byte at a time, which costs a method call, not a system call.
 */
final class ByteReader implements Closeable {
    /** The largest array the JVM reliably allocates (a few header words below Integer.MAX_VALUE). */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** A declared size is trusted only this far before data has arrived: growth beyond it follows the data. */
    private static final int FIRST_ALLOCATION = 1 << 20;
    private static final int BUFFER = 1 << 16;

    private final Path file;
    private final InputStream source;
    private final boolean compressed;
    private final long storedLength;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    private long bufStart; // stream offset of buf[0]

    private ByteReader(Path file, InputStream source, boolean compressed, long storedLength) {
        this.file = file;
        this.source = source;
        this.compressed = compressed;
        this.storedLength = storedLength;
    }

    /**
     * Opens a file, raw or gzip.
     *
     * @throws DataFormatException if the file is gzip and its header is malformed
     * @throws IOException         if the file cannot be opened or read
     */
    static ByteReader open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return of(file, raw, Files.size(file));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * Reads {@code raw} (e.g. an embedded resource), raw or gzip; {@code file} names it in error messages.
     *
     * @param storedLength the length of {@code raw} in bytes, or -1 if unknown
     * @throws DataFormatException if the stream is gzip and its header is malformed
     * @throws IOException         if the stream cannot be read
     */
    static ByteReader of(Path file, InputStream raw, long storedLength) throws IOException {
        Objects.requireNonNull(file, "file");
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        InputStream source = gzip ? new GzipDecoder(file, in) : in;
        return new ByteReader(file, source, gzip, storedLength);
    }

    /** The file being read, for messages. */
    Path file() {
        return file;
    }

    /** Whether the file is gzip, so offsets count decompressed bytes. */
    boolean compressed() {
        return compressed;
    }

    /** The offset of the next byte, in the decompressed stream if the file is gzip. */
    long offset() {
        return bufStart + pos;
    }

    /**
     * The next byte, or -1 at the end of the data.
     *
     * @throws IOException if the file cannot be read or its gzip stream is corrupt
     */
    int read() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    /**
     * Reads a big-endian 32-bit integer, as IDX headers store them.
     *
     * @throws DataFormatException if the data ends first; the message says where and names {@code header}
     * @throws IOException         if the file cannot be read or its gzip stream is corrupt
     */
    int readInt(String header, int headerLength) throws IOException {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int b = read();
            if (b < 0) {
                throw error(offset(), "truncated header: the data ends after " + offset() + " bytes, but "
                        + header + " is " + headerLength + " bytes long");
            }
            value = value << 8 | b;
        }
        return value;
    }

    /**
     * Reads exactly {@code declared} bytes, which a header announced. Memory grows with the data that arrives
     * (from 1 MB, doubling, never beyond {@code declared}), so a header that lies about a huge size costs no more
     * than the data behind it; for a raw file the first allocation is also capped by the bytes left in it.
     *
     * @throws DataFormatException      if the data ends first: the message gives the offset where it ran out
     * @throws IOException              if the file cannot be read or its gzip stream is corrupt
     * @throws IllegalArgumentException if {@code declared} is negative or exceeds {@link #MAX_ARRAY}
     */
    byte[] readDeclared(long declared, String what) throws IOException {
        if (declared < 0 || declared > MAX_ARRAY) {
            throw new IllegalArgumentException("cannot read " + declared + " bytes into one array");
        }
        long limit = compressed || storedLength < 0 ? FIRST_ALLOCATION : storedLength - offset();
        byte[] data = new byte[(int) Math.max(0, Math.min(declared, limit))];
        int filled = 0;
        while (filled < declared) {
            if (filled == data.length) {
                data = Arrays.copyOf(data, (int) Math.min(declared, Math.max(2L * data.length, FIRST_ALLOCATION)));
            }
            int n = read(data, filled, data.length - filled);
            if (n < 0) {
                throw error(offset(), "the data ends here, after " + filled + " of the " + declared + " bytes of "
                        + what);
            }
            filled += n;
        }
        return data;
    }

    /**
     * Checks that nothing follows the declared data.
     *
     * @throws DataFormatException if another byte follows; the message gives its offset
     * @throws IOException         if the file cannot be read or its gzip stream is corrupt
     */
    void expectEnd(String declared) throws IOException {
        if (read() >= 0) {
            throw error(offset() - 1, "unexpected data after the end of " + declared);
        }
    }

    /** A format error at {@code offset} of this file's (decompressed) data. */
    DataFormatException error(long offset, String what) {
        return new DataFormatException(file, offset, compressed, what);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** Copies buffered bytes first, then reads large remainders straight into {@code b}. */
    private int read(byte[] b, int off, int len) throws IOException {
        if (pos == lim) {
            if (len >= BUFFER) {
                bufStart += lim;
                pos = 0;
                lim = 0;
                int n = source.read(b, off, len);
                if (n > 0) {
                    bufStart += n;
                }
                return n;
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean fill() throws IOException {
        bufStart += lim;
        pos = 0;
        lim = 0;
        int n;
        do {
            n = source.read(buf, 0, BUFFER);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lim = n;
        return true;
    }
}
