package elbo.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Atomic writes: the content, no temporary file left, the permissions of any new file (not owner-only). */
class AtomicFilesTest {
    @Test
    void writesReplacesAndKeepsDefaultPermissions(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("summary.json");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        AtomicFiles.write(target, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
        Path plain = Files.createFile(dir.resolve("plain"));
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
            assertEquals(expected, Files.getPosixFilePermissions(target));
        }
    }

    @Test
    void aFailedWriteLeavesNothing(@TempDir Path dir) {
        Path target = dir.resolve("missing-folder").resolve("x.json");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}));
    }
}
