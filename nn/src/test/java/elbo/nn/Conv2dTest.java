package elbo.nn;

import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conv2d's im2col + GEMM against the definition written as loops, in both dtypes; shape errors. */
class Conv2dTest {
    private static final DType F64 = DType.FLOAT64;
    private static final DType F32 = DType.FLOAT32;

    /**
     * The reference: the definition as readable loops (no im2col, no GEMM),
     * {@code y[b,o,oy,ox] = bias[o] + Σ_{c,i,j} W[o,c,i,j] · x[b,c,oy·s−p+i, ox·s−p+j]}, zero outside the image.
     */
    static Tensor directConv2d(Tensor x, Tensor w, Tensor bias, int s, int p) {
        int batch = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int cout = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int hOut = (h + 2 * p - kh) / s + 1, wOut = (wd + 2 * p - kw) / s + 1;
        double[] y = new double[batch * cout * hOut * wOut];
        int at = 0;
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < cout; o++) {
                for (int oy = 0; oy < hOut; oy++) {
                    for (int ox = 0; ox < wOut; ox++) {
                        double sum = bias == null ? 0.0 : bias.get(o);
                        for (int c = 0; c < cin; c++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * s - p + i, ix = ox * s - p + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        sum += w.get(o, c, i, j) * x.get(b, c, iy, ix);
                                    }
                                }
                            }
                        }
                        y[at++] = sum;
                    }
                }
            }
        }
        return Tensor.of(y, batch, cout, hOut, wOut);
    }

    @Test
    void handWorkedExample() {
        // 3x3 image 1..9, 2x2 kernel of ones, stride 1, no padding: each output sums a 2x2 window.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.ones(F64, 1, 1, 2, 2);
        Tensor y = Conv2d.conv2d(x, w, Tensor.vector(F64, 0.5), 1, 0);
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new double[] {12.5, 16.5, 24.5, 28.5}, y.toDoubleArray());
        // padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1) see 1; 2+3; 4+7; 5+6+8+9
        Tensor z = Conv2d.conv2d(x, w, null, 2, 1);
        assertArrayEquals(new double[] {1, 5, 11, 28}, z.toDoubleArray());
    }

    @Property(tries = 80)
    void im2colGemmEqualsDirectLoops(@ForAll @IntRange(min = 1, max = 2) int batch,
                                     @ForAll @IntRange(min = 1, max = 3) int cin,
                                     @ForAll @IntRange(min = 1, max = 3) int cout,
                                     @ForAll @IntRange(min = 1, max = 7) int h,
                                     @ForAll @IntRange(min = 1, max = 7) int w,
                                     @ForAll @IntRange(min = 1, max = 4) int kh,
                                     @ForAll @IntRange(min = 1, max = 4) int kw,
                                     @ForAll @IntRange(min = 1, max = 3) int stride,
                                     @ForAll @IntRange(min = 0, max = 2) int padding,
                                     @ForAll boolean withBias, @ForAll long seed) {
        Assume.that(kh <= h + 2 * padding && kw <= w + 2 * padding);
        Rng rng = new Rng(seed);
        Tensor x = rng.normal(F64, batch, cin, h, w);
        Tensor wt = rng.normal(F64, cout, cin, kh, kw);
        Tensor b = withBias ? rng.normal(F64, cout) : null;
        Tensor expected = directConv2d(x, wt, b, stride, padding);

        Tensor y64 = Conv2d.conv2d(x, wt, b, stride, padding);
        assertEquals(expected.shape(), y64.shape());
        assertEquals(Conv2d.outputSize(h, kh, stride, padding), y64.dim(2));
        assertEquals(Conv2d.outputSize(w, kw, stride, padding), y64.dim(3));
        assertClose(expected, y64, 1e-12);

        Tensor y32 = Conv2d.conv2d(x.cast(F32), wt.cast(F32), b == null ? null : b.cast(F32), stride, padding);
        assertEquals(F32, y32.dtype());
        assertClose(expected, y32, 1e-5);
    }

    @Property(tries = 30)
    void float32BackwardMatchesFloat64(@ForAll @IntRange(min = 1, max = 2) int cin,
                                       @ForAll @IntRange(min = 1, max = 3) int stride,
                                       @ForAll @IntRange(min = 0, max = 1) int padding,
                                       @ForAll long seed) {
        Rng rng = new Rng(seed);
        // values representable in float32, so both dtypes differentiate the same function at the same point
        Tensor x = rng.normal(F32, 2, cin, 6, 5).cast(F64);
        Tensor w = rng.normal(F32, 3, cin, 3, 2).cast(F64);
        Tensor b = rng.normal(F32, 3).cast(F64);
        Tensor dy = rng.normal(F32, shapeOut(x, w, stride, padding)).cast(F64);
        Tensor[] g64 = gradients(x, w, b, stride, padding, dy);
        Tensor[] g32 = gradients(x.cast(F32), w.cast(F32), b.cast(F32), stride, padding, dy.cast(F32));
        for (int k = 0; k < 3; k++) {
            assertEquals(F32, g32[k].dtype());
            assertClose(g64[k], g32[k], 1e-5);
        }
    }

    private static int[] shapeOut(Tensor x, Tensor w, int s, int p) {
        return new int[] {x.dim(0), w.dim(0), Conv2d.outputSize(x.dim(2), w.dim(2), s, p),
                Conv2d.outputSize(x.dim(3), w.dim(3), s, p)};
    }

    /** Gradients of {@code <seed, conv2d(x, w, b)>} with respect to x, w and b. */
    private static Tensor[] gradients(Tensor x, Tensor w, Tensor b, int s, int p, Tensor seed) {
        Tensor xl = x.copy().requiresGrad(true), wl = w.copy().requiresGrad(true), bl = b.copy().requiresGrad(true);
        Conv2d.conv2d(xl, wl, bl, s, p).backward(seed);
        return new Tensor[] {xl.grad(), wl.grad(), bl.grad()};
    }

    private static void assertClose(Tensor expected, Tensor actual, double rtol) {
        assertEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.getFlat(i), a = actual.getFlat(i);
            assertTrue(Math.abs(e - a) <= rtol * (1 + Math.abs(e)),
                    "element " + i + ": expected " + e + ", got " + a);
        }
    }

    @Test
    void layerUsesItsParameters() {
        Rng rng = new Rng(3);
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, F64, rng);
        Init.normal(conv.bias(), 1.0, rng);
        Tensor x = rng.normal(F64, 2, 2, 5, 5);
        assertClose(directConv2d(x, conv.weight(), conv.bias(), 2, 1), conv.forward(x), 1e-12);
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(conv.namedParameters().keySet()));
        assertEquals(3 * 2 * 3 * 3 + 3, conv.parameterCount());
    }

    @Test
    void shapeErrorsNameTheProblem() {
        Rng rng = new Rng(4);
        Conv2d conv = new Conv2d(2, 3, 3, 1, 0, F64, rng);
        ShapeException rank = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(F64, 2, 5, 5)));
        assertTrue(rank.getMessage().contains("[B, C_in, H, W]") && rank.getMessage().contains("[2, 5, 5]"),
                rank.getMessage());
        ShapeException channels = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(F64, 1, 3, 5, 5)));
        assertTrue(channels.getMessage().contains("3 channels") && channels.getMessage().contains("expects 2"),
                channels.getMessage());
        ShapeException big = assertThrows(ShapeException.class, () -> conv.forward(Tensor.zeros(F64, 1, 2, 2, 5)));
        assertTrue(big.getMessage().contains("larger than the input [1, 2, 2, 5]"), big.getMessage());
        // with padding 1 a 3x3 kernel fits a 1x1 image
        assertEquals(Shape.of(1, 1, 1, 1),
                new Conv2d(1, 1, 3, 1, 1, F64, rng).forward(Tensor.zeros(F64, 1, 1, 1, 1)).shape());

        ShapeException stride = assertThrows(ShapeException.class, () -> new Conv2d(1, 1, 3, 0, 0, F64, rng));
        assertTrue(stride.getMessage().contains("stride must be positive, got 0"), stride.getMessage());
        assertThrows(ShapeException.class, () -> Conv2d.conv2d(Tensor.zeros(F64, 1, 1, 3, 3),
                Tensor.zeros(F64, 1, 1, 3, 3), null, -1, 0));
        ShapeException pad = assertThrows(ShapeException.class, () -> new Conv2d(1, 1, 3, 1, -1, F64, rng));
        assertTrue(pad.getMessage().contains("padding must be non-negative"), pad.getMessage());
        ShapeException bias = assertThrows(ShapeException.class, () -> Conv2d.conv2d(Tensor.zeros(F64, 1, 1, 3, 3),
                Tensor.zeros(F64, 2, 1, 3, 3), Tensor.zeros(F64, 3), 1, 0));
        assertTrue(bias.getMessage().contains("bias must be [2]"), bias.getMessage());
        assertThrows(ShapeException.class, () -> Conv2d.conv2d(Tensor.zeros(F64, 1, 1, 3, 3),
                Tensor.zeros(F64, 1, 3, 3), null, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 1, 3, 1, 0, F64, rng));
    }

    @Test
    void dtypeMismatchIsTyped() {
        Rng rng = new Rng(5);
        Conv2d conv = new Conv2d(1, 1, 3, 1, 1, F64, rng);
        DTypeException e = assertThrows(DTypeException.class, () -> conv.forward(Tensor.zeros(F32, 1, 1, 4, 4)));
        assertTrue(e.getMessage().contains("FLOAT32") && e.getMessage().contains("FLOAT64"), e.getMessage());
    }
}
