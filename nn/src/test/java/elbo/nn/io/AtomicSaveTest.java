package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.nn.Linear;
import elbo.nn.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed save leaves no partial file behind and the previous checkpoint intact. */
class AtomicSaveTest {
    @TempDir
    Path dir;

    private Path target;
    private byte[] previous;
    private Linear model;

    @BeforeEach
    void previousCheckpoint() throws IOException {
        target = dir.resolve("ckpt.safetensors");
        Linear old = new Linear(3, 2, DType.FLOAT32, new Rng(1));
        Checkpoint.save(target, old, new Adam(old, 1e-3), Map.of("epoch", "1"));
        previous = Files.readAllBytes(target);
        model = new Linear(3, 2, DType.FLOAT32, new Rng(2));
    }

    private List<String> filesInDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertPreviousIntact() throws IOException {
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of("ckpt.safetensors"), filesInDir(), "no temporary file may be left behind");
    }

    @Test
    void writeInterruptedMidwayLeavesThePreviousCheckpoint() throws IOException {
        // An interrupted thread makes the first FileChannel write fail (ClosedByInterruptException),
        // after the temporary file has been created: a real I/O failure in the middle of a save.
        Thread.currentThread().interrupt();
        try {
            assertThrows(IOException.class, () -> Checkpoint.save(target, model, new Adam(model, 1e-3), Map.of("epoch", "2")));
        } finally {
            Thread.interrupted();
        }
        assertPreviousIntact();
    }

    @Test
    void failedRenameLeavesNoTemporaryFile() throws IOException {
        // The target is a non-empty directory, so the final rename fails after the data was written.
        Path blocked = dir.resolve("blocked");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("keep.txt"), "x");
        assertThrows(IOException.class, () -> Checkpoint.save(blocked, model, null, Map.of()));
        assertEquals("x", Files.readString(blocked.resolve("keep.txt")));
        assertEquals(List.of("blocked", "ckpt.safetensors"), filesInDir());
    }

    @Test
    void missingDirectoryFailsCleanly() {
        Path nowhere = dir.resolve("no-such-dir").resolve("ckpt.safetensors");
        assertThrows(NoSuchFileException.class, () -> Checkpoint.save(nowhere, model, null, Map.of()));
        assertFalse(Files.exists(nowhere.getParent()));
    }

    @Test
    void invalidMetadataFailsBeforeTouchingTheDisk() throws IOException {
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(target, model, null, Map.of("note", "unpaired \uD800 surrogate")));
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(target, model, null, Map.of(Checkpoint.FORMAT_KEY, "2")));
        assertPreviousIntact();
    }

    @Test
    void successfulSaveReplacesThePreviousCheckpoint() throws IOException {
        Checkpoint.save(target, model, null, Map.of("epoch", "2"));
        assertEquals(List.of("ckpt.safetensors"), filesInDir());
        assertEquals("2", Safetensors.read(target).metadata().get("epoch"));
        assertTrue(Files.size(target) < previous.length, "the new file has no optimizer state");
    }
}
