package elbo.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and byte arrays as lower-case hex, the form published in SHA256SUMS files. */
final class Sha256 {
    private static final int CHUNK = 1 << 16;

    private Sha256() {
    }

    /**
     * The SHA-256 of a file, read in large chunks.
     *
     * @throws IOException if the file cannot be read
     */
    static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[CHUNK];
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                digest.update(chunk, 0, n);
            }
        }
        return hex(digest);
    }

    /** The SHA-256 of {@code bytes}. */
    static String of(byte[] bytes) {
        MessageDigest digest = newDigest();
        digest.update(bytes);
        return hex(digest);
    }

    /** A fresh SHA-256 digest, for hashing a stream while it is written. */
    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's Javadoc), so this cannot happen.
            throw new AssertionError("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** The digest's value as lower-case hex (this resets the digest). */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Checks a file against its published SHA-256.
     *
     * @throws ChecksumMismatchException if the file's SHA-256 differs from {@code expected}
     * @throws IOException               if the file cannot be read
     */
    static void verify(Path file, String expected) throws IOException {
        String actual = of(file);
        if (!actual.equals(expected)) {
            throw new ChecksumMismatchException(file, expected, actual);
        }
    }
}
