package elbo.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A data file that is neither in the data directory nor downloadable. The message is one line: which file,
 * where it was looked for, which URLs were tried and why each failed, and how to provide the file.
 */
public final class DataUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final transient Path directory;
    private final transient List<Path> lookedFor;
    private final List<String> failures;

    /**
     * @param file      the missing file relative to the data directory, e.g. {@code mnist/train-images-idx3-ubyte.gz}
     * @param directory the data directory
     * @param lookedFor the paths that were checked (several when a file may be stored compressed or not)
     * @param failures  one entry per failed download step, {@code "URL (why it failed)"}; empty if downloading
     *                  is off
     * @throws NullPointerException if an argument is null
     */
    public DataUnavailableException(String file, Path directory, List<Path> lookedFor, List<String> failures) {
        super(message(file, directory, lookedFor, failures));
        this.file = file;
        this.directory = directory;
        this.lookedFor = List.copyOf(lookedFor);
        this.failures = List.copyOf(failures);
    }

    /** The missing file, relative to the data directory. */
    public String file() {
        return file;
    }

    /** The data directory that was searched. */
    public Path directory() {
        return directory;
    }

    /** The paths that were checked. */
    public List<Path> lookedFor() {
        return lookedFor;
    }

    /** One entry per failed download step, {@code "URL (why it failed)"}. */
    public List<String> failures() {
        return failures;
    }

    /** Whether some download arrived but did not have the published SHA-256. */
    public boolean checksumFailed() {
        return failures.stream().anyMatch(f -> f.contains(Downloader.CHECKSUM_MISMATCH));
    }

    private static String message(String file, Path directory, List<Path> lookedFor, List<String> failures) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(directory, "directory");
        String where = lookedFor.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(" or "));
        String tried = failures.isEmpty() ? "downloading is off (no mirrors, official URLs not allowed)"
                : "download failed: " + String.join(", ", failures);
        String text = "data file " + file + " is missing: not found at " + where + "; " + tried
                + (lookedFor.size() == 1 ? "; put the file at that path" : "; put one of them there")
                + ", or name a directory holding " + file
                + " with --data-dir or ELBO_DATA (data directory now: " + directory.toAbsolutePath() + ")";
        // Failure reasons come from exception messages, which may span lines; the contract is one line.
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
