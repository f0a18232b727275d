package elbo.nn;

import elbo.core.CustomOp;
import elbo.core.DType;
import elbo.core.DTypeException;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.ShapeException;
import elbo.core.Tensor;
import elbo.core.kernels.KernelProvider;
import elbo.core.kernels.Kernels;

/**
 * 2-D convolution over images in NCHW layout (PyTorch's {@code nn.Conv2d}, square stride and zero
 * padding). Like every deep-learning library it computes a cross-correlation:
 * <pre>
 *   y[b, o, oy, ox] = bias[o] + Σ_{c, i, j} W[o, c, i, j] · x[b, c, oy·s − p + i, ox·s − p + j]
 * </pre>
 * where {@code x} is read as zero outside the image. Shapes: input {@code [B, C_in, H, W]}, weight
 * {@code [C_out, C_in, kH, kW]}, bias {@code [C_out]}, output {@code [B, C_out, H_out, W_out]} with
 * {@code H_out = (H + 2p − kH) / s + 1} (floor) and likewise for {@code W_out}.
 *
 * <p><b>im2col + GEMM.</b> For one image, <em>im2col</em> copies every receptive field into a column
 * of a matrix {@code cols} of {@code K = C_in·kH·kW} rows and {@code N = H_out·W_out} columns, so that
 * the convolution becomes one matrix product with the weight viewed as {@code [C_out × K]}:
 * <pre>
 *   forward:   Y_b  = W · cols_b                      ([C_out × N])
 *   backward:  dW   = Σ_b dY_b · cols_bᵀ               (GEMM with B transposed)
 *              dX_b = col2im(Wᵀ · dY_b)                (GEMM with A transposed, then scatter-add)
 *              db   = Σ_b Σ_n dY_b[:, n]
 * </pre>
 * {@code col2im} is the adjoint of {@code im2col}: it adds every column entry back onto the input pixel
 * it was copied from (pixels shared by overlapping fields collect several contributions; padding
 * entries are dropped). Transposes are never materialised: the kernels' GEMM reads the stored layout.
 * The columns are rebuilt in backward rather than saved, so memory is {@code O(K·N)}, not
 * {@code O(B·K·N)}.
 *
 * <p>The operation itself is {@link #conv2d}, recorded on the tape through {@link CustomOp}; the layer
 * owns the parameters {@code weight} (Xavier-uniform with the convolutional fans of {@link Init}) and
 * {@code bias} (zeros). Float32 and float64 are supported.
 */
public class Conv2d extends Layer {
    private static final Kernels KERNELS = KernelProvider.get();

    private final Tensor weight;
    private final Tensor bias;
    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final int padding;

    /**
     * A convolution with a square {@code kernelSize × kernelSize} kernel and a bias.
     *
     * @throws IllegalArgumentException if a channel count or the kernel size is not positive
     * @throws ShapeException           if {@code stride <= 0} or {@code padding < 0}
     */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, DType dtype, Rng rng) {
        this(inChannels, outChannels, kernelSize, kernelSize, stride, padding, true, dtype, rng);
    }

    /**
     * A convolution with a {@code kernelH × kernelW} kernel, optionally without bias.
     *
     * @throws IllegalArgumentException if a channel count or a kernel size is not positive
     * @throws ShapeException           if {@code stride <= 0} or {@code padding < 0}
     */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding,
                  boolean withBias, DType dtype, Rng rng) {
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2d: channels and kernel sizes must be positive, got in="
                    + inChannels + ", out=" + outChannels + ", kernel=" + kernelH + "x" + kernelW);
        }
        checkStrideAndPadding("Conv2d", stride, padding);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padding = padding;
        this.weight = parameter("weight",
                Init.xavierUniform(Tensor.zeros(dtype, outChannels, inChannels, kernelH, kernelW), 1.0, rng));
        this.bias = withBias ? parameter("bias", Tensor.zeros(dtype, outChannels)) : null;
    }

    /**
     * The convolution of {@code x} with this layer's kernel: see {@link #conv2d}.
     *
     * @throws ShapeException if {@code x} is not {@code [B, C_in, H, W]} or the kernel is larger than the
     *                        padded image
     * @throws DTypeException if {@code x} has another dtype than the parameters
     */
    @Override
    public Tensor forward(Tensor x) {
        return conv2d(x, effectiveWeight(), bias == null ? null : param(bias), stride, padding);
    }

    /** The kernel the forward pass uses: the weight here, {@code weight ⊙ mask} in {@link MaskedConv2d}. */
    Tensor effectiveWeight() {
        return param(weight);
    }

    /** The trainable weight {@code [C_out, C_in, kH, kW]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [C_out]}, or {@code null} if the layer has none. */
    public Tensor bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    /**
     * Output length along one axis: {@code (in + 2·padding − kernel) / stride + 1} (floor).
     *
     * @throws ShapeException if the kernel is larger than the padded input, {@code stride <= 0} or
     *                        {@code padding < 0}
     */
    public static int outputSize(int in, int kernel, int stride, int padding) {
        checkStrideAndPadding("conv2d", stride, padding);
        if (kernel > in + 2 * padding) {
            throw new ShapeException("conv2d: kernel size " + kernel + " is larger than the padded input size "
                    + in + " + 2·" + padding + " = " + (in + 2 * padding));
        }
        return (in + 2 * padding - kernel) / stride + 1;
    }

    /**
     * The differentiable convolution {@code y = conv(x, w) + b} (see the class comment for the formula),
     * recorded with its vector-Jacobian product so that gradients reach {@code x}, {@code w} and
     * {@code b}; {@code w} may itself be the result of an operation (e.g. {@code weight ⊙ mask}).
     *
     * @param x       input {@code [B, C_in, H, W]}
     * @param w       kernel {@code [C_out, C_in, kH, kW]}
     * @param b       bias {@code [C_out]}, or {@code null} for none
     * @param stride  step between receptive fields, the same along both axes ({@code >= 1})
     * @param padding zeros added on every side of the image ({@code >= 0})
     * @return {@code [B, C_out, H_out, W_out]}
     * @throws ShapeException if {@code x} or {@code w} is not 4-D, the channel counts differ, the bias is
     *                        not {@code [C_out]}, the kernel is larger than the padded image, or
     *                        {@code stride <= 0} or {@code padding < 0}
     * @throws DTypeException if the operands' dtypes differ
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
        if (w.rank() != 4) {
            throw new ShapeException("conv2d: weight must be [C_out, C_in, kH, kW], got shape " + w.shape());
        }
        if (x.rank() != 4) {
            throw new ShapeException("conv2d: input must be [B, C_in, H, W] (NCHW), got shape " + x.shape()
                    + " (rank " + x.rank() + ") for weight " + w.shape());
        }
        int batch = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int cout = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        if (w.dim(1) != cin) {
            throw new ShapeException("conv2d: input " + x.shape() + " has " + cin + " channels but weight "
                    + w.shape() + " expects " + w.dim(1));
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != cout)) {
            throw new ShapeException("conv2d: bias must be [" + cout + "] for weight " + w.shape() + ", got " + b.shape());
        }
        if (x.dtype() != w.dtype() || (b != null && b.dtype() != x.dtype())) {
            throw new DTypeException("conv2d: dtypes differ: input " + x.dtype() + ", weight " + w.dtype()
                    + (b == null ? "" : ", bias " + b.dtype()));
        }
        checkStrideAndPadding("conv2d", stride, padding);
        if (kh > h + 2 * padding || kw > wd + 2 * padding) {
            throw new ShapeException("conv2d: kernel " + kh + "x" + kw + " of weight " + w.shape()
                    + " is larger than the input " + x.shape() + " padded by " + padding + " ("
                    + (h + 2 * padding) + "x" + (wd + 2 * padding) + ")");
        }
        Geometry g = new Geometry(cin, h, wd, kh, kw, stride, padding,
                (h + 2 * padding - kh) / stride + 1, (wd + 2 * padding - kw) / stride + 1);
        Shape outShape = Shape.of(batch, cout, g.hOut(), g.wOut());

        Tensor y;
        if (x.dtype() == DType.FLOAT64) {
            double[] out = new double[outShape.numel()];
            forward(g, batch, cout, x.f64(), w.f64(), b == null ? null : b.f64(), out);
            y = Tensor.wrap(out, outShape);
        } else {
            float[] out = new float[outShape.numel()];
            forward(g, batch, cout, x.f32(), w.f32(), b == null ? null : b.f32(), out);
            y = Tensor.wrap(out, outShape);
        }

        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        return CustomOp.record("conv2d", y, dy -> {
            Tensor dx = x.requiresGrad() ? Tensor.zerosLike(x) : null;
            Tensor dw = w.requiresGrad() ? Tensor.zerosLike(w) : null;
            Tensor db = b != null && b.requiresGrad() ? Tensor.zerosLike(b) : null;
            if (x.dtype() == DType.FLOAT64) {
                backward(g, batch, cout, x.f64(), w.f64(), dy.f64(),
                        dx == null ? null : dx.f64(), dw == null ? null : dw.f64(), db == null ? null : db.f64());
            } else {
                backward(g, batch, cout, x.f32(), w.f32(), dy.f32(),
                        dx == null ? null : dx.f32(), dw == null ? null : dw.f32(), db == null ? null : db.f32());
            }
            return b == null ? new Tensor[] {dx, dw} : new Tensor[] {dx, dw, db};
        }, inputs);
    }

    private static void checkStrideAndPadding(String op, int stride, int padding) {
        if (stride <= 0) {
            throw new ShapeException(op + ": stride must be positive, got " + stride);
        }
        if (padding < 0) {
            throw new ShapeException(op + ": padding must be non-negative, got " + padding);
        }
    }

    /**
     * The sizes of one convolution: {@code rows() = K = C_in·kH·kW} rows and {@code cols() = N = H_out·W_out}
     * columns of the im2col matrix, and {@code image()} elements per input image.
     */
    private record Geometry(int cin, int h, int w, int kh, int kw, int stride, int pad, int hOut, int wOut) {
        int rows() {
            return cin * kh * kw;
        }

        int cols() {
            return hOut * wOut;
        }

        int image() {
            return cin * h * w;
        }
    }

    // ---- float64 ------------------------------------------------------------------------------

    private static void forward(Geometry g, int batch, int cout, double[] x, double[] w, double[] b, double[] y) {
        int k = g.rows(), n = g.cols();
        double[] cols = new double[k * n];
        for (int s = 0; s < batch; s++) {
            int yOff = s * cout * n;
            im2col(x, s * g.image(), g, cols);
            // Y_b = W · cols_b
            KERNELS.gemm(false, false, cout, n, k, w, 0, k, cols, 0, n, false, y, yOff, n);
            if (b != null) {
                for (int o = 0; o < cout; o++) {
                    for (int p = 0; p < n; p++) {
                        y[yOff + o * n + p] += b[o];
                    }
                }
            }
        }
    }

    private static void backward(Geometry g, int batch, int cout, double[] x, double[] w, double[] dy,
                                 double[] dx, double[] dw, double[] db) {
        int k = g.rows(), n = g.cols();
        double[] cols = new double[k * n];
        for (int s = 0; s < batch; s++) {
            int dyOff = s * cout * n;
            if (dw != null) {
                im2col(x, s * g.image(), g, cols);
                // dW += dY_b · cols_bᵀ
                KERNELS.gemm(false, true, cout, k, n, dy, dyOff, n, cols, 0, n, true, dw, 0, k);
            }
            if (dx != null) {
                // dcols = Wᵀ · dY_b ; dX_b = col2im(dcols)
                KERNELS.gemm(true, false, k, n, cout, w, 0, k, dy, dyOff, n, false, cols, 0, n);
                col2im(cols, g, dx, s * g.image());
            }
            if (db != null) {
                // db[o] += Σ_n dY_b[o, n]
                for (int o = 0; o < cout; o++) {
                    db[o] += KERNELS.sum(dy, dyOff + o * n, n);
                }
            }
        }
    }

    /** {@code cols[(c·kH + i)·kW + j][oy·W_out + ox] = x[c, oy·s − p + i, ox·s − p + j]}, or 0 in the padding. */
    private static void im2col(double[] x, int xOff, Geometry g, double[] cols) {
        int n = g.cols();
        int row = 0;
        for (int c = 0; c < g.cin(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    for (int oy = 0; oy < g.hOut(); oy++) {
                        int iy = oy * g.stride() - g.pad() + i;
                        int dst = row * n + oy * g.wOut();
                        int src = xOff + (c * g.h() + iy) * g.w();
                        for (int ox = 0; ox < g.wOut(); ox++) {
                            int ix = ox * g.stride() - g.pad() + j;
                            boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            cols[dst + ox] = inside ? x[src + ix] : 0.0;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: {@code dx[c, oy·s − p + i, ox·s − p + j] += cols[..][..]}, padding dropped. */
    private static void col2im(double[] cols, Geometry g, double[] dx, int dxOff) {
        int n = g.cols();
        int row = 0;
        for (int c = 0; c < g.cin(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    for (int oy = 0; oy < g.hOut(); oy++) {
                        int iy = oy * g.stride() - g.pad() + i;
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int src = row * n + oy * g.wOut();
                        int dst = dxOff + (c * g.h() + iy) * g.w();
                        for (int ox = 0; ox < g.wOut(); ox++) {
                            int ix = ox * g.stride() - g.pad() + j;
                            if (ix >= 0 && ix < g.w()) {
                                dx[dst + ix] += cols[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- float32: the same algorithm over float[] ---------------------------------------------

    private static void forward(Geometry g, int batch, int cout, float[] x, float[] w, float[] b, float[] y) {
        int k = g.rows(), n = g.cols();
        float[] cols = new float[k * n];
        for (int s = 0; s < batch; s++) {
            int yOff = s * cout * n;
            im2col(x, s * g.image(), g, cols);
            // Y_b = W · cols_b
            KERNELS.gemm(false, false, cout, n, k, w, 0, k, cols, 0, n, false, y, yOff, n);
            if (b != null) {
                for (int o = 0; o < cout; o++) {
                    for (int p = 0; p < n; p++) {
                        y[yOff + o * n + p] += b[o];
                    }
                }
            }
        }
    }

    private static void backward(Geometry g, int batch, int cout, float[] x, float[] w, float[] dy,
                                 float[] dx, float[] dw, float[] db) {
        int k = g.rows(), n = g.cols();
        float[] cols = new float[k * n];
        double[] dbSum = db == null ? null : new double[cout];
        for (int s = 0; s < batch; s++) {
            int dyOff = s * cout * n;
            if (dw != null) {
                im2col(x, s * g.image(), g, cols);
                // dW += dY_b · cols_bᵀ
                KERNELS.gemm(false, true, cout, k, n, dy, dyOff, n, cols, 0, n, true, dw, 0, k);
            }
            if (dx != null) {
                // dcols = Wᵀ · dY_b ; dX_b = col2im(dcols)
                KERNELS.gemm(true, false, k, n, cout, w, 0, k, dy, dyOff, n, false, cols, 0, n);
                col2im(cols, g, dx, s * g.image());
            }
            if (db != null) {
                // db[o] += Σ_n dY_b[o, n]  (accumulated in double, rounded once)
                for (int o = 0; o < cout; o++) {
                    dbSum[o] += KERNELS.sum(dy, dyOff + o * n, n);
                }
            }
        }
        if (db != null) {
            for (int o = 0; o < cout; o++) {
                db[o] = (float) dbSum[o];
            }
        }
    }

    /** Float32 {@link #im2col(double[], int, Geometry, double[])}. */
    private static void im2col(float[] x, int xOff, Geometry g, float[] cols) {
        int n = g.cols();
        int row = 0;
        for (int c = 0; c < g.cin(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    for (int oy = 0; oy < g.hOut(); oy++) {
                        int iy = oy * g.stride() - g.pad() + i;
                        int dst = row * n + oy * g.wOut();
                        int src = xOff + (c * g.h() + iy) * g.w();
                        for (int ox = 0; ox < g.wOut(); ox++) {
                            int ix = ox * g.stride() - g.pad() + j;
                            boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            cols[dst + ox] = inside ? x[src + ix] : 0.0f;
                        }
                    }
                }
            }
        }
    }

    /** Float32 {@link #col2im(double[], Geometry, double[], int)}. */
    private static void col2im(float[] cols, Geometry g, float[] dx, int dxOff) {
        int n = g.cols();
        int row = 0;
        for (int c = 0; c < g.cin(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    for (int oy = 0; oy < g.hOut(); oy++) {
                        int iy = oy * g.stride() - g.pad() + i;
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int src = row * n + oy * g.wOut();
                        int dst = dxOff + (c * g.h() + iy) * g.w();
                        for (int ox = 0; ox < g.wOut(); ox++) {
                            int ix = ox * g.stride() - g.pad() + j;
                            if (ix >= 0 && ix < g.w()) {
                                dx[dst + ix] += cols[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
