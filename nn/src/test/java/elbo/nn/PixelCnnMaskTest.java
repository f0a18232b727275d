package elbo.nn;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.MaskedConv2d.MaskType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The autoregressive property of PixelCNN masks, checked with autodiff: for each output pixel
 * {@code i} (raster index {@code row·W + col}), one backward pass gives the gradient with respect to
 * every input pixel {@code j}, and the set of {@code j} with a nonzero gradient is compared with what
 * the masks allow.
 */
class PixelCnnMaskTest {
    private static final DType F64 = DType.FLOAT64;

    @Provide
    Arbitrary<Integer> kernels() {
        return Arbitraries.of(3, 5);
    }

    /** A stack "A, B, B, ..." of {@code layers} masked convolutions with tanh between them. */
    private static List<Layer> stack(int channels, int k, int layers, Rng rng) {
        List<Layer> out = new ArrayList<>();
        int hidden = channels + 1;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? channels : hidden, outCh = l == layers - 1 ? channels : hidden;
            if (l > 0) {
                out.add(new Activation(Activation.Kind.TANH)); // derivative never 0: no gradient is lost
            }
            MaskedConv2d conv = new MaskedConv2d(in, outCh, k, l == 0 ? MaskType.A : MaskType.B, F64, rng);
            Init.normal(conv.bias(), 0.5, rng);
            out.add(conv);
        }
        return out;
    }

    /**
     * {@code dep[i][j]}: whether output pixel i (any channel) has a nonzero gradient with respect to
     * input pixel j (any channel); asserts the gradient is exactly 0 wherever {@code allowed} is false.
     */
    private static boolean[][] dependencies(Layer net, Tensor x, Rng rng) {
        int h = x.dim(2), w = x.dim(3), n = h * w;
        boolean[][] dep = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            Tensor xl = x.copy().requiresGrad(true);
            Tensor y = net.forward(xl);
            Tensor seed = Tensor.zerosLike(y);
            for (int c = 0; c < y.dim(1); c++) {
                seed.setFlat(c * n + i, 1.0 + rng.nextDouble()); // every output channel at pixel i
            }
            y.backward(seed);
            Tensor g = xl.grad();
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < x.dim(1); c++) {
                    dep[i][j] |= g.getFlat(c * n + j) != 0.0;
                }
            }
        }
        return dep;
    }

    /**
     * What the masks allow, by geometry alone (no convolution code): one layer of type {@code t} connects
     * output pixel (r, c) to the in-image pixels (r + di − k/2, c + dj − k/2) with {@code mask[di][dj] = 1};
     * a stack composes these relations.
     */
    private static boolean[][] reachable(int h, int w, int k, List<MaskType> types) {
        int n = h * w;
        boolean[][] reach = null;
        for (MaskType t : types) {
            Tensor mask = MaskedConv2d.mask(t, k, F64);
            boolean[][] step = new boolean[n][n];
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    for (int di = 0; di < k; di++) {
                        for (int dj = 0; dj < k; dj++) {
                            int rr = r + di - k / 2, cc = c + dj - k / 2;
                            if (mask.get(di, dj) != 0 && rr >= 0 && rr < h && cc >= 0 && cc < w) {
                                step[r * w + c][rr * w + cc] = true;
                            }
                        }
                    }
                }
            }
            reach = reach == null ? step : compose(step, reach);
        }
        return reach;
    }

    /** {@code (a ∘ b)[i][j] = ∃ m: a[i][m] ∧ b[m][j]}: the last layer's relation after the earlier ones'. */
    private static boolean[][] compose(boolean[][] a, boolean[][] b) {
        int n = a.length;
        boolean[][] out = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int m = 0; m < n; m++) {
                if (a[i][m]) {
                    for (int j = 0; j < n; j++) {
                        out[i][j] |= b[m][j];
                    }
                }
            }
        }
        return out;
    }

    private static int count(boolean[][] dep) {
        int s = 0;
        for (boolean[] row : dep) {
            for (boolean b : row) {
                s += b ? 1 : 0;
            }
        }
        return s;
    }

    @Property(tries = 40)
    void stackStartingWithTypeAIsStrictlyCausal(@ForAll @IntRange(min = 2, max = 7) int h,
                                                @ForAll @IntRange(min = 2, max = 7) int w,
                                                @ForAll @IntRange(min = 1, max = 3) int channels,
                                                @ForAll("kernels") int k,
                                                @ForAll @IntRange(min = 1, max = 3) int layers,
                                                @ForAll long seed) {
        Rng rng = new Rng(seed);
        List<Layer> all = stack(channels, k, layers, rng);
        Tensor x = rng.normal(F64, 2, channels, h, w);
        int n = h * w;
        boolean[][] previous = null;
        List<MaskType> types = new ArrayList<>();
        // Prefixes of the stack: 1 layer, 2 layers, ... (the tanh before a conv belongs to it).
        for (int l = 1; l <= layers; l++) {
            types.add(l == 1 ? MaskType.A : MaskType.B);
            Sequential prefix = new Sequential(all.subList(0, 2 * l - 1));
            boolean[][] dep = dependencies(prefix, x, rng);
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    assertFalse(dep[i][j], "depth " + l + ": output pixel " + i + " depends on input pixel " + j);
                }
                if (i > 0) {
                    boolean some = false;
                    for (int j = 0; j < i; j++) {
                        some |= dep[i][j];
                    }
                    assertTrue(some, "depth " + l + ": output pixel " + i + " sees no earlier pixel");
                }
            }
            // exactly the pixels the masks allow: nothing lost, nothing extra
            boolean[][] expected = reachable(h, w, k, types);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(expected[i], dep[i], "depth " + l + ", output pixel " + i);
            }
            if (previous != null) {
                // the receptive field grows: everything seen before is still seen ...
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        assertTrue(!previous[i][j] || dep[i][j], "depth " + l + " lost pixel " + j + " of " + i);
                    }
                }
                // ... and strictly more while the image has rows beyond the reach of l−1 layers (k/2 rows each)
                if (h - 1 > (l - 1) * (k / 2)) {
                    assertTrue(count(dep) > count(previous), "depth " + l + " did not widen the receptive field");
                }
            }
            previous = dep;
        }
    }

    @Property(tries = 40)
    void singleLayerOfEitherType(@ForAll @IntRange(min = 2, max = 7) int h,
                                 @ForAll @IntRange(min = 2, max = 7) int w,
                                 @ForAll @IntRange(min = 1, max = 3) int channels,
                                 @ForAll("kernels") int k,
                                 @ForAll MaskType type,
                                 @ForAll long seed) {
        Rng rng = new Rng(seed);
        MaskedConv2d conv = new MaskedConv2d(channels, channels + 1, k, type, F64, rng);
        boolean[][] dep = dependencies(conv, rng.normal(F64, 1, channels, h, w), rng);
        int n = h * w;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                assertFalse(dep[i][j], type + ": output pixel " + i + " depends on later input pixel " + j);
            }
            // the centre: excluded by A, included by B
            assertEquals(type == MaskType.B, dep[i][i], type + ": pixel " + i + " on itself");
            assertArrayEquals(reachable(h, w, k, List.of(type))[i], dep[i], type + ", output pixel " + i);
        }
    }

    @Test
    void masksOfSize3And5() {
        assertArrayEquals(new double[] {1, 1, 1, 1, 0, 0, 0, 0, 0},
                MaskedConv2d.mask(MaskType.A, 3, F64).toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 0, 0, 0, 0},
                MaskedConv2d.mask(MaskType.B, 3, F64).toDoubleArray());
        assertArrayEquals(new double[] {
                1, 1, 1, 1, 1,
                1, 1, 1, 1, 1,
                1, 1, 0, 0, 0,
                0, 0, 0, 0, 0,
                0, 0, 0, 0, 0}, MaskedConv2d.mask(MaskType.A, 5, F64).toDoubleArray());
        assertArrayEquals(new double[] {0}, MaskedConv2d.mask(MaskType.A, 1, F64).toDoubleArray());
        assertArrayEquals(new double[] {1}, MaskedConv2d.mask(MaskType.B, 1, F64).toDoubleArray());
    }

    @Test
    void maskedWeightsStartAtZeroAndGetZeroGradient() {
        Rng rng = new Rng(9);
        MaskedConv2d conv = new MaskedConv2d(2, 3, 5, MaskType.A, DType.FLOAT32, rng);
        assertEquals(List.of("weight", "bias", "mask"), List.copyOf(conv.stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        assertEquals(1, conv.stride());
        assertEquals(2, conv.padding()); // "same" padding: k / 2
        Tensor x = rng.normal(DType.FLOAT32, 2, 2, 6, 6);
        Tensor y = conv.forward(x);
        assertEquals(x.dim(2), y.dim(2));
        assertEquals(x.dim(3), y.dim(3));
        y.square().sum().backward();
        Tensor g = conv.weight().grad();
        int nonzeroAllowed = 0;
        for (int idx = 0; idx < g.numel(); idx++) {
            boolean masked = conv.mask().getFlat(idx % 25) == 0;
            if (masked) {
                assertEquals(0.0, conv.weight().getFlat(idx), "masked weight " + idx);
                assertTrue(g.getFlat(idx) == 0.0, "gradient of masked weight " + idx + ": " + g.getFlat(idx));
            } else {
                nonzeroAllowed += g.getFlat(idx) != 0 ? 1 : 0;
            }
        }
        assertNotEquals(0, nonzeroAllowed);
    }
}
