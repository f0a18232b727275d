package elbo.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file whose SHA-256 is not the published one: it is damaged, truncated, or a different file with
 * the same name. Raised before the file is parsed, so a damaged file never gets as far as a format error.
 */
public final class ChecksumMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String expected;
    private final String actual;

    /**
     * @param file     the file (or, for an embedded resource, its name)
     * @param expected the published SHA-256, lower-case hex
     * @param actual   the SHA-256 of the bytes found, lower-case hex
     * @throws NullPointerException if an argument is null
     */
    public ChecksumMismatchException(Path file, String expected, String actual) {
        super(Objects.requireNonNull(file, "file") + ": SHA-256 checksum mismatch: expected "
                + Objects.requireNonNull(expected, "expected") + ", found " + Objects.requireNonNull(actual, "actual")
                + " (the file is damaged or is not the published one; delete it to download it again)");
        this.file = file;
        this.expected = expected;
        this.actual = actual;
    }

    /** The file whose checksum did not match. */
    public Path file() {
        return file;
    }

    /** The published SHA-256, lower-case hex. */
    public String expected() {
        return expected;
    }

    /** The SHA-256 of the bytes found, lower-case hex. */
    public String actual() {
        return actual;
    }
}
