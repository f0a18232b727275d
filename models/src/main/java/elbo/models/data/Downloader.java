package elbo.models.data;

import elbo.nn.io.AtomicFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Fetches a missing data file into the data directory. Each attempt writes a temporary file beside the
 * target, hashes it while writing, and moves it into place only if the SHA-256 is the published one; a
 * failed attempt deletes its temporary file and the next URL is tried. So the target either appears whole
 * and verified or not at all, even if the process is killed mid-download (then only a hidden {@code .part}
 * file can remain).
 */
final class Downloader {
    /** Marks checksum failures in {@link DataUnavailableException#failures()}. */
    static final String CHECKSUM_MISMATCH = "checksum mismatch";
    private static final int MAX_REDIRECTS = 5;
    private static final int CHUNK = 1 << 16;

    private Downloader() {
    }

    /** A URL to try and the file it should deliver. */
    private record Candidate(DataFile file, URI url) {
    }

    /** An attempt that failed for a reason we can state in a few words. */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * Downloads the first of {@code variants} (the same data under different names, preferred first) that
     * some source delivers intact, creating its folder in {@code dataDir} if needed.
     *
     * @return the verified file, now in place
     * @throws DataUnavailableException if downloading is off or every URL failed; folders created for the
     *                                  attempt are removed again if they are empty
     */
    static Path download(List<DataFile> variants, Path dataDir, Download download) throws DataUnavailableException {
        String missing = variants.stream().map(DataFile::relativePath).collect(Collectors.joining(" or "));
        List<Path> lookedFor = variants.stream().map(v -> v.in(dataDir)).toList();
        List<Candidate> candidates = candidates(variants, download);
        if (candidates.isEmpty()) {
            throw new DataUnavailableException(missing, dataDir, lookedFor, List.of());
        }
        Path folder = lookedFor.get(0).toAbsolutePath().getParent();
        List<Path> created;
        try {
            created = createFolders(folder);
        } catch (IOException e) {
            throw new DataUnavailableException(missing, dataDir, lookedFor,
                    List.of("cannot create the folder " + folder + " (" + reason(e, download) + ")"));
        }
        List<String> failures = new ArrayList<>();
        for (Candidate c : candidates) {
            Path target = c.file().in(dataDir);
            String failure = fetch(c, target, download);
            if (failure == null) {
                return target;
            }
            failures.add(c.url() + " (" + failure + ")");
        }
        removeIfEmpty(created);
        throw new DataUnavailableException(missing, dataDir, lookedFor, failures);
    }

    /** Mirrors first, each offering every variant in order; then the official servers of each variant. */
    private static List<Candidate> candidates(List<DataFile> variants, Download download) {
        List<Candidate> candidates = new ArrayList<>();
        for (URI mirror : download.mirrors()) {
            for (DataFile v : variants) {
                candidates.add(new Candidate(v, mirror.resolve(v.relativePath())));
            }
        }
        if (download.official()) {
            for (DataFile v : variants) {
                for (URI base : v.officialBases()) {
                    candidates.add(new Candidate(v, base.resolve(v.name())));
                }
            }
        }
        return candidates;
    }

    /** One attempt: null on success, else why it failed. Never leaves its temporary file behind. */
    private static String fetch(Candidate c, Path target, Download download) {
        PrintStream progress = download.progress();
        if (progress != null) {
            progress.print("downloading " + c.file().relativePath() + " from " + c.url() + " ...");
            progress.flush();
        }
        Path temp = null;
        String failure;
        try {
            temp = AtomicFiles.createSibling(target);   // default permissions: a shared data directory stays readable
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (InputStream in = open(c.url(), c.file().size(), download);
                 OutputStream out = Files.newOutputStream(temp)) {
                size = copy(in, out, digest, c.file().size());
            }
            String actual = Sha256.hex(digest);
            if (!actual.equals(c.file().sha256())) {
                throw new Refused(CHECKSUM_MISMATCH + ": SHA-256 of the " + size + " bytes received is " + actual
                        + ", expected " + c.file().sha256());
            }
            moveIntoPlace(temp, target);
            if (progress != null) {
                progress.println(String.format(Locale.ROOT, " %.1f MB", size / 1e6));
            }
            return null;
        } catch (IOException e) {
            failure = reason(e, download);
        } finally {
            deleteQuietly(temp);
        }
        if (progress != null) {
            progress.println(" failed: " + failure);
        }
        return failure;
    }

    /** Opens the URL, following up to five redirects (also http to https, which HttpURLConnection refuses). */
    private static InputStream open(URI uri, long expectedSize, Download download) throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, download.timeout().toMillis()));
        URI current = uri;
        for (int redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
            URLConnection connection = current.toURL().openConnection();
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            if (!(connection instanceof HttpURLConnection http)) {
                return connection.getInputStream(); // file: mirrors
            }
            http.setInstanceFollowRedirects(false);
            http.setRequestProperty("User-Agent", "ELBO data loader");
            int code = http.getResponseCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String location = http.getHeaderField("Location");
                http.disconnect();
                if (location == null) {
                    throw new Refused("HTTP " + code + " redirect without a Location");
                }
                try {
                    current = current.resolve(new URI(location));
                } catch (URISyntaxException e) {
                    throw new Refused("HTTP " + code + " redirect to a malformed URL: " + location);
                }
                continue;
            }
            if (code != HttpURLConnection.HTTP_OK) {
                String message = http.getResponseMessage();
                http.disconnect();
                throw new Refused("HTTP " + code + (message == null ? "" : " " + message));
            }
            long announced = http.getContentLengthLong();
            if (announced >= 0 && announced != expectedSize) {
                http.disconnect();
                throw new Refused("the server announces " + announced + " bytes, the published file has "
                        + expectedSize);
            }
            return http.getInputStream();
        }
        throw new Refused("more than " + MAX_REDIRECTS + " redirects");
    }

    /** Copies and hashes; refuses more bytes than the published file has, so a rogue server cannot fill the disk. */
    private static long copy(InputStream in, OutputStream out, MessageDigest digest, long expectedSize)
            throws IOException {
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            total += n;
            if (total > expectedSize) {
                throw new Refused("more than the " + expectedSize + " bytes of the published file");
            }
            digest.update(chunk, 0, n);
            out.write(chunk, 0, n);
        }
        return total;
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Creates {@code folder} and its missing parents; returns those it created, deepest first. */
    private static List<Path> createFolders(Path folder) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = folder; p != null && Files.notExists(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(folder);
        return missing;
    }

    /** Removes folders this download created, deepest first, stopping at the first that is not empty. */
    private static void removeIfEmpty(List<Path> created) {
        for (Path dir : created) {
            try {
                Files.delete(dir);
            } catch (IOException e) {
                return; // not empty (another file arrived meanwhile) or not ours to remove: leave it
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Nothing more can be done; the name starts with a dot and ends in .part, so it is recognisable.
        }
    }

    /** A few words on why an attempt failed, for the one-line summary. */
    private static String reason(IOException e, Download download) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return switch (e) {
            case Refused r -> message;
            case ConnectException c -> "cannot connect: " + message;
            case SocketTimeoutException t -> "timed out after " + download.timeout().toMillis() + " ms";
            case UnknownHostException u -> "unknown host " + message;
            case FileNotFoundException f -> "not found: " + message;
            default -> e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        };
    }
}
