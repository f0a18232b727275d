package elbo.core;

import elbo.core.kernels.BinaryOp;
import elbo.core.kernels.UnaryOp;

/**
 * The differentiable primitives of {@link Tensor}: each has one forward pass and one backward rule,
 * and the set is enumerable so that a test can prove every one has a float64 gradient check. The label is the name used in error messages and anomaly reports.
 *
 * <p>Composite operations (transpose, stack, squeeze/unsqueeze, square, rsub, scalar arithmetic) are
 * built from these. softplus, logSigmoid, logSumExp and bernoulliLogProb could be composed too, but are
 * fused primitives because the composition overflows (their Javadoc says so; bernoulliLogProb also
 * saves six passes over a VAE decoder's logits); linear ({@code x Wᵀ + b}) is a fused
 * primitive because one GEMM onto bias-initialised rows saves a pass, a tensor and a graph node per layer.
 *
 * <p>An elementwise op names the kernel function of its forward pass ({@link UnaryOp}, {@link BinaryOp});
 * its backward rule is in {@code Elementwise}, one line per op.
 */
public enum Op {
    ADD("add", BinaryOp.ADD), SUB("sub", BinaryOp.SUB), MUL("mul", BinaryOp.MUL), DIV("div", BinaryOp.DIV),
    NEG("neg", UnaryOp.NEG), EXP("exp", UnaryOp.EXP), LOG("log", UnaryOp.LOG), LOG1P("log1p", UnaryOp.LOG1P),
    EXPM1("expm1", UnaryOp.EXPM1), SQRT("sqrt", UnaryOp.SQRT), POW("pow"), ABS("abs", UnaryOp.ABS),
    TANH("tanh", UnaryOp.TANH), SIGMOID("sigmoid", UnaryOp.SIGMOID), RELU("relu", UnaryOp.RELU),
    SOFTPLUS("softplus", UnaryOp.SOFTPLUS), LOG_SIGMOID("logSigmoid", UnaryOp.LOG_SIGMOID),
    MAXIMUM("maximum", BinaryOp.MAX), MINIMUM("minimum", BinaryOp.MIN), WHERE("where"), CLAMP("clamp"),
    MATMUL("matmul"), LINEAR("linear"),
    SUM("sum"), MEAN("mean"), MAX("max"), LOG_SUM_EXP("logSumExp"), BERNOULLI_LOG_PROB("bernoulliLogProb"),
    RESHAPE("reshape"), PERMUTE("permute"), BROADCAST_TO("broadcastTo"),
    NARROW("narrow"), CONCAT("concat"), INDEX_SELECT("indexSelect"), GATHER("gather"),
    DETACH("detach"), CAST("cast");

    private final String label;
    /** The kernel function computing the forward pass of an elementwise op; null for the others. */
    private final UnaryOp unaryKernel;
    private final BinaryOp binaryKernel;

    Op(String label) {
        this(label, null, null);
    }

    Op(String label, UnaryOp kernel) {
        this(label, kernel, null);
    }

    Op(String label, BinaryOp kernel) {
        this(label, null, kernel);
    }

    Op(String label, UnaryOp unaryKernel, BinaryOp binaryKernel) {
        this.label = label;
        this.unaryKernel = unaryKernel;
        this.binaryKernel = binaryKernel;
    }

    /** The op's name as written in messages, e.g. {@code logSumExp}. */
    public String label() {
        return label;
    }

    /** The kernel function of a unary elementwise op, e.g. {@link UnaryOp#EXP} for {@link #EXP}. */
    UnaryOp unaryKernel() {
        if (unaryKernel == null) {
            throw new IllegalStateException("not a unary op: " + this);
        }
        return unaryKernel;
    }

    /** The kernel function of a binary elementwise op, e.g. {@link BinaryOp#MAX} for {@link #MAXIMUM}. */
    BinaryOp binaryKernel() {
        if (binaryKernel == null) {
            throw new IllegalStateException("not a binary op: " + this);
        }
        return binaryKernel;
    }
}
