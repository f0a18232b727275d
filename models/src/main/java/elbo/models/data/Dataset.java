package elbo.models.data;

import java.util.Objects;

/**
 * A data set in memory, split three ways.
 *
 * @param name       its name in {@link DataSets#NAMES}
 * @param train      images to fit on
 * @param validation images for early stopping and model choice (may be empty)
 * @param test       images to report on
 * @param binary     every pixel is already 0 or 1 (binarized MNIST), so no binarisation applies
 * @param source     where it came from: {@code "embedded"} or the files read
 */
public record Dataset(String name, Split train, Split validation, Split test, boolean binary, String source) {
    /**
     * Checks that the splits agree.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the splits' image shapes or levels differ, or {@code binary} is true
     *                                  while levels is not 1
     */
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(source, "source");
        for (Split s : new Split[] {validation, test}) {
            if (s.height() != train.height() || s.width() != train.width() || s.levels() != train.levels()) {
                throw new IllegalArgumentException("Dataset " + name + ": splits differ: " + train + " vs " + s);
            }
        }
        if (binary && train.levels() != 1) {
            throw new IllegalArgumentException("Dataset " + name + ": binary but levels " + train.levels());
        }
    }

    /** Image height in pixels. */
    public int height() {
        return train.height();
    }

    /** Image width in pixels. */
    public int width() {
        return train.width();
    }

    /** Pixels per image. */
    public int size() {
        return train.size();
    }

    /** The largest pixel value. */
    public int levels() {
        return train.levels();
    }

    @Override
    public String toString() {
        return name + " (" + height() + "x" + width() + ", levels " + levels() + (binary ? ", binary" : "")
                + "): train " + train.count() + ", validation " + validation.count() + ", test " + test.count()
                + ", from " + source;
    }
}
