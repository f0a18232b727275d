package elbo.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint or safetensors file that cannot be read or does not fit its target. The message always
 * starts with the file, then names the entry (tensor or metadata key) when there is one, then the
 * problem: {@code /runs/a.safetensors: 'model.0.weight': shape [3, 4] but the module has [4, 3]}.
 *
 * <p>Loading validates a whole file before copying anything, so after this exception the module and
 * optimizer that were being loaded are unchanged.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String entry;

    /**
     * @param file    the file being read or written
     * @param entry   the tensor or metadata entry concerned, or {@code null} for the file as a whole
     * @param problem what is wrong
     */
    public CheckpointException(Path file, String entry, String problem) {
        this(file, entry, problem, null);
    }

    /** As {@link #CheckpointException(Path, String, String)}, with the exception that revealed the problem. */
    public CheckpointException(Path file, String entry, String problem, Throwable cause) {
        super(file + ": " + (entry == null ? "" : "'" + entry + "': ") + problem, cause);
        this.file = file;
        this.entry = entry;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }

    /** The tensor or metadata entry concerned, or {@code null} when the problem is the file as a whole. */
    public String entry() {
        return entry;
    }
}
