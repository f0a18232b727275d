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
    };

    public abstract double apply(double a, double b);
}
