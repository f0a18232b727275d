package elbo.nn.io;

import java.nio.file.Path;

/**
 * A file that breaks the safetensors format: truncated, a header length out of range, a header that is
 * not a UTF-8 JSON object, an unknown dtype, a bad shape, data offsets that overlap, leave gaps, run out
 * of the file or disagree with the tensor's byte count, a duplicate name, or malformed metadata. The
 * message names the file, the entry and the problem, and where meaningful the byte offset in the file.
 */
public final class SafetensorsFormatException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final long byteOffset;

    /**
     * @param file       the file being read
     * @param entry      the tensor or metadata entry concerned, or {@code null}
     * @param problem    what is wrong
     * @param byteOffset the offset in the file where the problem is, or -1 if there is no single place
     */
    public SafetensorsFormatException(Path file, String entry, String problem, long byteOffset) {
        super(file, entry, byteOffset < 0 ? problem : problem + " (file byte " + byteOffset + ")");
        this.byteOffset = byteOffset;
    }

    /** The offset in the file where the problem is, or -1 if there is no single place. */
    public long byteOffset() {
        return byteOffset;
    }
}
