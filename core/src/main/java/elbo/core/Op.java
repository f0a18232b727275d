package elbo.core;

/**
 * The differentiable primitives of {@link Tensor}: each has one forward pass and one backward rule,
 * and the set is enumerable so that a test can prove every one has a float64 gradient check. The label is the name used in error messages and anomaly reports.
 *
 * <p>Composite operations (transpose, stack, squeeze/unsqueeze, square, rsub, scalar arithmetic) are
 * built from these. softplus, logSigmoid and logSumExp could be composed too, but are fused primitives
 * because the composition overflows (their Javadoc says so); linear ({@code x Wᵀ + b}) is a fused
 * primitive because one GEMM onto bias-initialised rows saves a pass, a tensor and a graph node per layer.
 */
public enum Op {
    ADD("add"), SUB("sub"), MUL("mul"), DIV("div"), NEG("neg"),
    EXP("exp"), LOG("log"), LOG1P("log1p"), EXPM1("expm1"), SQRT("sqrt"), POW("pow"), ABS("abs"),
    TANH("tanh"), SIGMOID("sigmoid"), RELU("relu"), SOFTPLUS("softplus"), LOG_SIGMOID("logSigmoid"),
    MAXIMUM("maximum"), MINIMUM("minimum"), WHERE("where"), CLAMP("clamp"),
    MATMUL("matmul"), LINEAR("linear"),
    SUM("sum"), MEAN("mean"), MAX("max"), LOG_SUM_EXP("logSumExp"),
    RESHAPE("reshape"), PERMUTE("permute"), BROADCAST_TO("broadcastTo"),
    NARROW("narrow"), CONCAT("concat"), INDEX_SELECT("indexSelect"), GATHER("gather"),
    DETACH("detach"), CAST("cast");

    private final String label;

    Op(String label) {
        this.label = label;
    }

    /** The op's name as written in messages, e.g. {@code logSumExp}. */
    public String label() {
        return label;
    }
}
