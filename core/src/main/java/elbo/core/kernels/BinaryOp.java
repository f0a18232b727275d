package elbo.core.kernels;

/** Elementwise binary functions; {@link #apply(double, double)} is the specification. */
public enum BinaryOp {
    ADD {
        public double apply(double a, double b) { return a + b; }
    },
    SUB {
        public double apply(double a, double b) { return a - b; }
    },
    MUL {
        public double apply(double a, double b) { return a * b; }
    },
    DIV {
        public double apply(double a, double b) { return a / b; }
    },
    /** max(a, b); NaN if either is NaN. */
    MAX {
        public double apply(double a, double b) { return Math.max(a, b); }
    },
    /** min(a, b); NaN if either is NaN. */
    MIN {
        public double apply(double a, double b) { return Math.min(a, b); }
    },
    POW {
        public double apply(double a, double b) { return Math.pow(a, b); }
    },
    /**
     * {@code a·b}, but exactly {@code +0} wherever {@code a} is 0, even if {@code b} is infinite or NaN
     * ({@code 0·∞ := 0}). The chain rule's product {@code dy · ∂y/∂x}: a zero upstream gradient stays
     * zero. One pass instead of a product and a masking pass.
     */
    MUL_KEEP_ZERO {
        public double apply(double a, double b) { return a == 0.0 ? 0.0 : a * b; }
    },
    /** {@code a/b}, but exactly {@code +0} wherever {@code a} is 0 ({@code 0/0 := 0}); see {@link #MUL_KEEP_ZERO}. */
    DIV_KEEP_ZERO {
        public double apply(double a, double b) { return a == 0.0 ? 0.0 : a / b; }
    };

    public abstract double apply(double a, double b);
}
