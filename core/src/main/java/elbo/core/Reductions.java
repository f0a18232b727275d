package elbo.core;

import java.util.Arrays;

import static elbo.core.Tensor.K;

/**
 * Reductions over axes: sum, mean, max, log-sum-exp and the Bernoulli log-likelihood, forward and
 * backward side by side.
 */
final class Reductions {
    private Reductions() {
    }

    /** The input shape with each reduced axis set to 1. */
    private static Shape keptShape(Shape s, int[] axes, String op) {
        int[] dims = s.dims();
        boolean[] seen = new boolean[dims.length];
        for (int a : axes) {
            int ax = s.normalizeAxis(a, op);
            if (seen[ax]) {
                throw new ShapeException(op + ": axis " + a + " repeated in " + Arrays.toString(axes)
                        + " for shape " + s);
            }
            seen[ax] = true;
            dims[ax] = 1;
        }
        return Shape.of(dims);
    }

    /** The input shape with each reduced axis removed. */
    private static int[] droppedDims(Shape s, Shape kept, int[] axes) {
        boolean[] drop = new boolean[s.rank()];
        for (int a : axes) {
            drop[a < 0 ? a + s.rank() : a] = true;
        }
        int[] out = new int[s.rank() - Math.toIntExact(countTrue(drop))];
        for (int i = 0, j = 0; i < s.rank(); i++) {
            if (!drop[i]) {
                out[j++] = kept.dim(i);
            }
        }
        return out;
    }

    private static long countTrue(boolean[] b) {
        long n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        Shape kept = keptShape(x.shape(), axes, "sum");
        Tensor y = Elementwise.sumTo(x, kept);
        if (y == x) {
            y = x.copy(); // reducing only size-1 axes: still a new tensor
        }
        if (!keepDims) {
            y = y.reshapeRaw(Shape.of(droppedDims(x.shape(), kept, axes)));
        }
        return Autograd.record(Op.SUM, y, dy ->                                   // sum: dx = broadcast(dy)
                new Tensor[] {dy.reshapeRaw(kept).broadcastTo(x.shape())}, x);
    }

    static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        Shape kept = keptShape(x.shape(), axes, "mean");
        double count = reducedCount(x.shape(), axes);
        Tensor y;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            y = sum(x, axes, keepDims).mul(1.0 / count);
        }
        return Autograd.record(Op.MEAN, y, dy ->                                  // mean: dx = broadcast(dy) / n
                new Tensor[] {dy.reshapeRaw(kept).broadcastTo(x.shape()).mul(1.0 / count)}, x);
    }

    /** Elements per reduced group: the product of the reduced axes' sizes (even when another axis is 0). */
    private static double reducedCount(Shape s, int[] axes) {
        double count = 1;
        for (int a : axes) {
            count *= s.dim(a);
        }
        return count;
    }

    static Tensor max(Tensor x, int axis, boolean keepDims) {
        Shape s = x.shape();
        int ax = s.normalizeAxis(axis, "max");
        int outer = s.sizeOf(0, ax), n = s.dim(ax), inner = s.sizeOf(ax + 1, s.rank());
        if (n == 0) {
            throw new ShapeException("max: axis " + axis + " has size 0 in shape " + s);
        }
        Shape kept = s.withDim(ax, 1);
        Tensor y = Tensor.empty(kept, x.dtype());
        int[] argmax = new int[kept.numel()]; // flat index into x of the first maximal element
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = o * n * inner + i;
                for (int j = 1; j < n; j++) {
                    int idx = (o * n + j) * inner + i;
                    double v = x.getFlat(idx);
                    if (v > x.getFlat(best) || (Double.isNaN(v) && !Double.isNaN(x.getFlat(best)))) {
                        best = idx;
                    }
                }
                argmax[o * inner + i] = best;
                y.setFlat(o * inner + i, x.getFlat(best));
            }
        }
        Tensor out = keepDims ? y : y.reshapeRaw(s.without(ax));
        return Autograd.record(Op.MAX, out, dy -> {                               // max: dx = dy at the argmax, 0 elsewhere
            Tensor dx = Tensor.zerosLike(x);
            for (int k = 0; k < argmax.length; k++) {
                dx.setFlat(argmax[k], dy.getFlat(k));
            }
            return new Tensor[] {dx};
        }, x);
    }

    static Tensor logSumExp(Tensor x, int axis, boolean keepDims) {
        Shape s = x.shape();
        int ax = s.normalizeAxis(axis, "logSumExp");
        Shape kept = s.withDim(ax, 1);
        Tensor keptLse = keptLogSumExp(x, ax);
        Tensor out = keepDims ? keptLse : keptLse.reshapeRaw(s.without(ax));
        return Autograd.record(Op.LOG_SUM_EXP, out, dy -> {                       // logSumExp: dx = dy * exp(x - y)
            // exp(x - y) is softmax(x), taken at ±inf as its limit: an x of -inf gets 0 (also where y = -inf,
            // where exp(-inf + inf) is NaN); where y = +inf, the +inf entries share weight 1 and the rest get 0.
            // For float32, y is recomputed in float64: its rounding (ulp 6e-5 at 1000) would show in exp(x - y).
            Tensor y = x.dtype() == DType.FLOAT64 ? keptLse : keptLogSumExp(x.cast(DType.FLOAT64), ax);
            Tensor ties = y.allFinite() ? null : countPlusInfinity(x, kept);    // only read where y = +inf
            Tensor softmax = Tensor.empty(s, x.dtype());
            Broadcast.forEachRun(s, new Shape[] {kept}, (off, st, xOff, len) -> {
                for (int i = 0; i < len; i++) {
                    int g = off[0] + i * st[0];                                  // x's group: its index in y
                    double xi = x.getFlat(xOff + i), yg = y.getFlat(g);
                    softmax.setFlat(xOff + i, yg == Double.POSITIVE_INFINITY
                            ? (xi == Double.POSITIVE_INFINITY ? 1.0 / ties.getFlat(g) : 0.0)
                            : (xi == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(xi - yg)));
                }
            });
            return new Tensor[] {softmax.mul(dy.reshapeRaw(kept))};
        }, x);
    }

    static Tensor bernoulliLogProb(Tensor logits, Tensor x) {
        String op = "bernoulliLogProb";
        Elementwise.checkSameDType(op, logits, x);
        if (logits.rank() == 0 || x.rank() == 0 || logits.dim(-1) != x.dim(-1)) {
            throw new ShapeException(op + ": logits " + logits.shape() + " and x " + x.shape()
                    + " must share a last (event) axis");
        }
        int d = logits.dim(-1);
        Shape lRows = logits.shape().without(logits.rank() - 1);
        Shape xRows = x.shape().without(x.rank() - 1);
        Shape rows = Shape.broadcast(lRows, xRows, op);
        Tensor y = Tensor.uninitialized(rows, logits.dtype()); // the runs cover every row
        forEachRowRun(rows, lRows, xRows, (l0, x0, xn, y0, n) -> { // y = Σ_d x·ℓ - softplus(ℓ)
            if (logits.dtype() == DType.FLOAT32) {
                K.bernoulliLogProbRows(logits.f32(), l0 * d, x.f32(), x0 * d, xn, n, d, y.f32(), y0);
            } else {
                K.bernoulliLogProbRows(logits.f64(), l0 * d, x.f64(), x0 * d, xn, n, d, y.f64(), y0);
            }
        });
        return Autograd.record(Op.BERNOULLI_LOG_PROB, y, dy -> {
            Tensor score = Tensor.uninitialized(rows.append(d), logits.dtype()); // bernoulliLogProb: dℓ = dy * (x - σ(ℓ))
            forEachRowRun(rows, lRows, xRows, (l0, x0, xn, y0, n) -> {
                if (logits.dtype() == DType.FLOAT32) {
                    K.bernoulliScoreRows(dy.f32(), y0, logits.f32(), l0 * d, x.f32(), x0 * d, xn, n, d, score.f32(), y0 * d);
                } else {
                    K.bernoulliScoreRows(dy.f64(), y0, logits.f64(), l0 * d, x.f64(), x0 * d, xn, n, d, score.f64(), y0 * d);
                }
            });
            Tensor dx = x.requiresGrad()                                         //                   dx = dy * ℓ
                    ? Elementwise.sumTo(Elementwise.mul0(dy.reshapeRaw(rows.append(1)), logits), x.shape()) : null;
            return new Tensor[] {Elementwise.sumTo(score, logits.shape()), dx};
        }, logits, x);
    }

    /**
     * {@code n} consecutive rows of the output from row {@code y0}: the logits' rows from {@code l0}, and
     * {@code xn} rows of x from {@code x0} repeating down them.
     */
    @FunctionalInterface
    private interface RowRun {
        void apply(int l0, int x0, int xn, int y0, int n);
    }

    /**
     * The rows of the broadcast of the logits' rows {@code lRows} and x's rows {@code xRows}, in as few
     * runs as the kernel can take: one for all of them when the logits are not broadcast and x only
     * along leading axes (K samples of a batch's logits against the batch: x's rows repeat, and the
     * kernel splits the whole over threads); else runs along which both are consecutive, and where
     * one repeats a row, a row at a time.
     */
    private static void forEachRowRun(Shape rows, Shape lRows, Shape xRows, RowRun run) {
        if (rows.numel() == 0) {
            return;
        }
        if (lRows.equals(rows) && broadcastsAlongLeadingAxes(xRows, rows)) {
            run.apply(0, 0, xRows.numel(), 0, rows.numel());
            return;
        }
        Broadcast.forEachRun(rows, new Shape[] {lRows, xRows}, (off, st, y0, n) -> {
            if (st[0] == 1 && st[1] == 1) {
                run.apply(off[0], off[1], n, y0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    run.apply(off[0] + i * st[0], off[1] + i * st[1], 1, y0 + i, 1);
                }
            }
        });
    }

    /** True if {@code s}, without its leading 1s, is the trailing part of {@code out}: a block repeated whole. */
    private static boolean broadcastsAlongLeadingAxes(Shape s, Shape out) {
        int lead = 0;
        while (lead < s.rank() && s.dim(lead) == 1) {
            lead++;
        }
        int tail = s.rank() - lead;
        for (int i = 0; i < tail; i++) {
            if (s.dim(lead + i) != out.dim(out.rank() - tail + i)) {
                return false;
            }
        }
        return true;
    }

    /** The number of +inf entries of {@code x} in each group reduced to one element of {@code kept}. */
    private static Tensor countPlusInfinity(Tensor x, Shape kept) {
        Tensor plusInf = Tensor.scalar(Double.POSITIVE_INFINITY, x.dtype());
        return Elementwise.sumTo(Elementwise.compare(x, plusInf, Elementwise.Cmp.EQ), kept);
    }

    /** {@code log sum exp} over axis {@code ax}, in the kept shape (the axis has size 1); not recorded. */
    private static Tensor keptLogSumExp(Tensor x, int ax) {
        Shape s = x.shape();
        int last = s.rank() - 1;
        // The kernel reduces contiguous rows: bring the axis last if it is not.
        Tensor rows = ax == last ? x : Shaping.permuteRaw(x, swapToLast(s.rank(), ax));
        int n = s.dim(ax);
        int outer = s.numel() / Math.max(n, 1);
        if (n == 0) {
            outer = s.sizeOf(0, ax) * s.sizeOf(ax + 1, s.rank());
        }
        Shape kept = s.withDim(ax, 1);
        // The rows' order equals the kept shape's order only when the axis is last; else un-permute.
        Tensor lseRows = Tensor.empty(Shape.of(outer), x.dtype());
        if (x.dtype() == DType.FLOAT32) {
            K.logSumExpRows(rows.f32(), 0, outer, n, lseRows.f32(), 0);
        } else {
            K.logSumExpRows(rows.f64(), 0, outer, n, lseRows.f64(), 0);
        }
        if (ax == last) {
            return lseRows.reshapeRaw(kept);
        }
        int[] permutedDims = Shaping.permutedDims(kept, swapToLast(s.rank(), ax));
        return Shaping.permuteRaw(lseRows.reshapeRaw(Shape.of(permutedDims)), swapToLast(s.rank(), ax));
    }

    /** The permutation that swaps axis {@code ax} with the last axis (its own inverse). */
    private static int[] swapToLast(int rank, int ax) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        p[ax] = rank - 1;
        p[rank - 1] = ax;
        return p;
    }
}
