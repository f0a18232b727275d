package elbo.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip file (RFC 1952), member after member, raising {@link DataFormatException}s that name
 * the decompressed offset. Written on {@link Inflater} rather than {@code GZIPInputStream} because the latter
 * silently ignores bytes after the last member (its header check swallows the error), so a file with garbage
 * appended would load without complaint; here anything after a member must be another member.
 */
final class GzipDecoder extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED_FLAGS = 0xE0;
    private static final int DEFLATE = 8;

    private final Path file;
    private final InputStream in;
    private final Inflater inflater = new Inflater(true); // raw deflate: gzip's header and trailer are ours
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long bufStart;       // compressed-file offset of buf[0]
    private long memberBytes;    // decompressed bytes of the current member, for the trailer's ISIZE
    private long produced;       // decompressed bytes of all members so far
    private boolean ended;

    /**
     * Starts decoding {@code in}, which must be positioned at the gzip magic number.
     *
     * @throws DataFormatException if the first member's header is malformed
     * @throws IOException         if {@code in} cannot be read
     */
    GzipDecoder(Path file, InputStream in) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.in = Objects.requireNonNull(in, "in");
        readHeader(false);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    /**
     * Decompresses up to {@code len} bytes into {@code b}.
     *
     * @throws DataFormatException       if the deflate data is corrupt, the file ends inside a member, a trailer's
     *                                   CRC-32 or size does not match, or non-gzip bytes follow a member
     * @throws IOException               if the file cannot be read
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code b}
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            int n = inflate(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                produced += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsInput()) {
                if (!fill()) {
                    throw error("the gzip stream ends early: the compressed file is truncated after "
                            + compressedOffset() + " bytes");
                }
                inflater.setInput(buf, pos, lim - pos);
            } else if (inflater.needsDictionary()) {
                throw error("corrupt gzip stream: the deflate data asks for a preset dictionary");
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    private int inflate(byte[] b, int off, int len) throws DataFormatException {
        try {
            int n = inflater.inflate(b, off, len);
            pos = lim - inflater.getRemaining();
            return n;
        } catch (java.util.zip.DataFormatException e) {
            throw error("corrupt gzip stream (" + e.getMessage() + ") near compressed byte " + compressedOffset());
        }
    }

    /** Checks the trailer of the member just inflated, then starts the next member or ends the stream. */
    private void endMember() throws IOException {
        long trailerAt = compressedOffset();
        long storedCrc = readLittleEndian32("gzip trailer");
        long storedSize = readLittleEndian32("gzip trailer");
        if (storedCrc != crc.getValue()) {
            throw error(String.format("corrupt gzip stream: CRC-32 mismatch (trailer at compressed byte %d says "
                    + "%08x, the data has %08x)", trailerAt, storedCrc, crc.getValue()));
        }
        if (storedSize != (memberBytes & 0xFFFFFFFFL)) {
            throw error("corrupt gzip stream: the trailer at compressed byte " + trailerAt + " gives size "
                    + storedSize + " (mod 2^32), the data has " + memberBytes + " bytes");
        }
        int next = readByte();
        if (next < 0) {
            ended = true;
            return;
        }
        long at = compressedOffset() - 1;
        if (next != 0x1f || readByte() != 0x8b) {
            throw error("data after the end of the gzip stream, at compressed byte " + at);
        }
        inflater.reset(); // before readHeader, which hands the inflater the next member's first bytes
        crc.reset();
        memberBytes = 0;
        readHeader(true);
    }

    /** Reads a member header (RFC 1952 section 2.3) and hands the bytes after it to the inflater. */
    private void readHeader(boolean magicRead) throws IOException {
        if (!magicRead && (readHeaderByte() != 0x1f || readHeaderByte() != 0x8b)) {
            throw headerError(0, "not a gzip file (no 1f 8b magic number)");
        }
        long methodAt = compressedOffset();
        int method = readHeaderByte();
        if (method != DEFLATE) {
            throw headerError(methodAt, "gzip compression method " + method + " is not deflate (8)");
        }
        long flagsAt = compressedOffset();
        int flags = readHeaderByte();
        if ((flags & RESERVED_FLAGS) != 0) {
            throw headerError(flagsAt, String.format("gzip header flags %02x set reserved bits", flags));
        }
        skipHeaderBytes(6); // modification time (4), extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            skipHeaderBytes(readHeaderByte() | readHeaderByte() << 8);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            skipHeaderBytes(2);
        }
        inflater.setInput(buf, pos, lim - pos);
    }

    private void skipHeaderBytes(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            readHeaderByte();
        }
    }

    private void skipZeroTerminated() throws IOException {
        while (readHeaderByte() != 0) {
            // file names and comments are informational only
        }
    }

    private int readHeaderByte() throws IOException {
        int b = readByte();
        if (b < 0) {
            throw headerError(compressedOffset(), "the file ends inside a gzip header");
        }
        return b;
    }

    private long readLittleEndian32(String what) throws IOException {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            int b = readByte();
            if (b < 0) {
                throw error("the gzip stream ends early: the file ends inside the " + what
                        + " at compressed byte " + compressedOffset());
            }
            value |= (long) b << (8 * i);
        }
        return value;
    }

    /** One compressed byte outside the deflate data (header or trailer), or -1 at the end of the file. */
    private int readByte() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    /** Reads more compressed bytes; only called when the inflater has consumed all of {@code buf}. */
    private boolean fill() throws IOException {
        bufStart += lim;
        pos = 0;
        lim = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lim = n;
        return true;
    }

    private long compressedOffset() {
        return bufStart + pos;
    }

    private DataFormatException error(String what) {
        return new DataFormatException(file, produced, true, what);
    }

    private DataFormatException headerError(long compressedOffset, String what) {
        return new DataFormatException(file, compressedOffset, false, what);
    }
}
