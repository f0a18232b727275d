package elbo.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static elbo.models.data.DataTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Loading: the embedded digits always, the real sets when the shared data folder is present. */
class DataSetsTest {

    private static Path sharedData() {
        var data = DataTestFiles.sharedData();
        assumeTrue(data.isPresent(), "shared data folder not found (set ELBO_DATA or put it at ../shared/data)");
        return data.get();
    }

    private static long pixelSum(Split s, int image) {
        long sum = 0;
        for (int p = 0; p < s.size(); p++) {
            sum += s.pixels()[image * s.size() + p] & 0xFF;
        }
        return sum;
    }

    private static long pixelSum(Split s) {
        long sum = 0;
        for (byte b : s.pixels()) {
            sum += b & 0xFF;
        }
        return sum;
    }

    private static void assertLabelsAreDigits(Split s) {
        for (int label : s.labels()) {
            assertTrue(label >= 0 && label <= 9, "label " + label);
        }
    }

    @Test
    void digitsAreEmbedded() throws IOException {
        Dataset d = DataSets.load("digits", null, 12345, null);
        assertEquals("digits", d.name());
        assertEquals("embedded", d.source());
        assertFalse(d.binary());
        assertEquals(1257, d.train().count());
        assertEquals(180, d.validation().count());
        assertEquals(360, d.test().count());
        for (Split s : List.of(d.train(), d.validation(), d.test())) {
            assertEquals(8, s.height());
            assertEquals(8, s.width());
            assertEquals(16, s.levels());
            assertLabelsAreDigits(s);
        }
        // Known values of the published file: first image (a 0), pixel total, first label of each split.
        assertEquals(294, pixelSum(d.train(), 0));
        assertEquals(561718, pixelSum(d.train()) + pixelSum(d.validation()) + pixelSum(d.test()));
        assertEquals(0, d.train().label(0));
        assertEquals(4, d.validation().label(0));
        assertEquals(2, d.test().label(0));
        assertEquals(8, d.test().label(359));
        float[] x = new float[64];
        d.train().intensities(0, x, 0);
        assertEquals(5 / 16f, x[2]); // the first row is 0,0,5,13,9,1,0,0
        assertEquals(13 / 16f, d.train().intensity(0, 3));
    }

    @Test
    void embeddedDigitsAreTheSharedFile() throws IOException {
        Path shared = sharedData().resolve("digits/digits.csv.gz");
        try (InputStream in = DataSets.class.getResourceAsStream("digits.csv.gz")) {
            assertArrayEquals(Files.readAllBytes(shared), in.readAllBytes());
        }
        assertTrue(DataSets.class.getResource("digits.LICENSE") != null, "licence beside the embedded file");
    }

    @Test
    void mnist() throws IOException {
        long start = System.nanoTime();
        Dataset d = DataSets.load("mnist", sharedData(), 10_000, Download.none());
        System.out.printf("mnist loaded in %.0f ms%n", (System.nanoTime() - start) / 1e6);
        assertEquals(50_000, d.train().count());
        assertEquals(10_000, d.validation().count());
        assertEquals(10_000, d.test().count());
        assertEquals(28, d.height());
        assertEquals(28, d.width());
        assertEquals(255, d.levels());
        assertFalse(d.binary());
        assertTrue(d.source().contains("mnist/train-images-idx3-ubyte.gz"), d.source());
        for (Split s : List.of(d.train(), d.validation(), d.test())) {
            assertLabelsAreDigits(s);
        }
        assertEquals(5, d.train().label(0));
        assertEquals(27525, pixelSum(d.train(), 0));
        assertEquals(3, d.validation().label(0)); // training image 50000
        assertEquals(8, d.validation().label(9_999)); // the last training image
        assertEquals(7, d.test().label(0));
        assertEquals(18454, pixelSum(d.test(), 0));
        assertEquals(1567298545L, pixelSum(d.train()) + pixelSum(d.validation()));
        assertEquals(264923200L, pixelSum(d.test()));
    }

    @Test
    void mnistValidationSize() throws IOException {
        Path data = sharedData();
        Dataset none = DataSets.load("mnist", data, 0, Download.none());
        assertEquals(60_000, none.train().count());
        assertEquals(0, none.validation().count());
        assertThrows(IllegalArgumentException.class, () -> DataSets.load("mnist", data, 60_000, Download.none()));
        assertThrows(IllegalArgumentException.class, () -> DataSets.load("mnist", data, -1, Download.none()));
    }

    @Test
    void fashionMnist() throws IOException {
        Dataset d = DataSets.load("fashion-mnist", sharedData(), 5_000, Download.none());
        assertEquals(55_000, d.train().count());
        assertEquals(5_000, d.validation().count());
        assertEquals(10_000, d.test().count());
        assertEquals(28 * 28, d.size());
        assertEquals(255, d.levels());
        assertEquals(9, d.train().label(0));
        assertEquals(76247, pixelSum(d.train(), 0));
        assertEquals(9, d.test().label(0));
        assertEquals(33456, pixelSum(d.test(), 0));
        assertEquals(573469082L, pixelSum(d.test()));
        int[] perClass = new int[10];
        for (Split s : List.of(d.train(), d.validation())) {
            for (int label : s.labels()) {
                perClass[label]++;
            }
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, perClass);
    }

    @Test
    void binarizedMnist() throws IOException {
        Dataset d = DataSets.load("binarized-mnist", sharedData(), 10_000, Download.none());
        assertTrue(d.binary());
        assertEquals(1, d.levels());
        assertEquals(50_000, d.train().count());
        assertEquals(10_000, d.validation().count());
        assertEquals(10_000, d.test().count());
        long[] ones = {5118041, 1028036, 1038896};
        int[] firstImageOnes = {123, 90, 147};
        List<Split> splits = List.of(d.train(), d.validation(), d.test());
        for (int i = 0; i < 3; i++) {
            Split s = splits.get(i);
            assertEquals(28, s.height());
            assertNull(s.labels());
            for (byte b : s.pixels()) {
                assertTrue(b == 0 || b == 1);
            }
            assertEquals(ones[i], pixelSum(s));
            assertEquals(firstImageOnes[i], pixelSum(s, 0));
        }
        assertEquals(1f, d.test().intensity(0, indexOfFirstOne(d.test())));
    }

    private static int indexOfFirstOne(Split s) {
        for (int p = 0; p < s.size(); p++) {
            if (s.pixels()[p] == 1) {
                return p;
            }
        }
        throw new AssertionError("blank image");
    }

    @Test
    void binarizedMnistAlsoReadsTheUncompressedOfficialFile(@TempDir Path dir) throws IOException {
        Path gz = sharedData().resolve("binarized-mnist/binarized_mnist_valid.amat.gz");
        Path plain;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            plain = write(dir, "binarized-mnist/binarized_mnist_valid.amat", in.readAllBytes());
        }
        assertEquals(plain, DataSets.obtain(Registry.BINARIZED_VALID.variants(), dir, Download.none()));
        assertArrayEquals(AmatReader.read(gz, 10_000, 28, 28).pixels(), AmatReader.read(plain, 10_000, 28, 28).pixels());
    }

    /** The registry's checksums and sizes are those of the shared files (and, decompressed, of the .amat files). */
    @Test
    void registryMatchesTheSharedFiles() throws IOException {
        Path data = sharedData();
        for (DataFile f : Registry.all()) {
            Path file = f.in(data);
            if (f.name().endsWith(".amat")) {
                file = data.resolve(f.relativePath() + ".gz");
                byte[] plain;
                try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                    plain = in.readAllBytes();
                }
                assertEquals(f.size(), plain.length, f.name());
                assertEquals(f.sha256(), Sha256.of(plain), f.name());
            } else {
                assertEquals(f.size(), Files.size(file), f.name());
                assertEquals(f.sha256(), Sha256.of(file), f.name());
            }
        }
    }

    @Test
    void aDamagedLocalFileIsAChecksumErrorBeforeParsing(@TempDir Path dir) throws IOException {
        // Not even gzip: a parser would fail differently, so this proves the checksum comes first.
        Path damaged = write(dir, "mnist/train-images-idx3-ubyte.gz", DataTestFiles.ascii("not the file"));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> DataSets.load("mnist", dir, 10_000, Download.none()));
        assertEquals(damaged, e.file());
        assertEquals(Registry.MNIST.trainImages().sha256(), e.expected());
        assertEquals(Sha256.of(damaged), e.actual());
        assertTrue(e.getMessage().startsWith(damaged + ": SHA-256 checksum mismatch"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aMissingFileWithoutDownloadIsUnavailable(@TempDir Path dir) {
        Path data = dir.resolve("no-such-dir");
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> DataSets.load("binarized-mnist", data, 0, Download.none()));
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains("binarized-mnist/binarized_mnist_train.amat.gz"), message);
        assertTrue(message.contains(data.resolve("binarized-mnist/binarized_mnist_train.amat").toString()), message);
        assertTrue(message.contains("downloading is off"), message);
        assertTrue(message.contains("--data-dir") && message.contains("ELBO_DATA"), message);
        assertEquals(data, e.directory());
        assertTrue(e.failures().isEmpty());
        assertFalse(Files.exists(data), "nothing is created when nothing is downloaded");
    }

    @Test
    void resolveDirectory() {
        Map<String, String> env = Map.of("ELBO_DATA", "/from/env");
        assertEquals(Path.of("/opt/d"), DataSets.resolveDirectory("/opt/d", env));
        assertEquals(Path.of("/from/env"), DataSets.resolveDirectory("", env));
        assertEquals(Path.of("/from/env"), DataSets.resolveDirectory(null, env));
        assertEquals(Path.of("data"), DataSets.resolveDirectory("", Map.of("ELBO_DATA", "")));
        assertEquals(Path.of("data"), DataSets.resolveDirectory(null, Map.of()));
    }

    @Test
    void unknownNamesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSets.load("cifar", Path.of("data"), 0, Download.none()));
        assertTrue(e.getMessage().contains("digits, mnist, binarized-mnist, fashion-mnist"), e.getMessage());
    }

    @Test
    void splitApi() {
        byte[] pixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        Split s = new Split(pixels, new int[] {3, 1, 4}, 3, 2, 2, 11);
        assertEquals(4, s.size());
        assertEquals(7 / 11f, s.intensity(1, 3));
        float[] dst = new float[6];
        s.intensities(2, dst, 1);
        assertArrayEquals(new float[] {0, 8 / 11f, 9 / 11f, 10 / 11f, 1f, 0}, dst);
        Split first = s.first(2);
        assertEquals(2, first.count());
        assertArrayEquals(new int[] {3, 1}, first.labels());
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}, first.pixels());
        Split tail = s.slice(1, 3);
        assertEquals(4, tail.label(1));
        assertEquals(0, s.first(0).count());
        assertThrows(IllegalArgumentException.class, () -> s.first(4));
        assertThrows(IndexOutOfBoundsException.class, () -> s.intensity(0, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> s.intensity(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.intensities(0, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> new Split(pixels, null, 3, 2, 2, 10), "pixel 11 > levels");
        assertThrows(IllegalArgumentException.class, () -> new Split(pixels, null, 2, 2, 2, 255), "wrong length");
        assertThrows(IllegalArgumentException.class, () -> new Split(pixels, new int[] {1, 2, 10}, 3, 2, 2, 255));
        assertThrows(IllegalStateException.class, () -> new Split(pixels, null, 3, 2, 2, 255).label(0));
    }
}
