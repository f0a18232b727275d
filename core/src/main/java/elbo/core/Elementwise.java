package elbo.core;

import elbo.core.kernels.BinaryOp;
import elbo.core.kernels.UnaryOp;

import static elbo.core.Tensor.K;

/**
 * Elementwise primitives. Each op's forward pass and its backward rule stand side by side; the comment
 * on each rule is its formula ({@code dx} is the gradient of the input, {@code dy} of the output).
 *
 * <p><b>Zero stays zero.</b> Every rule that multiplies {@code dy} by a local derivative (or divides it)
 * returns an exact 0 wherever {@code dy} is 0, even where the derivative is infinite or NaN
 * ({@code 0 · ∞ := 0}). So a zero seed gives zero gradients, and the unselected branch of
 * {@link #where}, which receives a zero gradient, cannot leak NaN through {@code log(0)}, {@code 1/0},
 * {@code sqrt(-1)} or an overflowed {@code exp} computed there.
 */
final class Elementwise {
    private Elementwise() {
    }

    // ---- unary --------------------------------------------------------------------------------

    /** {@code y = f(x)}, {@code f} the op's kernel function (defined in {@link UnaryOp}); backward below. */
    static Tensor unary(Op op, Tensor x) {
        Tensor y = map(op.unaryKernel(), x);
        return Autograd.record(op, y, dy -> new Tensor[] {
            unaryBackward(op, x, y, dy)}, x);
    }

    private static Tensor unaryBackward(Op op, Tensor x, Tensor y, Tensor dy) {
        return switch (op) {
            case NEG -> dy.neg();                                       // neg:   dx = -dy
            case EXP -> mul0(dy, y);                                    // exp:   dx = dy * y
            case LOG -> div0(dy, x);                                    // log:   dx = dy / x
            case LOG1P -> div0(dy, x.add(1.0));                         // log1p: dx = dy / (1 + x)
            case EXPM1 -> mul0(dy, y.add(1.0));                         // expm1: dx = dy * (y + 1)
            case SQRT -> div0(dy, y.mul(2.0));                          // sqrt:  dx = dy / (2 y)
            case ABS -> mul0(dy, map(UnaryOp.SIGN, x));                 // abs:   dx = dy * sign(x), sign(0) = 0
            case TANH -> mul0(dy, y.square().rsub(1.0));                // tanh:  dx = dy * (1 - y^2)
            case SIGMOID -> mul0(mul0(dy, y), map(UnaryOp.SIGMOID, x.neg())); // sigmoid: dx = dy * y * (1 - y), 1 - y as sigmoid(-x)
            case RELU -> mul0(dy, map(UnaryOp.STEP, x));                // relu:  dx = dy * [x > 0]
            case SOFTPLUS -> mul0(dy, map(UnaryOp.SIGMOID, x));         // softplus: dx = dy * sigmoid(x)
            case LOG_SIGMOID -> mul0(dy, map(UnaryOp.SIGMOID, x.neg())); // logSigmoid: dx = dy * sigmoid(-x)
            default -> throw new IllegalStateException("not a unary op: " + op);
        };
    }

    /** {@code op(x)} into fresh storage, not recorded. */
    static Tensor map(UnaryOp op, Tensor x) {
        Tensor y = Tensor.uninitialized(x.shape(), x.dtype());
        if (x.dtype() == DType.FLOAT32) {
            K.map(op, x.f32(), 0, y.f32(), 0, x.numel());
        } else {
            K.map(op, x.f64(), 0, y.f64(), 0, x.numel());
        }
        return y;
    }

    /** {@code dy · d}, broadcasting, with exact zeros where {@code dy} is 0 ({@code 0 · ∞ := 0}); not recorded. */
    static Tensor mul0(Tensor dy, Tensor d) {
        return zip(BinaryOp.MUL_KEEP_ZERO, dy, d, "mul");
    }

    /** {@code dy / d}, broadcasting, with exact zeros where {@code dy} is 0 ({@code 0 / 0 := 0}); not recorded. */
    private static Tensor div0(Tensor dy, Tensor d) {
        return zip(BinaryOp.DIV_KEEP_ZERO, dy, d, "div");
    }

    // ---- binary, broadcasting -----------------------------------------------------------------

    static Tensor binary(Op op, Tensor a, Tensor b) {
        Tensor y = zip(op.binaryKernel(), a, b, op.label());
        return Autograd.record(op, y, dy -> switch (op) {
            case ADD -> new Tensor[] {                                  // add: da = dy, db = dy
                sumTo(dy, a.shape()), sumTo(dy, b.shape())};
            case SUB -> new Tensor[] {                                  // sub: da = dy, db = -dy
                sumTo(dy, a.shape()), sumTo(dy.neg(), b.shape())};
            case MUL -> new Tensor[] {                                  // mul: da = dy * b, db = dy * a
                sumTo(mul0(dy, b), a.shape()), sumTo(mul0(dy, a), b.shape())};
            case DIV -> new Tensor[] {                                  // div: da = dy / b, db = -dy * y / b
                sumTo(div0(dy, b), a.shape()),
                sumTo(div0(mul0(dy, y), b.neg()), b.shape())};
            case MAXIMUM, MINIMUM -> {                                  // max: da = dy * ([a > b] + [a = b] / 2)
                Cmp wins = op == Op.MAXIMUM ? Cmp.GT : Cmp.LT;
                Tensor tie = compare(a, b, Cmp.EQ).mul(0.5);
                yield new Tensor[] {
                    sumTo(dy.mul(compare(a, b, wins).add(tie)), a.shape()),
                    sumTo(dy.mul(compare(b, a, wins).add(tie)), b.shape())};
            }
            default -> throw new IllegalStateException("not a binary op: " + op);
        }, a, b);
    }

    static void checkSameDType(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new DTypeException(op + ": dtypes differ: " + a.dtype() + " " + a.shape()
                    + " vs " + b.dtype() + " " + b.shape());
        }
    }

    /** {@code op(a, b)} with NumPy broadcasting, into fresh storage, not recorded. */
    static Tensor zip(BinaryOp op, Tensor a, Tensor b, String opName) {
        checkSameDType(opName, a, b);
        Shape out = Shape.broadcast(a.shape(), b.shape(), opName);
        Tensor y = Tensor.uninitialized(out, a.dtype()); // the runs cover every element
        boolean f32 = a.dtype() == DType.FLOAT32;
        // a block of rows at a time: [B, 1, D] − [K, D] is B calls of K rows, not B·K calls of D elements
        Broadcast.forEachRows(out, new Shape[] {a.shape(), b.shape()}, (off, row, col, yOff, rows, cols) -> {
            if (f32) {
                K.zipRows(op, a.f32(), off[0], row[0], col[0], b.f32(), off[1], row[1], col[1], y.f32(), yOff, cols,
                        rows, cols);
            } else {
                K.zipRows(op, a.f64(), off[0], row[0], col[0], b.f64(), off[1], row[1], col[1], y.f64(), yOff, cols,
                        rows, cols);
            }
        });
        return y;
    }

    /**
     * Sums {@code g} over the axes along which a tensor of shape {@code target} was broadcast to
     * {@code g}'s shape: the gradient rule of broadcasting. Returns {@code g} itself if the shapes match.
     */
    static Tensor sumTo(Tensor g, Shape target) {
        if (g.shape().equals(target)) {
            return g;
        }
        Tensor t = Tensor.empty(target, g.dtype());
        boolean f32 = g.dtype() == DType.FLOAT32;
        Broadcast.forEachRows(g.shape(), new Shape[] {target}, (off, row, col, gOff, rows, n) -> {
            if (col[0] == 1) { // t[run] += g[run] for each row in order (row stride 0: the rows summed into one)
                if (f32) {
                    K.zipRows(BinaryOp.ADD, t.f32(), off[0], row[0], 1, g.f32(), gOff, n, 1,
                            t.f32(), off[0], row[0], rows, n);
                } else {
                    K.zipRows(BinaryOp.ADD, t.f64(), off[0], row[0], 1, g.f64(), gOff, n, 1,
                            t.f64(), off[0], row[0], rows, n);
                }
            } else {           // t[i] += sum(g[run]) for each row
                for (int r = 0; r < rows; r++) {
                    int ti = off[0] + r * row[0], gi = gOff + r * n;
                    double s = f32 ? K.sum(g.f32(), gi, n) : K.sum(g.f64(), gi, n);
                    t.setFlat(ti, t.getFlat(ti) + s);
                }
            }
        });
        return t;
    }

    // ---- pow, clamp ---------------------------------------------------------------------------

    static Tensor pow(Tensor x, double p) {
        Tensor y = Tensor.uninitialized(x.shape(), x.dtype());
        if (p == 2.0) { // x^2 = x·x exactly (IEEE pow(x, 2) is correctly rounded x·x), and far cheaper
            if (x.dtype() == DType.FLOAT32) {
                K.zip(BinaryOp.MUL, x.f32(), 0, x.f32(), 0, y.f32(), 0, x.numel());
            } else {
                K.zip(BinaryOp.MUL, x.f64(), 0, x.f64(), 0, y.f64(), 0, x.numel());
            }
        } else if (x.dtype() == DType.FLOAT32) {
            K.zipScalar(BinaryOp.POW, x.f32(), 0, (float) p, y.f32(), 0, x.numel());
        } else {
            K.zipScalar(BinaryOp.POW, x.f64(), 0, p, y.f64(), 0, x.numel());
        }
        return Autograd.record(Op.POW, y, dy -> new Tensor[] {
            p == 0.0 ? Tensor.zerosLike(x)                               // pow: dx = dy * p * x^(p-1)
                    : p == 1.0 ? dy
                    : p == 2.0 ? mul0(dy, x.mul(2.0))
                    : mul0(dy, x.pow(p - 1.0).mul(p))}, x);
    }

    static Tensor clamp(Tensor x, double lo, double hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: lo " + lo + " > hi " + hi);
        }
        Tensor y = Tensor.uninitialized(x.shape(), x.dtype());
        Tensor inside = Tensor.uninitialized(x.shape(), x.dtype()); // 1 where lo <= x <= hi (not NaN), else 0
        // typed loops, not getFlat/setFlat: the VampPrior clamps its [500, 784] pseudo-inputs every step.
        // Math.max and Math.min pass NaN through. In float32 the bounds are rounded to float first, which
        // changes no result: no float lies strictly between a bound and its rounding.
        int n = x.numel(); // a workspace array may be longer
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.f32(), ys = y.f32(), in = inside.f32();
            float l = (float) lo, h = (float) hi;
            for (int i = 0; i < n; i++) {
                float v = xs[i];
                ys[i] = Math.min(Math.max(v, l), h);
                in[i] = v >= l && v <= h ? 1f : 0f;
            }
        } else {
            double[] xs = x.f64(), ys = y.f64(), in = inside.f64();
            for (int i = 0; i < n; i++) {
                double v = xs[i];
                ys[i] = Math.min(Math.max(v, lo), hi);
                in[i] = v >= lo && v <= hi ? 1.0 : 0.0;
            }
        }
        return Autograd.record(Op.CLAMP, y, dy -> new Tensor[] {dy.mul(inside)}, x); // clamp: dx = dy * [lo <= x <= hi]
    }

    // ---- where, comparisons -------------------------------------------------------------------

    static Tensor where(Tensor mask, Tensor a, Tensor b) {
        checkSameDType("where", a, b);
        Shape out = Shape.broadcast(Shape.broadcast(mask.shape(), a.shape(), "where"), b.shape(), "where");
        Tensor y = Tensor.empty(out, a.dtype());
        Tensor selectA = Tensor.empty(out, a.dtype()); // 1 where the mask picks a: reused by backward
        Broadcast.forEachRun(out, new Shape[] {mask.shape(), a.shape(), b.shape()}, (off, st, yOff, n) -> {
            for (int i = 0; i < n; i++) {
                boolean pickA = mask.getFlat(off[0] + i * st[0]) != 0.0;
                y.setFlat(yOff + i, pickA ? a.getFlat(off[1] + i * st[1]) : b.getFlat(off[2] + i * st[2]));
                selectA.setFlat(yOff + i, pickA ? 1.0 : 0.0);
            }
        });
        // where: da = dy * [mask], db = dy * [!mask]; the products are exact zeros, never 0 * NaN
        return Autograd.record(Op.WHERE, y, dy -> new Tensor[] {
            null,
            sumTo(select(selectA, dy, 1.0), a.shape()),
            sumTo(select(selectA, dy, 0.0), b.shape())}, mask, a, b);
    }

    /** {@code dy} where {@code selector == keep}, exact 0 elsewhere. */
    private static Tensor select(Tensor selector, Tensor dy, double keep) {
        Tensor g = Tensor.empty(dy.shape(), dy.dtype());
        for (int i = 0; i < g.numel(); i++) {
            if (selector.getFlat(i) == keep) {
                g.setFlat(i, dy.getFlat(i));
            }
        }
        return g;
    }

    enum Cmp { GT, GE, LT, EQ }

    /** 1 where the comparison holds, else 0, with broadcasting; never recorded. */
    static Tensor compare(Tensor a, Tensor b, Cmp cmp) {
        checkSameDType("compare", a, b);
        Shape out = Shape.broadcast(a.shape(), b.shape(), "compare");
        Tensor y = Tensor.empty(out, a.dtype());
        Broadcast.forEachRun(out, new Shape[] {a.shape(), b.shape()}, (off, st, yOff, n) -> {
            for (int i = 0; i < n; i++) {
                double u = a.getFlat(off[0] + i * st[0]);
                double v = b.getFlat(off[1] + i * st[1]);
                boolean holds = switch (cmp) {
                    case GT -> u > v;
                    case GE -> u >= v;
                    case LT -> u < v;
                    case EQ -> u == v;
                };
                y.setFlat(yOff + i, holds ? 1.0 : 0.0);
            }
        });
        return y;
    }
}
