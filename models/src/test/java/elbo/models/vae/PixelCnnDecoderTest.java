package elbo.models.vae;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.decoder.PixelCnnDecoder;
import elbo.nn.Init;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.TreeSet;

import static elbo.models.vae.VaeTesting.F64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PixelCNN decoder's autoregressive structure, read off exact gradients of its logits: the logit of
 * pixel {@code i} has an exactly zero gradient with respect to every pixel {@code j ≥ i} in raster order
 * (and to other images of the batch), a non-zero one with respect to {@code z} and to the earlier pixels
 * inside its receptive field, and the receptive field grows with the number of masked layers.
 *
 * <p>Causality is checked at random signed weights (it must hold for any weights). The non-zero claims are
 * checked at random <em>positive</em> weights, biases, codes and images with an identity {@code z}-trunk:
 * then every ReLU is active and every gradient is a sum of positive products over the paths of the network,
 * so it is non-zero exactly where a path exists; the set of pixels with a non-zero gradient is compared
 * with the receptive field predicted from the masks' geometry (type A: the pixels above and to the left;
 * type B: the same and the centre; zero padding at the border).
 */
class PixelCnnDecoderTest {
    private static final int D = 2;

    /** A decoder over {@code h × w} images with every parameter redrawn: {@code U(0.1, 1)} or {@code N(0, 0.5²)}. */
    private static PixelCnnDecoder decoder(int h, int w, int layers, int channels, int kernel, boolean positive,
            long seed) {
        Rng rng = new Rng(seed);
        PixelCnnDecoder d = PixelCnnDecoder.of(Networks.Net.GATED, D, 4, positive ? 0 : 1, h, w, layers, channels,
                kernel, F64, rng);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (Tensor p : d.parameters()) {
                if (positive) {
                    Init.uniform(p, 0.1, 1.0, rng);
                } else {
                    Init.normal(p, 0.5, rng);
                }
            }
        }
        return d;
    }

    /** The gradients of one logit with respect to the image and the code, {@code [x.grad, z.grad]} (zeros if none). */
    private static Tensor[] gradientOfOneLogit(PixelCnnDecoder d, Tensor x, Tensor z, int flatLogit) {
        Tensor xLeaf = x.copy().requiresGrad(true);
        Tensor zLeaf = z.copy().requiresGrad(true);
        Tensor logits = d.logits(xLeaf, zLeaf);
        Tensor seed = Tensor.zerosLike(logits);
        seed.setFlat(flatLogit, 1.0);
        logits.backward(seed);
        return new Tensor[] {
            xLeaf.grad() == null ? Tensor.zerosLike(x) : xLeaf.grad(),
            zLeaf.grad() == null ? Tensor.zerosLike(z) : zLeaf.grad()};
    }

    @ParameterizedTest(name = "{0} masked layers, 4x5 images, kernel 3, K = 2 codes per image")
    @ValueSource(ints = {1, 2, 3})
    void theLogitOfPixelIHasExactlyZeroGradientWithRespectToPixelsFromIOn(int layers) {
        int h = 4;
        int w = 5;
        int pixels = h * w;
        int k = 2;
        int b = 2;
        PixelCnnDecoder d = decoder(h, w, layers, 3, 3, false, 10L + layers);
        Rng rng = new Rng(20L + layers);
        Tensor x = rng.normal(F64, b, pixels);                  // real-valued, so no product vanishes by x = 0
        Tensor z = rng.normal(F64, k, b, D);                    // K codes per image: the broadcast path
        int earlierNonZero = 0;
        for (int kk = 0; kk < k; kk++) {
            for (int bb = 0; bb < b; bb++) {
                for (int i = 0; i < pixels; i++) {
                    Tensor[] g = gradientOfOneLogit(d, x, z, (kk * b + bb) * pixels + i);
                    for (int ob = 0; ob < b; ob++) {
                        for (int j = 0; j < pixels; j++) {
                            double gj = g[0].get(ob, j);
                            if (ob != bb) {
                                assertTrue(gj == 0.0, "logit [" + kk + ", " + bb + ", pixel " + i + "] depends on pixel "
                                        + j + " of another image " + ob + " (gradient " + gj + ")");
                            } else if (j >= i) {
                                assertTrue(gj == 0.0, layers + " layers: logit of pixel " + i + " (row " + i / w + ", col "
                                        + i % w + ") has gradient " + gj + " with respect to pixel " + j + " (row " + j / w
                                        + ", col " + j % w + ") ≥ i: the decoder sees the future");
                            } else if (gj != 0.0) {
                                earlierNonZero++;
                            }
                        }
                    }
                    for (int ok = 0; ok < k; ok++) {
                        for (int ob = 0; ob < b; ob++) {
                            if (ok != kk || ob != bb) {
                                for (int e = 0; e < D; e++) {
                                    double gz = g[1].get(ok, ob, e);
                                    assertTrue(gz == 0.0, "logit [" + kk + ", " + bb + "] depends on the code of ["
                                            + ok + ", " + ob + "] (gradient " + gz + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(earlierNonZero > 0, "no logit depends on any earlier pixel: the check would be vacuous");
    }

    @ParameterizedTest(name = "{0} masked layers, 7x7 images, kernel 3")
    @ValueSource(ints = {0, 1, 2, 3})
    void everyLogitDependsOnZAndExactlyOnItsReceptiveField(int layers) {
        int h = 7;
        int w = 7;
        int pixels = h * w;
        PixelCnnDecoder d = decoder(h, w, layers, 3, 3, true, 30L + layers);
        Rng rng = new Rng(40L + layers);
        Tensor x = rng.uniform(F64, 1, pixels);
        Tensor z = rng.uniform(F64, 1, D);
        for (int i = 0; i < pixels; i++) {
            Tensor[] g = gradientOfOneLogit(d, x, z, i);
            for (int e = 0; e < D; e++) {
                assertNotEquals(0.0, g[1].getFlat(e), "logit of pixel " + i + " has zero gradient with respect to z_" + e);
            }
            TreeSet<Integer> expected = receptiveField(h, w, 3, layers, i);
            assertTrue(expected.isEmpty() || expected.last() < i, "predicted receptive field must be in the past");
            assertEquals(expected, nonZero(g[0]), layers + " layers: the pixels that the logit of pixel " + i + " (row "
                    + i / w + ", col " + i % w + ") has a non-zero gradient with respect to");
        }
    }

    @Test
    void theReceptiveFieldGrowsWithTheNumberOfLayers() {
        int h = 7;
        int w = 7;
        int row = 6;
        int col = 3;
        int pixel = row * w + col;                         // bottom row, centre: no clipping for 3 layers
        TreeSet<Integer> previous = null;
        for (int layers = 0; layers <= 3; layers++) {
            PixelCnnDecoder d = decoder(h, w, layers, 3, 3, true, 50L + layers);
            Rng rng = new Rng(60L + layers);
            TreeSet<Integer> field = nonZero(gradientOfOneLogit(d, rng.uniform(F64, 1, h * w), rng.uniform(F64, 1, D),
                    pixel)[0]);
            assertEquals(receptiveField(h, w, 3, layers, pixel), field, layers + " layers: receptive field");
            if (layers == 0) {
                assertTrue(field.isEmpty(), "without masked layers the logits depend on z alone, got " + field);
            } else {
                // k/2 = 1 more row above, and 1 more column each side, per layer
                assertEquals(row - layers, field.first() / w, layers + " layers: top row of the receptive field");
                int left = field.stream().mapToInt(j -> j % w).min().orElseThrow();
                int right = field.stream().mapToInt(j -> j % w).max().orElseThrow();
                assertEquals(col - layers, left, layers + " layers: leftmost column of the receptive field");
                assertEquals(col + layers, right, layers + " layers: rightmost column of the receptive field");
            }
            if (previous != null) {
                assertTrue(field.containsAll(previous) && field.size() > previous.size(), "the receptive field of "
                        + layers + " layers " + field + " must strictly contain that of " + (layers - 1) + " " + previous);
            }
            previous = field;
        }
        assertEquals(4, receptiveField(h, w, 3, 1, pixel).size(), "one type-A layer: 3 pixels above, 1 to the left");
    }

    /** The flat indices of the non-zero entries of {@code g} ({@code [1, P]}). */
    private static TreeSet<Integer> nonZero(Tensor g) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int j = 0; j < g.numel(); j++) {
            if (g.getFlat(j) != 0.0) {
                s.add(j);
            }
        }
        return s;
    }

    /**
     * The pixels that {@code ℓ_i} can depend on through {@code L} masked {@code k × k} layers (one of type A,
     * then type B), stride 1 and zero padding: walk back from pixel {@code i} through the type-B offsets
     * {@code L - 1} times and the type-A offsets once, staying inside the image.
     */
    static TreeSet<Integer> receptiveField(int h, int w, int kernel, int layers, int pixel) {
        TreeSet<Integer> out = new TreeSet<>();
        if (layers == 0) {
            return out;
        }
        int c = kernel / 2;
        TreeSet<Integer> frontier = new TreeSet<>(java.util.List.of(pixel));
        for (int l = layers; l >= 1; l--) {
            boolean typeA = l == 1;
            TreeSet<Integer> next = new TreeSet<>();
            for (int p : frontier) {
                int r = p / w;
                int q = p % w;
                for (int dr = -c; dr <= c; dr++) {
                    for (int dc = -c; dc <= c; dc++) {
                        boolean before = dr < 0 || (dr == 0 && dc < 0);
                        boolean centre = dr == 0 && dc == 0;
                        if (!(before || (centre && !typeA))) {
                            continue;
                        }
                        int rr = r + dr;
                        int cc = q + dc;
                        if (rr >= 0 && rr < h && cc >= 0 && cc < w) {
                            next.add(rr * w + cc);
                        }
                    }
                }
            }
            frontier = next;
        }
        out.addAll(frontier);
        return out;
    }
}
