package elbo.models.data;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One published file of a data set: its folder and name in the data directory layout, its SHA-256 and size
 * as published, and the official servers that host it under {@code name} (none for files only mirrors have).
 */
record DataFile(String folder, String name, String sha256, long size, List<URI> officialBases) {
    DataFile {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(name, "name");
        if (!sha256.matches("[0-9a-f]{64}") || size <= 0) {
            throw new IllegalArgumentException("DataFile " + name + ": bad checksum or size");
        }
        officialBases = List.copyOf(officialBases);
    }

    /** The path in the data directory layout, e.g. {@code mnist/train-images-idx3-ubyte.gz} (also a URL path). */
    String relativePath() {
        return folder + "/" + name;
    }

    /** Where this file lives under {@code dataDir}. */
    Path in(Path dataDir) {
        return dataDir.resolve(folder).resolve(name);
    }
}
