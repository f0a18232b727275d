package elbo.models.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads the project's image data sets: from the data directory (downloading what is missing, see
 * {@link Download}), every file verified by SHA-256 before it is parsed; digits from the copy embedded in
 * this module, so it works with no data and no network.
 */
public final class DataSets {
    /** The data sets {@link #load} knows, smallest first. */
    public static final List<String> NAMES = List.of("digits", "mnist", "binarized-mnist", "fashion-mnist");
    /** The environment variable naming the data directory when no option does. */
    public static final String DATA_DIR_VARIABLE = "ELBO_DATA";
    /** The data directory when neither option nor environment names one. */
    public static final String DEFAULT_DATA_DIR = "data";

    /** The fixed digits split: first 1257 images train, next 180 validation, last 360 test (of 1797). */
    public static final int DIGITS_TRAIN = 1257;
    /** See {@link #DIGITS_TRAIN}. */
    public static final int DIGITS_VALIDATION = 180;
    /** See {@link #DIGITS_TRAIN}. */
    public static final int DIGITS_TEST = 360;

    private static final String DIGITS_RESOURCE = "digits.csv.gz";
    /** How the embedded file is named in messages: it has no path on disk. */
    private static final Path DIGITS_NAME = Path.of("(embedded)", "elbo", "models", "data", DIGITS_RESOURCE);

    private DataSets() {
    }

    /**
     * The data directory: {@code dataDirOption} (a {@code --data-dir}) if non-empty, else {@code $ELBO_DATA}
     * if set and non-empty, else {@code ./data}.
     */
    public static Path resolveDirectory(String dataDirOption) {
        return resolveDirectory(dataDirOption, System.getenv());
    }

    static Path resolveDirectory(String dataDirOption, Map<String, String> environment) {
        if (dataDirOption != null && !dataDirOption.isEmpty()) {
            return Path.of(dataDirOption);
        }
        String variable = environment.get(DATA_DIR_VARIABLE);
        if (variable != null && !variable.isEmpty()) {
            return Path.of(variable);
        }
        return Path.of(DEFAULT_DATA_DIR);
    }

    /**
     * Loads a data set. Missing files are downloaded as {@code download} says; every file, found or
     * downloaded, is verified by SHA-256 before it is parsed.
     * <ul>
     * <li>mnist, fashion-mnist: 60000 training and 10000 test images of 28x28, levels 255, labelled; the last
     * {@code validationSize} training images become the validation split.</li>
     * <li>binarized-mnist: the published 50000 / 10000 / 10000 split of 28x28 binary images, unlabelled;
     * {@code validationSize} is ignored. Each file may be stored as {@code .amat.gz} or {@code .amat}.</li>
     * <li>digits: the embedded 1797 images of 8x8, levels 16, labelled, split
     * {@value #DIGITS_TRAIN} / {@value #DIGITS_VALIDATION} / {@value #DIGITS_TEST};
     * {@code dataDir}, {@code validationSize} and {@code download} are ignored (and may be null).</li>
     * </ul>
     *
     * @param download how to fetch missing files; null means {@link Download#none()}
     * @throws IllegalArgumentException  if {@code name} is not in {@link #NAMES}, or {@code validationSize} is
     *                                   negative or leaves no training images (for mnist and fashion-mnist)
     * @throws NullPointerException      if {@code name} is null, or {@code dataDir} is null for a set that
     *                                   needs it
     * @throws DataUnavailableException  if a file is missing and could not be downloaded
     * @throws ChecksumMismatchException if a file in the data directory is not the published one
     * @throws DataFormatException       if a verified file still does not parse (a registry error)
     * @throws IOException               if a file cannot be read
     */
    public static Dataset load(String name, Path dataDir, int validationSize, Download download) throws IOException {
        Objects.requireNonNull(name, "name");
        Download how = download == null ? Download.none() : download;
        return switch (name) {
            case "digits" -> digits();
            case "mnist", "fashion-mnist" -> idx(name, Objects.requireNonNull(dataDir, "dataDir"), validationSize, how);
            case "binarized-mnist" -> binarizedMnist(Objects.requireNonNull(dataDir, "dataDir"), how);
            default -> throw new IllegalArgumentException("unknown data set '" + name + "'; known: "
                    + String.join(", ", NAMES));
        };
    }

    /**
     * The embedded digits (see {@link #load}).
     *
     * @throws ChecksumMismatchException if the embedded copy is damaged
     * @throws IOException               if the resource is missing from the module or cannot be read
     */
    public static Dataset digits() throws IOException {
        byte[] bytes;
        try (InputStream in = DataSets.class.getResourceAsStream(DIGITS_RESOURCE)) {
            if (in == null) {
                throw new IOException(DIGITS_NAME + " is missing from the elbo-models jar (a packaging error)");
            }
            bytes = in.readAllBytes();
        }
        String actual = Sha256.of(bytes);
        if (!actual.equals(Registry.DIGITS.sha256())) {
            throw new ChecksumMismatchException(DIGITS_NAME, Registry.DIGITS.sha256(), actual);
        }
        Split all;
        try (ByteReader in = ByteReader.of(DIGITS_NAME, new ByteArrayInputStream(bytes), bytes.length)) {
            all = DigitsCsvReader.read(in);
        }
        int total = DIGITS_TRAIN + DIGITS_VALIDATION + DIGITS_TEST;
        if (all.count() != total) {
            throw new DataFormatException(DIGITS_NAME, bytes.length, all.count() + " images; expected " + total);
        }
        return new Dataset("digits", all.slice(0, DIGITS_TRAIN),
                all.slice(DIGITS_TRAIN, DIGITS_TRAIN + DIGITS_VALIDATION),
                all.slice(DIGITS_TRAIN + DIGITS_VALIDATION, total), false, "embedded");
    }

    private static Dataset idx(String name, Path dataDir, int validationSize, Download download) throws IOException {
        if (validationSize < 0) {
            throw new IllegalArgumentException("validation size must be >= 0, not " + validationSize);
        }
        Registry.IdxFiles files = Registry.idx(name);
        // Fetch and verify all four files before parsing any, so a missing file is reported before a long parse.
        Path trainImages = obtain(List.of(files.trainImages()), dataDir, download);
        Path trainLabels = obtain(List.of(files.trainLabels()), dataDir, download);
        Path testImages = obtain(List.of(files.testImages()), dataDir, download);
        Path testLabels = obtain(List.of(files.testLabels()), dataDir, download);
        Split all = IdxReader.readSplit(trainImages, trainLabels);
        Split test = IdxReader.readSplit(testImages, testLabels);
        if (validationSize >= all.count()) {
            throw new IllegalArgumentException("validation size " + validationSize + " leaves no training images of "
                    + all.count());
        }
        int train = all.count() - validationSize;
        Split fit = validationSize == 0 ? all : all.slice(0, train); // no copy of 47 MB when nothing is held out
        return new Dataset(name, fit, all.slice(train, all.count()), test, false,
                sources(trainImages, trainLabels, testImages, testLabels));
    }

    private static Dataset binarizedMnist(Path dataDir, Download download) throws IOException {
        List<Registry.AmatFile> parts = List.of(Registry.BINARIZED_TRAIN, Registry.BINARIZED_VALID,
                Registry.BINARIZED_TEST);
        Path[] paths = new Path[parts.size()];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = obtain(parts.get(i).variants(), dataDir, download);
        }
        Split[] splits = new Split[paths.length];
        for (int i = 0; i < paths.length; i++) {
            splits[i] = AmatReader.read(paths[i], parts.get(i).rows(), 28, 28);
        }
        return new Dataset("binarized-mnist", splits[0], splits[1], splits[2], true, sources(paths));
    }

    /**
     * A verified file holding the data of {@code variants} (the same data under different names, preferred
     * first): the first variant present in the data directory, else a download.
     *
     * @throws ChecksumMismatchException if the file present is not the published one
     * @throws DataUnavailableException  if no variant is present and none could be downloaded
     * @throws IOException               if the file cannot be read
     */
    static Path obtain(List<DataFile> variants, Path dataDir, Download download) throws IOException {
        for (DataFile variant : variants) {
            Path file = variant.in(dataDir);
            if (Files.isRegularFile(file)) {
                // A damaged local file is reported, not replaced: it may be the user's only copy.
                Sha256.verify(file, variant.sha256());
                return file;
            }
        }
        return Downloader.download(variants, dataDir, download);
    }

    private static String sources(Path... files) {
        return Stream.of(files).map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(", "));
    }
}
