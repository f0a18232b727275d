package elbo.models.train;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;
import elbo.models.data.Split;

/**
 * Grey levels to binary pixels, for Bernoulli decoders. Dynamic binarisation draws
 * {@code x_i ~ Bernoulli(intensity_i)} afresh every time an image is used (the IWAE and VampPrior papers'
 * protocol for MNIST: it acts as data augmentation); threshold binarisation keeps {@code intensity ≥ 1/2};
 * a set that is already binary (the static binarized MNIST) passes through unchanged.
 *
 * <p>Validation and test images are binarised once, with the fixed seed {@link #EVALUATION_SEED}, so every
 * run of every configuration is scored on the same binary images.
 */
public final class Binarizer {
    /** The seed of the one-off binarisation of validation and test images. */
    public static final long EVALUATION_SEED = 0x5EED_0F_7E57L;

    private final TrainConfig.Binarization mode;
    private final boolean alreadyBinary;

    public Binarizer(TrainConfig.Binarization mode, boolean alreadyBinary) {
        this.mode = mode;
        this.alreadyBinary = alreadyBinary;
    }

    /** Whether each use of an image draws new pixels. */
    public boolean isStochastic() {
        return !alreadyBinary && mode == TrainConfig.Binarization.DYNAMIC;
    }

    /** Writes image {@code index} of {@code split}, binarised, to {@code dst[offset, offset + X)}. */
    public void image(Split split, int index, float[] dst, int offset, Rng rng) {
        byte[] pixels = split.pixels();
        int size = split.size();
        int levels = split.levels();
        int base = index * size;
        if (alreadyBinary) {
            for (int i = 0; i < size; i++) {
                dst[offset + i] = pixels[base + i] == 0 ? 0f : 1f;
            }
        } else if (mode == TrainConfig.Binarization.DYNAMIC) {
            // x = [u < g / levels] with u uniform on 32 bits, two pixels per 64-bit draw:
            // u·levels < g·2³² decides it without a division (P(x = 1) is g/levels within 2⁻³²).
            int i = 0;
            for (; i + 1 < size; i += 2) {
                long bits = rng.nextLong();
                dst[offset + i] = bernoulli(bits >>> 32, pixels[base + i], levels);
                dst[offset + i + 1] = bernoulli(bits & 0xFFFF_FFFFL, pixels[base + i + 1], levels);
            }
            if (i < size) {
                dst[offset + i] = bernoulli(rng.nextLong() >>> 32, pixels[base + i], levels);
            }
        } else {
            for (int i = 0; i < size; i++) {       // g / levels ≥ 1/2
                dst[offset + i] = 2 * (pixels[base + i] & 0xFF) >= levels ? 1f : 0f;
            }
        }
    }

    /**
     * 1 with probability {@code g / levels} for a uniform 32-bit {@code u}: the sign bit of
     * {@code u·levels − g·2³²} (both below 2⁴⁰), without a branch to mispredict on grey pixels.
     */
    private static float bernoulli(long u, byte grey, int levels) {
        return (float) ((u * levels - ((long) (grey & 0xFF) << 32)) >>> 63);
    }

    /**
     * The images {@code indices[from, from + n)} of {@code split}, binarised: {@code [n, X]} float32, its
     * storage borrowed from the open {@link elbo.core.Workspace} if there is one (no garbage per step).
     */
    public Tensor batch(Split split, int[] indices, int from, int n, Rng rng) {
        int size = split.size();
        Tensor batch = Tensor.zeros(DType.FLOAT32, Shape.of(n, size));
        float[] data = batch.f32();
        for (int i = 0; i < n; i++) {
            image(split, indices[from + i], data, i * size, rng);
        }
        return batch;
    }

    /** All of {@code split}, binarised once with {@link #EVALUATION_SEED}: {@code [N, X]} float32. */
    public Tensor fixed(Split split) {
        Rng rng = new Rng(EVALUATION_SEED);
        int size = split.size();
        float[] data = new float[split.count() * size];
        for (int i = 0; i < split.count(); i++) {
            image(split, i, data, i * size, rng);
        }
        return Tensor.wrap(data, Shape.of(split.count(), size));
    }

    /** The grey intensities in [0, 1] of the first {@code n} images: {@code [n, X]} float32. */
    public static Tensor intensities(Split split, int n) {
        int size = split.size();
        float[] data = new float[n * size];
        for (int i = 0; i < n; i++) {
            split.intensities(i, data, i * size);
        }
        return Tensor.wrap(data, Shape.of(n, size));
    }
}
