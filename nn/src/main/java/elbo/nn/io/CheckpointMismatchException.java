package elbo.nn.io;

import java.nio.file.Path;

/**
 * A well-formed checkpoint that does not fit the module or optimizer it is loaded into: a missing or
 * unexpected tensor, a shape or dtype that differs, an optimizer state that the optimizer rejects, or
 * an unsupported checkpoint version. Nothing was copied.
 */
public final class CheckpointMismatchException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the checkpoint
     * @param entry   the tensor concerned (with its {@code model.}/{@code optim.} prefix), or {@code null}
     * @param problem what does not fit
     */
    public CheckpointMismatchException(Path file, String entry, String problem) {
        super(file, entry, problem);
    }
}
