package elbo.core.kernels;

/**
 * Elementwise functions the kernels apply, each with its scalar definition: {@link #apply(double)}
 * is the specification every kernel implementation must match.
 *
 * <p>The numerically delicate ones are written the stable way: {@code softplus(x) = max(x,0) +
 * log1p(exp(-|x|))} never overflows, {@code logSigmoid(x) = min(x,0) - log1p(exp(-|x|))} is finite at
 * &plusmn;1e4, and {@code sigmoid} uses the branch that exponentiates a non-positive number.
 */
public enum UnaryOp {
    NEG {
        public double apply(double x) { return -x; }
    },
    EXP {
        public double apply(double x) { return Math.exp(x); }
    },
    LOG {
        public double apply(double x) { return Math.log(x); }
    },
    LOG1P {
        public double apply(double x) { return Math.log1p(x); }
    },
    EXPM1 {
        public double apply(double x) { return Math.expm1(x); }
    },
    SQRT {
        public double apply(double x) { return Math.sqrt(x); }
    },
    ABS {
        public double apply(double x) { return Math.abs(x); }
    },
    TANH {
        public double apply(double x) { return Math.tanh(x); }
    },
    SIGMOID {
        public double apply(double x) {
            if (x >= 0) {
                return 1.0 / (1.0 + Math.exp(-x));
            }
            double e = Math.exp(x);
            return e / (1.0 + e);
        }
    },
    RELU {
        public double apply(double x) { return x > 0 ? x : (x <= 0 ? 0.0 : x); } // NaN stays NaN
    },
    SOFTPLUS {
        public double apply(double x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }
    },
    LOG_SIGMOID {
        public double apply(double x) { return Math.min(x, 0.0) - Math.log1p(Math.exp(-Math.abs(x))); }
    },
    SQUARE {
        public double apply(double x) { return x * x; }
    },
    RECIPROCAL {
        public double apply(double x) { return 1.0 / x; }
    },
    /** sign(x) in {-1, 0, 1}; the subgradient of |x| chosen at 0 is 0. */
    SIGN {
        public double apply(double x) { return Math.signum(x); }
    },
    /** Heaviside step {@code x > 0 ? 1 : 0}: the derivative of relu, with 0 chosen at 0. */
    STEP {
        public double apply(double x) { return x > 0 ? 1.0 : 0.0; }
    };

    /** The function's value at {@code x}, computed in double precision. */
    public abstract double apply(double x);
}
