package elbo.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files that are either wholly written or not there: write a temporary sibling, force it to disk, rename it
 * over the target, force the directory. A crash or an error leaves the old file (or none), never half of a
 * new one. Temporary files are created with the process's default permissions (the umask applies), unlike
 * {@link Files#createTempFile}, whose files only their owner may read.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to {@code target} atomically, replacing it if it exists.
     *
     * @throws IOException if the file cannot be written; {@code target} is then untouched and no temporary
     *                     file is left behind
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = createSibling(target);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            moveIntoPlace(tmp, target);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * A new empty file beside {@code target}, named {@code .<name>.<random>.tmp}, created with default
     * permissions: for writers that stream into it and then call {@link #moveIntoPlace}.
     *
     * @throws IOException if it cannot be created
     */
    public static Path createSibling(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "." + suffix + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Renames {@code tmp} over {@code target} (atomically where the file system can) and forces the directory. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(target.toAbsolutePath().getParent());
    }

    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException notSupportedHere) {
            // Directories cannot be opened or synced on every platform (e.g. Windows); the file itself is synced.
        }
    }
}
