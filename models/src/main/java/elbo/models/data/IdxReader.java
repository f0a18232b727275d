package elbo.models.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (format: http://yann.lecun.com/exdb/mnist/), raw or gzip.
 * Images: magic 0x00000803, then count, rows and columns as big-endian 32-bit integers, then count × rows ×
 * columns unsigned bytes. Labels: magic 0x00000801, count, then count unsigned bytes. Nothing may follow.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Labels are digit classes. */
    public static final int CLASSES = 10;

    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;
    private static final int COUNT_OFFSET = 4;

    private IdxReader() {
    }

    /** The contents of an IDX image file: {@code count} images of height × width bytes, row-major. */
    public record Images(byte[] pixels, int count, int height, int width) {
    }

    /**
     * Reads an image file and its label file as one split (levels 255).
     *
     * @throws DataFormatException if either file is malformed, or the label file's count differs from the
     *                             image file's (reported at the label file's count field, byte 4)
     * @throws IOException         if a file cannot be read
     */
    public static Split readSplit(Path imagesFile, Path labelsFile) throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile, images.count());
        return new Split(images.pixels(), labels, images.count(), images.height(), images.width(), 255);
    }

    /**
     * Reads an image file.
     *
     * @throws DataFormatException if the magic number is wrong, the header or the data is truncated, the header
     *                             declares more pixels than one array can hold, or data follows the last image
     * @throws IOException         if the file cannot be read or its gzip stream is corrupt
     */
    public static Images readImages(Path file) throws IOException {
        try (ByteReader in = ByteReader.open(file)) {
            return readImages(in);
        }
    }

    /**
     * Reads a label file.
     *
     * @param expectedCount the number of labels required (the image count), or -1 for any
     * @throws DataFormatException if the magic number is wrong, the count is not {@code expectedCount}, the
     *                             header or the data is truncated, a label is not in 0..9, or data follows
     * @throws IOException         if the file cannot be read or its gzip stream is corrupt
     */
    public static int[] readLabels(Path file, int expectedCount) throws IOException {
        try (ByteReader in = ByteReader.open(file)) {
            return readLabels(in, expectedCount);
        }
    }

    static Images readImages(ByteReader in) throws IOException {
        String header = "an IDX image header";
        checkMagic(in, in.readInt(header, IMAGES_HEADER), IMAGES_MAGIC, "images");
        long count = Integer.toUnsignedLong(in.readInt(header, IMAGES_HEADER));
        long height = Integer.toUnsignedLong(in.readInt(header, IMAGES_HEADER));
        long width = Integer.toUnsignedLong(in.readInt(header, IMAGES_HEADER));
        if (height == 0 || width == 0) {
            throw in.error(8, "image size " + height + "x" + width + " has no pixels");
        }
        // Refuse impossible sizes from the header alone, before a byte of memory is committed to them.
        long max = ByteReader.MAX_ARRAY;
        if (height > max || width > max || height * width > max || count > max / (height * width)) {
            throw in.error(COUNT_OFFSET, "the header declares " + count + " images of " + height + "x" + width
                    + " pixels, more than one Java array can hold (" + ByteReader.MAX_ARRAY + " bytes)");
        }
        String declared = count + " images of " + height + "x" + width + " pixels";
        byte[] pixels = in.readDeclared(count * height * width, declared);
        in.expectEnd("the " + declared + " declared in the header");
        return new Images(pixels, (int) count, (int) height, (int) width);
    }

    static int[] readLabels(ByteReader in, int expectedCount) throws IOException {
        String header = "an IDX label header";
        checkMagic(in, in.readInt(header, LABELS_HEADER), LABELS_MAGIC, "labels");
        long count = Integer.toUnsignedLong(in.readInt(header, LABELS_HEADER));
        if (expectedCount >= 0 && count != expectedCount) {
            throw in.error(COUNT_OFFSET, "the header declares " + count + " labels, but there are " + expectedCount
                    + " images");
        }
        if (count > ByteReader.MAX_ARRAY) {
            throw in.error(COUNT_OFFSET, "the header declares " + count + " labels, more than one Java array can hold");
        }
        String declared = count + " labels";
        byte[] bytes = in.readDeclared(count, declared);
        in.expectEnd("the " + declared + " declared in the header");
        int[] labels = new int[bytes.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = bytes[i] & 0xFF;
            if (labels[i] >= CLASSES) {
                throw in.error(LABELS_HEADER + i, "label " + labels[i] + " of image " + i + " is not a digit 0..9");
            }
        }
        return labels;
    }

    private static void checkMagic(ByteReader in, int magic, int expected, String what) throws DataFormatException {
        if (magic != expected) {
            String hint = magic == LABELS_MAGIC ? " (this is a label file)"
                    : magic == IMAGES_MAGIC ? " (this is an image file)" : "";
            throw in.error(0, String.format("magic number 0x%08x%s is not 0x%08x, which marks IDX %s", magic, hint,
                    expected, what));
        }
    }
}
