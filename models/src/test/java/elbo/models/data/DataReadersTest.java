package elbo.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static elbo.models.data.DataTestFiles.amat;
import static elbo.models.data.DataTestFiles.ascii;
import static elbo.models.data.DataTestFiles.concat;
import static elbo.models.data.DataTestFiles.csv;
import static elbo.models.data.DataTestFiles.csvLine;
import static elbo.models.data.DataTestFiles.cut;
import static elbo.models.data.DataTestFiles.cyclicLabels;
import static elbo.models.data.DataTestFiles.gzip;
import static elbo.models.data.DataTestFiles.idxImageHeader;
import static elbo.models.data.DataTestFiles.idxImages;
import static elbo.models.data.DataTestFiles.idxLabels;
import static elbo.models.data.DataTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The readers on small synthetic files: good files raw and gzip, and every kind of damage, typed and located. */
class DataReadersTest {
    @TempDir
    Path dir;

    /**
     * Asserts a {@link DataFormatException} about {@code file} at {@code offset} whose one-line message names
     * both (as "decompressed byte N" for gzip) and contains {@code fragment}.
     */
    static DataFormatException assertFormatError(Executable read, Path file, long offset, boolean decompressed,
            String fragment) {
        DataFormatException e = assertThrows(DataFormatException.class, read);
        String where = (decompressed ? "decompressed byte " : "byte ") + offset + ": ";
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(decompressed, e.decompressed(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": " + where), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should mention " + fragment);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private Path file(String name, byte[] raw, boolean gz) throws IOException {
        return write(dir, gz ? name + ".gz" : name, gz ? gzip(raw) : raw);
    }

    // ---------------------------------------------------------------- IDX

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxReadsImagesAndLabels(boolean gz) throws IOException {
        Path images = file("images", idxImages(7, 3, 5), gz);
        Path labels = file("labels", idxLabels(7, cyclicLabels(7)), gz);
        Split split = IdxReader.readSplit(images, labels);
        assertEquals(7, split.count());
        assertEquals(3, split.height());
        assertEquals(5, split.width());
        assertEquals(255, split.levels());
        assertArrayEquals(cyclicLabels(7), split.labels());
        for (int i = 0; i < 7; i++) {
            for (int p = 0; p < 15; p++) {
                assertEquals(DataTestFiles.pixel(i, p), split.pixels()[i * 15 + p] & 0xFF);
                assertEquals(DataTestFiles.pixel(i, p) / 255f, split.intensity(i, p));
            }
        }
    }

    @Test
    void idxReadsConcatenatedGzipMembers() throws IOException {
        byte[] raw = idxImages(4, 2, 2);
        Path images = write(dir, "two-members.gz", concat(gzip(cut(raw, 10)), gzip(java.util.Arrays.copyOfRange(raw,
                10, raw.length))));
        assertArrayEquals(java.util.Arrays.copyOfRange(raw, 16, raw.length), IdxReader.readImages(images).pixels());
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxWrongMagic(boolean gz) throws IOException {
        Path labelsAsImages = file("labels", idxLabels(3, 1, 2, 3), gz);
        assertFormatError(() -> IdxReader.readImages(labelsAsImages), labelsAsImages, 0, gz,
                "magic number 0x00000801 (this is a label file) is not 0x00000803");
        Path text = file("text", ascii("hello world, this is no IDX file"), gz);
        assertFormatError(() -> IdxReader.readLabels(text, -1), text, 0, gz, "magic number 0x68656c6c");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxTruncatedHeader(boolean gz) throws IOException {
        Path images = file("images", cut(idxImages(2, 2, 2), 10), gz);
        assertFormatError(() -> IdxReader.readImages(images), images, 10, gz, "truncated header");
        Path labels = file("labels", cut(idxLabels(2, 1, 1), 6), gz);
        assertFormatError(() -> IdxReader.readLabels(labels, -1), labels, 6, gz, "truncated header");
        Path empty = file("empty", new byte[0], gz);
        assertFormatError(() -> IdxReader.readImages(empty), empty, 0, gz, "truncated header");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxTruncatedData(boolean gz) throws IOException {
        // 3 images of 2x3 declared (18 bytes), 10 present: the data runs out at byte 16 + 10.
        Path images = file("images", cut(idxImages(3, 2, 3), 26), gz);
        assertFormatError(() -> IdxReader.readImages(images), images, 26, gz, "after 10 of the 18 bytes");
        Path labels = file("labels", idxLabels(5, 1, 2), gz);
        assertFormatError(() -> IdxReader.readLabels(labels, 5), labels, 10, gz, "after 2 of the 5 bytes");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxTrailingData(boolean gz) throws IOException {
        Path images = file("images", concat(idxImages(3, 2, 3), new byte[] {1, 2, 3}), gz);
        assertFormatError(() -> IdxReader.readImages(images), images, 16 + 18, gz, "unexpected data after");
        Path labels = file("labels", idxLabels(2, 1, 2, 3), gz);
        assertFormatError(() -> IdxReader.readLabels(labels, -1), labels, 10, gz, "unexpected data after");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxLabelOutOfRange(boolean gz) throws IOException {
        Path labels = file("labels", idxLabels(4, 1, 2, 12, 3), gz);
        assertFormatError(() -> IdxReader.readLabels(labels, 4), labels, 8 + 2, gz, "label 12 of image 2");
        Path high = file("high", idxLabels(1, 255), gz);
        assertFormatError(() -> IdxReader.readLabels(high, -1), high, 8, gz, "label 255");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxImageAndLabelCountsDisagree(boolean gz) throws IOException {
        Path images = file("images", idxImages(3, 2, 2), gz);
        Path labels = file("labels", idxLabels(2, 1, 2), gz);
        assertFormatError(() -> IdxReader.readSplit(images, labels), labels, 4, gz,
                "declares 2 labels, but there are 3 images");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void idxHugeDeclaredSizesAreRefusedBeforeAllocating(boolean gz) throws IOException {
        for (long count : new long[] {1L << 31, 1_000_000_000L, 0xFFFFFFFFL}) {
            Path images = file("huge-" + count, concat(idxImageHeader(IdxReader.IMAGES_MAGIC, (int) count, 28, 28),
                    new byte[100]), gz);
            assertFormatError(() -> IdxReader.readImages(images), images, 4, gz,
                    "declares " + count + " images of 28x28 pixels, more than one Java array can hold");
        }
        Path wide = file("wide", concat(idxImageHeader(IdxReader.IMAGES_MAGIC, 1, -1, -1), new byte[4]), gz);
        assertFormatError(() -> IdxReader.readImages(wide), wide, 4, gz, "more than one Java array can hold");
        // Sizes an array could hold are still not allocated up front: memory follows the data that arrives,
        // so these fail fast at the end of their few bytes instead of committing 0.8 and 1.9 GB.
        Path many = file("many", concat(idxImageHeader(IdxReader.IMAGES_MAGIC, 1_000_000, 28, 28), new byte[50]), gz);
        Path labels = file("labels", concat(idxLabels(1_900_000_000), new byte[7]), gz);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            assertFormatError(() -> IdxReader.readImages(many), many, 16 + 50, gz, "after 50 of the 784000000");
            assertFormatError(() -> IdxReader.readLabels(labels, -1), labels, 8 + 7, gz, "after 7 of the 1900000000");
        });
    }

    @Test
    void idxZeroImagesIsAValidEmptyFile() throws IOException {
        Path images = write(dir, "none", idxImageHeader(IdxReader.IMAGES_MAGIC, 0, 28, 28));
        IdxReader.Images read = IdxReader.readImages(images);
        assertEquals(0, read.count());
        assertEquals(0, read.pixels().length);
    }

    // ---------------------------------------------------------------- gzip

    @Test
    void gzipTruncatedStream() throws IOException {
        byte[] raw = idxImages(200, 28, 28);
        byte[] gz = gzip(raw);
        Path cutInData = write(dir, "cut-data.gz", cut(gz, gz.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(cutInData));
        assertTrue(e.decompressed() && e.offset() > 0 && e.offset() < raw.length, e.getMessage());
        assertTrue(e.getMessage().startsWith(cutInData + ": decompressed byte " + e.offset() + ": the gzip stream "
                + "ends early: the compressed file is truncated after " + (gz.length / 2) + " bytes"), e.getMessage());
        // Cut inside the 8-byte trailer: all data is there, but the CRC cannot be checked.
        Path cutInTrailer = write(dir, "cut-trailer.gz", cut(gz, gz.length - 3));
        assertFormatError(() -> IdxReader.readImages(cutInTrailer), cutInTrailer, raw.length, true,
                "ends inside the gzip trailer");
        Path cutInHeader = write(dir, "cut-header.gz", cut(gz, 5));
        assertFormatError(() -> IdxReader.readImages(cutInHeader), cutInHeader, 5, false,
                "the file ends inside a gzip header");
    }

    @Test
    void gzipBadCrc() throws IOException {
        byte[] raw = idxImages(20, 28, 28);
        byte[] gz = gzip(raw);
        gz[gz.length - 8] ^= 0x01; // first byte of the CRC-32 in the trailer
        Path file = write(dir, "crc.gz", gz);
        assertFormatError(() -> IdxReader.readImages(file), file, raw.length, true,
                "corrupt gzip stream: CRC-32 mismatch");
    }

    @Test
    void gzipGarbageInTheDeflateData() throws IOException {
        byte[] raw = idxImages(200, 28, 28);
        byte[] gz = gzip(raw);
        for (int i = gz.length / 3; i < gz.length / 3 + 16; i++) {
            gz[i] = (byte) (gz[i] ^ 0x5A);
        }
        Path file = write(dir, "garbage.gz", gz);
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(file));
        assertTrue(e.decompressed(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": decompressed byte "), e.getMessage());
        assertTrue(e.getMessage().contains("gzip stream"), e.getMessage());
    }

    @Test
    void gzipGarbageAfterTheStream() throws IOException {
        byte[] raw = idxImages(3, 2, 2);
        byte[] gz = gzip(raw);
        Path file = write(dir, "appended.gz", concat(gz, ascii("garbage")));
        assertFormatError(() -> IdxReader.readImages(file), file, raw.length, true,
                "data after the end of the gzip stream, at compressed byte " + gz.length);
    }

    @Test
    void gzipBadHeader() throws IOException {
        byte[] gz = gzip(idxImages(1, 1, 1));
        gz[2] = 7; // compression method
        Path method = write(dir, "method.gz", gz);
        assertFormatError(() -> IdxReader.readImages(method), method, 2, false, "method 7 is not deflate");
    }

    // ---------------------------------------------------------------- amat

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void amatReadsBinaryImages(boolean gz) throws IOException {
        Path file = file("b.amat", ascii(amat(5, 12)), gz);
        Split split = AmatReader.read(file, 5, 3, 4);
        assertEquals(5, split.count());
        assertEquals(1, split.levels());
        assertNull(split.labels());
        for (int r = 0; r < 5; r++) {
            for (int v = 0; v < 12; v++) {
                assertEquals((r + v) % 3 == 0 ? 1 : 0, split.pixels()[r * 12 + v], "row " + r + " value " + v);
            }
        }
        // CRLF line ends, no final newline, trailing blank lines: all the same data.
        String text = amat(5, 12);
        assertArrayEquals(split.pixels(), AmatReader.read(file("crlf", ascii(text.replace("\n", "\r\n")), gz), 5, 3,
                4).pixels());
        assertArrayEquals(split.pixels(), AmatReader.read(file("no-final-newline",
                ascii(text.substring(0, text.length() - 1)), gz), 5, 3, 4).pixels());
        assertArrayEquals(split.pixels(), AmatReader.read(file("blank-tail", ascii(text + "\n \n"), gz), 5, 3,
                4).pixels());
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void amatTokenThatIsNotABit(boolean gz) throws IOException {
        String line0 = "0 1 0 1\n";
        Path two = file("two", ascii(line0 + "1 1 2 0\n"), gz);
        assertFormatError(() -> AmatReader.read(two, 2, 2, 2), two, line0.length() + 4, gz,
                "line 2, value 3: '2' is not 0 or 1");
        Path decimal = file("decimal", ascii(line0 + "1 0.5 0 0\n"), gz);
        assertFormatError(() -> AmatReader.read(decimal, 2, 2, 2), decimal, line0.length() + 2, gz, "'0.5' is not 0 or 1");
        Path word = file("word", ascii("0 1 x1 1\n"), gz);
        assertFormatError(() -> AmatReader.read(word, 1, 2, 2), word, 4, gz, "'x1' is not 0 or 1");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void amatLineWithTheWrongNumberOfValues(boolean gz) throws IOException {
        String line0 = "0 1 0 1\n";
        Path shortLine = file("short", ascii(line0 + "1 1 0\n0 0 0 0\n"), gz);
        assertFormatError(() -> AmatReader.read(shortLine, 3, 2, 2), shortLine, line0.length(), gz,
                "line 2 has 3 values; expected 4");
        Path longLine = file("long", ascii(line0 + "1 1 0 0 1\n"), gz);
        assertFormatError(() -> AmatReader.read(longLine, 2, 2, 2), longLine, line0.length(), gz,
                "line 2 has more than 4 values");
        Path blank = file("blank", ascii(line0 + "\n" + line0), gz);
        assertFormatError(() -> AmatReader.read(blank, 3, 2, 2), blank, line0.length(), gz,
                "line 2 has 0 values; expected 4");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void amatFewerLinesThanExpected(boolean gz) throws IOException {
        String text = amat(3, 4);
        Path file = file("few", ascii(text), gz);
        assertFormatError(() -> AmatReader.read(file, 5, 2, 2), file, text.length(), gz,
                "the data ends after 3 lines; 5 lines were expected");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void amatMoreLinesThanExpected(boolean gz) throws IOException {
        String text = amat(3, 4);
        Path file = file("many", ascii(text + "1 0 0 0\n"), gz);
        assertFormatError(() -> AmatReader.read(file, 3, 2, 2), file, text.length(), gz,
                "unexpected data after the 3 expected lines");
    }

    // ---------------------------------------------------------------- digits CSV

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void csvReadsDigits(boolean gz) throws IOException {
        Split split = DigitsCsvReader.read(file("d.csv", ascii(csv(12) + "\n"), gz));
        assertEquals(12, split.count());
        assertEquals(8, split.height());
        assertEquals(8, split.width());
        assertEquals(16, split.levels());
        for (int r = 0; r < 12; r++) {
            assertEquals(r % 10, split.labels()[r]);
            for (int i = 0; i < 64; i++) {
                assertEquals((i + r) % 17, split.pixels()[r * 64 + i]);
            }
        }
        Split crlf = DigitsCsvReader.read(file("crlf.csv", ascii(csv(12).replace("\n", "\r\n")), gz));
        assertArrayEquals(split.pixels(), crlf.pixels());
        assertArrayEquals(split.labels(), crlf.labels());
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void csvWrongColumnCount(boolean gz) throws IOException {
        String good = csvLine(0);
        String missingLabel = good.substring(0, good.lastIndexOf(',')) + "\n";
        Path fewer = file("fewer.csv", ascii(good + missingLabel), gz);
        assertFormatError(() -> DigitsCsvReader.read(fewer), fewer, good.length(), gz, "line 2 has 64 values; expected 65");
        Path more = file("more.csv", ascii(good + good.replace("\n", ",3\n")), gz);
        assertFormatError(() -> DigitsCsvReader.read(more), more, good.length(), gz, "line 2 has 66 values; expected 65");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void csvValueOutOfRange(boolean gz) throws IOException {
        String good = csvLine(0);
        Path pixel = file("pixel.csv", ascii(good + "17" + good.substring(good.indexOf(','))), gz);
        assertFormatError(() -> DigitsCsvReader.read(pixel), pixel, good.length(), gz,
                "line 2, value 1: 17 is not in 0..16 (a pixel)");
        String noLabel = good.substring(0, good.lastIndexOf(',') + 1);
        Path label = file("label.csv", ascii(noLabel + "10\n"), gz);
        assertFormatError(() -> DigitsCsvReader.read(label), label, noLabel.length(), gz,
                "line 1, value 65: 10 is not in 0..9 (the label)");
        Path huge = file("huge.csv", ascii("99999999999999999999" + good.substring(good.indexOf(','))), gz);
        assertFormatError(() -> DigitsCsvReader.read(huge), huge, 0, gz, "is not in 0..16");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void csvNonNumber(boolean gz) throws IOException {
        String good = csvLine(0);
        int secondField = good.indexOf(',') + 1;
        for (String bad : new String[] {"x", "1.5", "-1", " 3", ""}) {
            String line = good.substring(0, secondField) + bad + good.substring(good.indexOf(',', secondField));
            Path file = file("bad" + bad.trim() + ".csv", ascii(good + line), gz);
            assertFormatError(() -> DigitsCsvReader.read(file), file, good.length() + secondField, gz,
                    "line 2, value 2: '" + bad + "' is not a whole number");
        }
        Path header = file("header.csv", ascii("pixel_0_0,pixel_0_1\n" + good), gz);
        assertFormatError(() -> DigitsCsvReader.read(header), header, 0, gz, "'pixel_0_0' is not a whole number");
    }
}
