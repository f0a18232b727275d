package elbo.models.data;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How missing data files are fetched. Mirrors are base URLs laid out like the data directory
 * ({@code base + "mnist/train-images-idx3-ubyte.gz"}), tried in order before the official URLs, which are
 * tried only when {@code official} is true. Every download is checked against the published SHA-256 before it
 * is moved into place, so a mirror needs no trust.
 *
 * @param mirrors  base URLs ({@code http}, {@code https} or {@code file}); a missing final slash is added
 * @param official whether to fall back to the data sets' official servers
 * @param timeout  for connecting and for each read (so a stalled server fails, a slow one does not)
 * @param progress receives one line per download attempt, e.g. {@code downloading mnist/... from URL ... 9.9 MB};
 *                 null for silence
 */
public record Download(List<URI> mirrors, boolean official, Duration timeout, PrintStream progress) {
    /** The timeout of {@link #officialOnly} and {@link #none}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Normalises the mirrors (copied, each ending in a slash) and checks them.
     *
     * @throws NullPointerException     if {@code mirrors}, one of them or {@code timeout} is null
     * @throws IllegalArgumentException if a mirror is not an absolute http, https or file URL, or the timeout
     *                                  is not positive
     */
    public Download {
        List<URI> normalised = new ArrayList<>();
        for (URI mirror : mirrors) {
            String scheme = Objects.requireNonNull(mirror, "mirror").getScheme();
            if (scheme == null || !List.of("http", "https", "file").contains(scheme.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("mirror '" + mirror + "' is not an http, https or file URL");
            }
            // URI.resolve drops the last path segment of a base without a slash: ".../data" + "mnist/x" = ".../mnist/x".
            normalised.add(mirror.toString().endsWith("/") ? mirror : URI.create(mirror + "/"));
        }
        mirrors = List.copyOf(normalised);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("download timeout must be positive, not " + timeout);
        }
    }

    /** Downloads from the official servers only. */
    public static Download officialOnly(PrintStream progress) {
        return new Download(List.of(), true, DEFAULT_TIMEOUT, progress);
    }

    /** Never downloads: a missing file is a {@link DataUnavailableException}. */
    public static Download none() {
        return new Download(List.of(), false, DEFAULT_TIMEOUT, null);
    }

    /**
     * Parses a comma- or space-separated list of mirror base URLs (e.g. a {@code --mirrors} option); blank
     * gives an empty list.
     *
     * @throws IllegalArgumentException if an entry is not a valid URI
     */
    public static List<URI> parseMirrors(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        List<URI> mirrors = new ArrayList<>();
        for (String entry : list.trim().split("[,\\s]+")) {
            mirrors.add(URI.create(entry));
        }
        return List.copyOf(mirrors);
    }

    /** Whether any download source is configured. */
    public boolean enabled() {
        return official || !mirrors.isEmpty();
    }
}
