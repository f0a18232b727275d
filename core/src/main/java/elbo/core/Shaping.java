package elbo.core;

import java.util.Arrays;

/**
 * Operations that move elements without arithmetic: reshape, permute, broadcast, narrow, concat,
 * index selection, detach and cast. Each backward rule moves the gradient back the same way.
 */
final class Shaping {
    private Shaping() {
    }

    // ---- reshape ------------------------------------------------------------------------------

    static Tensor reshape(Tensor x, int[] dims) {
        Shape target = inferShape(x.shape(), dims);
        Tensor y = x.reshapeRaw(target);
        return Autograd.record(Op.RESHAPE, y, dy -> new Tensor[] {dy.reshapeRaw(x.shape())}, x); // reshape: dx = reshape(dy)
    }

    /** Resolves one -1 entry; checks the element count. */
    static Shape inferShape(Shape from, int[] dims) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException("reshape: more than one -1 in " + Arrays.toString(dims));
                }
                infer = i;
            } else if (dims[i] < 0) {
                throw new ShapeException("reshape: negative size in " + Arrays.toString(dims));
            } else {
                known *= dims[i];
            }
        }
        int[] out = dims.clone();
        if (infer >= 0) {
            if (known == 0 || from.numel() % known != 0) {
                throw new ShapeException("reshape: cannot infer -1 in " + Arrays.toString(dims)
                        + " for shape " + from + " (" + from.numel() + " elements)");
            }
            out[infer] = (int) (from.numel() / known);
        } else if (known != from.numel()) {
            throw new ShapeException("reshape: cannot reshape " + from + " (" + from.numel() + " elements) to "
                    + Arrays.toString(dims) + " (" + known + " elements)");
        }
        return Shape.of(out);
    }

    static Tensor unsqueeze(Tensor x, int axis) {
        int r = x.rank();
        int ax = axis < 0 ? axis + r + 1 : axis;
        if (ax < 0 || ax > r) {
            throw new ShapeException("unsqueeze: axis " + axis + " out of range for shape " + x.shape());
        }
        int[] d = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            d[i] = i == ax ? 1 : x.dim(j++);
        }
        return reshape(x, d);
    }

    static Tensor squeeze(Tensor x, int axis) {
        int ax = x.shape().normalizeAxis(axis, "squeeze");
        if (x.dim(ax) != 1) {
            throw new ShapeException("squeeze: axis " + axis + " has size " + x.dim(ax) + " in shape " + x.shape());
        }
        return reshape(x, x.shape().without(ax).dims());
    }

    // ---- permute ------------------------------------------------------------------------------

    static Tensor permute(Tensor x, int[] axes) {
        checkPermutation(x.shape(), axes);
        Tensor y = permuteRaw(x, axes);
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inverse[axes[i]] = i;
        }
        return Autograd.record(Op.PERMUTE, y, dy -> new Tensor[] {permuteRaw(dy, inverse)}, x); // permute: dx = permute(dy, inverse)
    }

    static Tensor transpose(Tensor x, int a1, int a2) {
        int r = x.rank();
        int i1 = x.shape().normalizeAxis(a1, "transpose");
        int i2 = x.shape().normalizeAxis(a2, "transpose");
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        p[i1] = i2;
        p[i2] = i1;
        return permute(x, p);
    }

    private static void checkPermutation(Shape s, int[] axes) {
        boolean[] seen = new boolean[s.rank()];
        boolean ok = axes.length == s.rank();
        for (int i = 0; ok && i < axes.length; i++) {
            ok = axes[i] >= 0 && axes[i] < s.rank() && !seen[axes[i]];
            if (ok) {
                seen[axes[i]] = true;
            }
        }
        if (!ok) {
            throw new ShapeException("permute: " + Arrays.toString(axes) + " is not a permutation of the axes of " + s);
        }
    }

    static int[] permutedDims(Shape s, int[] axes) {
        int[] d = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            d[i] = s.dim(axes[i]);
        }
        return d;
    }

    /** The permuted copy, not recorded. */
    static Tensor permuteRaw(Tensor x, int[] axes) {
        Shape outShape = Shape.of(permutedDims(x.shape(), axes));
        Tensor y = Tensor.empty(outShape, x.dtype());
        int r = axes.length;
        int n = x.numel();
        if (n == 0) {
            return y;
        }
        int[] xStrides = x.shape().strides();
        int[] srcStride = new int[r]; // stride in x of each output axis
        int[] outDims = outShape.dims();
        for (int i = 0; i < r; i++) {
            srcStride[i] = xStrides[axes[i]];
        }
        int[] counter = new int[r];
        int src = 0;
        for (int o = 0; o < n; o++) {
            y.setFlat(o, x.getFlat(src));
            for (int ax = r - 1; ax >= 0; ax--) {
                counter[ax]++;
                src += srcStride[ax];
                if (counter[ax] < outDims[ax]) {
                    break;
                }
                src -= srcStride[ax] * outDims[ax];
                counter[ax] = 0;
            }
        }
        return y;
    }

    // ---- broadcastTo --------------------------------------------------------------------------

    static Tensor broadcastTo(Tensor x, Shape target) {
        if (!x.shape().broadcastsTo(target)) {
            throw new ShapeException("broadcastTo: cannot broadcast " + x.shape() + " to " + target);
        }
        Tensor y = Tensor.uninitialized(target, x.dtype()); // the runs cover every element
        Broadcast.forEachRun(target, new Shape[] {x.shape()}, (off, st, yOff, n) -> {
            if (st[0] == 1) {
                copy(x, off[0], y, yOff, n);
            } else if (x.dtype() == DType.FLOAT32) {
                Arrays.fill(y.f32(), yOff, yOff + n, x.f32()[off[0]]);
            } else {
                Arrays.fill(y.f64(), yOff, yOff + n, x.f64()[off[0]]);
            }
        });
        return Autograd.record(Op.BROADCAST_TO, y, dy ->                              // broadcastTo: dx = sum of dy over broadcast axes
                new Tensor[] {Elementwise.sumTo(dy, x.shape())}, x);
    }

    private static void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n) {
        if (src.dtype() == DType.FLOAT32) {
            System.arraycopy(src.f32(), srcOff, dst.f32(), dstOff, n);
        } else {
            System.arraycopy(src.f64(), srcOff, dst.f64(), dstOff, n);
        }
    }

    // ---- narrow, concat, stack ----------------------------------------------------------------

    static Tensor narrow(Tensor x, int axis, int start, int length) {
        Shape s = x.shape();
        int ax = s.normalizeAxis(axis, "narrow");
        if (start < 0 || length < 0 || (long) start + length > s.dim(ax)) {
            throw new ShapeException("narrow: range [" + start + ", " + ((long) start + length) + ") out of bounds "
                    + "for axis " + axis + " of size " + s.dim(ax) + " in shape " + s);
        }
        int outer = s.sizeOf(0, ax), inner = s.sizeOf(ax + 1, s.rank()), n = s.dim(ax);
        Tensor y = Tensor.empty(s.withDim(ax, length), x.dtype());
        for (int o = 0; o < outer; o++) {
            copy(x, (o * n + start) * inner, y, o * length * inner, length * inner);
        }
        return Autograd.record(Op.NARROW, y, dy -> {                                 // narrow: dx = dy placed in zeros
            Tensor dx = Tensor.zerosLike(x);
            for (int o = 0; o < outer; o++) {
                copy(dy, o * length * inner, dx, (o * n + start) * inner, length * inner);
            }
            return new Tensor[] {dx};
        }, x);
    }

    static Tensor concat(int axis, Tensor[] parts) {
        if (parts.length == 0) {
            throw new ShapeException("concat: no tensors given");
        }
        Shape first = parts[0].shape();
        int ax = first.normalizeAxis(axis, "concat");
        int total = 0;
        for (Tensor p : parts) {
            Elementwise.checkSameDType("concat", parts[0], p);
            if (p.rank() != first.rank() || !p.shape().withDim(ax, 1).equals(first.withDim(ax, 1))) {
                throw new ShapeException("concat: shapes differ outside axis " + axis + ": " + first + " vs " + p.shape());
            }
            total += p.dim(ax);
        }
        int outer = first.sizeOf(0, ax), inner = first.sizeOf(ax + 1, first.rank());
        Tensor y = Tensor.empty(first.withDim(ax, total), parts[0].dtype());
        int[] starts = new int[parts.length];
        int at = 0;
        for (int k = 0; k < parts.length; k++) {
            starts[k] = at;
            int len = parts[k].dim(ax);
            for (int o = 0; o < outer; o++) {
                copy(parts[k], o * len * inner, y, (o * total + at) * inner, len * inner);
            }
            at += len;
        }
        return Autograd.record(Op.CONCAT, y, dy -> {                                 // concat: dx_k = narrow(dy, start_k, len_k)
            Tensor[] dx = new Tensor[parts.length];
            for (int k = 0; k < parts.length; k++) {
                dx[k] = narrow(dy, ax, starts[k], parts[k].dim(ax));
            }
            return dx;
        }, parts.clone());
    }

    static Tensor stack(int axis, Tensor[] parts) {
        if (parts.length == 0) {
            throw new ShapeException("stack: no tensors given");
        }
        for (Tensor p : parts) {
            if (!p.shape().equals(parts[0].shape())) {
                throw new ShapeException("stack: shapes differ: " + parts[0].shape() + " vs " + p.shape());
            }
        }
        Tensor[] expanded = new Tensor[parts.length];
        for (int k = 0; k < parts.length; k++) {
            expanded[k] = unsqueeze(parts[k], axis);
        }
        return concat(axis, expanded);
    }

    // ---- indexSelect, gather ------------------------------------------------------------------

    static Tensor indexSelect(Tensor x, int axis, int[] indices) {
        Shape s = x.shape();
        int ax = s.normalizeAxis(axis, "indexSelect");
        int outer = s.sizeOf(0, ax), inner = s.sizeOf(ax + 1, s.rank()), n = s.dim(ax), k = indices.length;
        for (int j = 0; j < k; j++) {
            if (indices[j] < 0 || indices[j] >= n) {
                throw new ShapeException("indexSelect: index " + indices[j] + " at position " + j
                        + " out of range for axis " + axis + " of size " + n + " in shape " + s);
            }
        }
        int[] idx = indices.clone();
        Tensor y = Tensor.empty(s.withDim(ax, k), x.dtype());
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                copy(x, (o * n + idx[j]) * inner, y, (o * k + j) * inner, inner);
            }
        }
        return Autograd.record(Op.INDEX_SELECT, y, dy -> {                           // indexSelect: dx[idx_j] += dy[j]
            Tensor dx = Tensor.zerosLike(x);
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < k; j++) {
                    int src = (o * k + j) * inner, dst = (o * n + idx[j]) * inner;
                    for (int i = 0; i < inner; i++) {
                        dx.setFlat(dst + i, dx.getFlat(dst + i) + dy.getFlat(src + i));
                    }
                }
            }
            return new Tensor[] {dx};
        }, x);
    }

    static Tensor gather(Tensor x, int axis, int[] index, int k) {
        Shape s = x.shape();
        int ax = s.normalizeAxis(axis, "gather");
        int outer = s.sizeOf(0, ax), inner = s.sizeOf(ax + 1, s.rank()), n = s.dim(ax);
        Shape outShape = s.withDim(ax, k);
        if (index.length != outShape.numel()) {
            throw new ShapeException("gather: " + index.length + " indices for result shape " + outShape
                    + " (" + outShape.numel() + " elements) from " + s);
        }
        // Flat source position of every result element.
        int[] src = new int[index.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < inner; i++) {
                    int pos = (o * k + j) * inner + i;
                    int v = index[pos];
                    if (v < 0 || v >= n) {
                        throw new ShapeException("gather: index " + v + " at position " + pos
                                + " out of range for axis " + axis + " of size " + n + " in shape " + s);
                    }
                    src[pos] = (o * n + v) * inner + i;
                }
            }
        }
        Tensor y = Tensor.empty(outShape, x.dtype());
        for (int p = 0; p < src.length; p++) {
            y.setFlat(p, x.getFlat(src[p]));
        }
        return Autograd.record(Op.GATHER, y, dy -> {                                 // gather: dx[src_p] += dy[p]
            Tensor dx = Tensor.zerosLike(x);
            for (int p = 0; p < src.length; p++) {
                dx.setFlat(src[p], dx.getFlat(src[p]) + dy.getFlat(p));
            }
            return new Tensor[] {dx};
        }, x);
    }

    // ---- detach, cast -------------------------------------------------------------------------

    /** Shares storage; has no graph, so no gradient flows back through it (detach: dx = 0). */
    static Tensor detach(Tensor x) {
        return x.reshapeRaw(x.shape()); // same storage (and workspace lease), no node
    }

    static Tensor cast(Tensor x, DType target) {
        if (x.dtype() == target) {
            return x;
        }
        Tensor y = Tensor.uninitialized(x.shape(), target);   // in a Workspace, borrowed storage
        int n = x.numel();
        if (target == DType.FLOAT32) {
            float[] out = y.f32();
            for (int i = 0; i < n; i++) {
                out[i] = (float) x.getFlat(i);
            }
        } else {
            double[] out = y.f64();
            for (int i = 0; i < n; i++) {
                out[i] = x.getFlat(i);
            }
        }
        DType source = x.dtype();
        return Autograd.record(Op.CAST, y, dy -> new Tensor[] {dy.cast(source)}, x);  // cast: dx = cast(dy)
    }
}
