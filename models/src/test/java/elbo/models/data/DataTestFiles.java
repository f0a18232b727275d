package elbo.models.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/** Builders of small data files (IDX, amat, CSV; raw or gzip) and the location of the shared real data. */
final class DataTestFiles {
    private DataTestFiles() {
    }

    /** The shared data folder: $ELBO_DATA, else ../shared/data from the repository or module directory. */
    static Optional<Path> sharedData() {
        String variable = System.getenv(DataSets.DATA_DIR_VARIABLE);
        if (variable != null && !variable.isEmpty() && Files.isDirectory(Path.of(variable, "mnist"))) {
            return Optional.of(Path.of(variable));
        }
        for (String candidate : new String[] {"../shared/data", "../../shared/data"}) {
            Path p = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.isDirectory(p.resolve("mnist"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Pixel value of image i at pixel p in the synthetic sets: varied, deterministic, 0..255. */
    static int pixel(int image, int pixel) {
        return (image * 31 + pixel * 7 + (image * pixel) % 13) & 0xFF;
    }

    /** An IDX image header with any magic and dimensions. */
    static byte[] idxImageHeader(int magic, int count, int height, int width) {
        return ints(magic, count, height, width);
    }

    /** A valid IDX image file of {@code count} images with {@link #pixel} values. */
    static byte[] idxImages(int count, int height, int width) {
        byte[] data = new byte[count * height * width];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < height * width; p++) {
                data[i * height * width + p] = (byte) pixel(i, p);
            }
        }
        return concat(idxImageHeader(IdxReader.IMAGES_MAGIC, count, height, width), data);
    }

    /** An IDX label file with the given count in its header and the given label bytes. */
    static byte[] idxLabels(int declaredCount, int... labels) {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            data[i] = (byte) labels[i];
        }
        return concat(ints(IdxReader.LABELS_MAGIC, declaredCount), data);
    }

    /** Labels 0, 1, ..., 9, 0, ... */
    static int[] cyclicLabels(int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }

    /** {@code rows} lines of {@code values} space-separated bits; bit of row r, value v is (r + v) % 3 == 0. */
    static String amat(int rows, int values) {
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < values; v++) {
                text.append(v == 0 ? "" : " ").append((r + v) % 3 == 0 ? '1' : '0');
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** One digits CSV line: 64 pixels (i + row) % 17, then the label row % 10. */
    static String csvLine(int row) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            line.append((i + row) % 17).append(',');
        }
        return line.append(row % 10).append('\n').toString();
    }

    static String csv(int rows) {
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            text.append(csvLine(r));
        }
        return text.toString();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] ints(int... values) {
        byte[] bytes = new byte[4 * values.length];
        for (int i = 0; i < values.length; i++) {
            for (int b = 0; b < 4; b++) {
                bytes[4 * i + b] = (byte) (values[i] >>> (24 - 8 * b));
            }
        }
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return file;
    }
}
