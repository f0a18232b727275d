package elbo.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file whose contents do not follow its format. The message is one line naming the file and the
 * byte offset of the problem, e.g. {@code data/mnist/train-images-idx3-ubyte.gz: decompressed byte 16: ...}.
 * For gzip files the offset counts bytes of the decompressed stream (the format's own bytes), which is what
 * a reader of the format spec needs; the message says so.
 */
public final class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final boolean decompressed;
    private final String what;

    /**
     * A problem at byte {@code offset} of the file as stored (not compressed).
     *
     * @throws NullPointerException if {@code file} or {@code what} is null
     */
    public DataFormatException(Path file, long offset, String what) {
        this(file, offset, false, what);
    }

    /**
     * A problem at byte {@code offset} of the file, counted in the decompressed stream when
     * {@code decompressed} is true.
     *
     * @throws NullPointerException if {@code file} or {@code what} is null
     */
    public DataFormatException(Path file, long offset, boolean decompressed, String what) {
        super(Objects.requireNonNull(file, "file") + ": " + (decompressed ? "decompressed byte " : "byte ")
                + offset + ": " + Objects.requireNonNull(what, "what"));
        this.file = file;
        this.offset = offset;
        this.decompressed = decompressed;
        this.what = what;
    }

    /** The file that is malformed. */
    public Path file() {
        return file;
    }

    /** Where the problem is: a byte offset, in the decompressed stream when {@link #decompressed()}. */
    public long offset() {
        return offset;
    }

    /** Whether {@link #offset()} counts decompressed bytes of a gzip file. */
    public boolean decompressed() {
        return decompressed;
    }

    /** The problem, without file and offset. */
    public String what() {
        return what;
    }
}
