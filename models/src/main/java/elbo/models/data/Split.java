package elbo.models.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One split of a data set: {@code count} images of height × width pixels stored as unsigned bytes
 * 0..{@code levels}, row-major {@code [count, height * width]}, with labels 0..9 or null when the set has none.
 * The arrays are shared, not copied: treat them as read-only. Like any record holding arrays, equality is
 * identity of the arrays.
 *
 * @param pixels intensities as unsigned bytes, image after image
 * @param labels the digit (or class) of each image, or null
 * @param count  the number of images
 * @param height rows per image
 * @param width  columns per image
 * @param levels the largest pixel value: 255 for grey MNIST, 16 for digits, 1 for binarized MNIST
 */
public record Split(byte[] pixels, int[] labels, int count, int height, int width, int levels) {
    /**
     * Checks that the arrays match the shape and hold valid values.
     *
     * @throws NullPointerException     if {@code pixels} is null
     * @throws IllegalArgumentException if a dimension is not positive (count may be 0), levels is not in
     *                                  1..255, an array has the wrong length, a pixel exceeds {@code levels},
     *                                  or a label is not in 0..9
     */
    public Split {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0 || height <= 0 || width <= 0 || levels < 1 || levels > 255) {
            throw new IllegalArgumentException("Split: bad shape " + count + " x " + height + "x" + width
                    + ", levels " + levels);
        }
        if (pixels.length != (long) count * height * width) {
            throw new IllegalArgumentException("Split: " + pixels.length + " pixels for " + count + " images of "
                    + height + "x" + width);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException("Split: " + labels.length + " labels for " + count + " images");
        }
        if (levels < 255) { // with 255 levels every byte is valid: skip the scan of the largest sets
            for (int i = 0; i < pixels.length; i++) {
                if ((pixels[i] & 0xFF) > levels) {
                    throw new IllegalArgumentException("Split: pixel " + i + " is " + (pixels[i] & 0xFF)
                            + ", above levels " + levels);
                }
            }
        }
        if (labels != null) {
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] > 9) {
                    throw new IllegalArgumentException("Split: label " + labels[i] + " of image " + i
                            + " is not in 0..9");
                }
            }
        }
    }

    /** Pixels per image, height × width. */
    public int size() {
        return height * width;
    }

    /**
     * One pixel's intensity in [0, 1]: its value divided by {@code levels}.
     *
     * @throws IndexOutOfBoundsException if {@code image} or {@code pixel} is out of range
     */
    public float intensity(int image, int pixel) {
        Objects.checkIndex(image, count);
        Objects.checkIndex(pixel, size());
        return (pixels[image * size() + pixel] & 0xFF) / (float) levels;
    }

    /**
     * Writes one image's {@link #size()} intensities, each as {@link #intensity}, into
     * {@code dst[dstOffset ...]}.
     *
     * @throws IndexOutOfBoundsException if {@code image} is out of range or {@code dst} too short
     */
    public void intensities(int image, float[] dst, int dstOffset) {
        Objects.checkIndex(image, count);
        int size = size();
        Objects.checkFromIndexSize(dstOffset, size, dst.length);
        float scale = levels;
        int from = image * size;
        for (int i = 0; i < size; i++) {
            dst[dstOffset + i] = (pixels[from + i] & 0xFF) / scale;
        }
    }

    /**
     * The label of one image.
     *
     * @throws IllegalStateException     if this split has no labels
     * @throws IndexOutOfBoundsException if {@code image} is out of range
     */
    public int label(int image) {
        if (labels == null) {
            throw new IllegalStateException("this split has no labels");
        }
        return labels[Objects.checkIndex(image, count)];
    }

    /**
     * The first {@code n} images (a copy), e.g. to evaluate on part of a test set.
     *
     * @throws IllegalArgumentException if {@code n} is not in 0..count
     */
    public Split first(int n) {
        return slice(0, n);
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive), copied.
     *
     * @throws IllegalArgumentException if not {@code 0 <= from <= to <= count}
     */
    public Split slice(int from, int to) {
        if (from < 0 || from > to || to > count) {
            throw new IllegalArgumentException("Split.slice(" + from + ", " + to + ") of " + count + " images");
        }
        int size = size();
        byte[] part = Arrays.copyOfRange(pixels, from * size, to * size);
        int[] partLabels = labels == null ? null : Arrays.copyOfRange(labels, from, to);
        return new Split(part, partLabels, to - from, height, width, levels);
    }

    @Override
    public String toString() {
        return "Split[" + count + " images of " + height + "x" + width + ", levels " + levels
                + (labels == null ? ", no labels]" : ", labelled]");
    }
}
