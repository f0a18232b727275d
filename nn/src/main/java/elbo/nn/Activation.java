package elbo.nn;

import elbo.core.Tensor;

/** Parameter-free elementwise nonlinearities as layers. */
public final class Activation extends Layer {

    /** The available functions. */
    public enum Kind {
        IDENTITY, TANH, RELU, SIGMOID, SOFTPLUS,
        /** {@code x > 0 ? x : e^x - 1}, built from primitives as {@code where(x > 0, x, expm1(x))} (slope 1 at 0). */
        ELU
    }

    private final Kind kind;

    public Activation(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Applies the function to a tensor directly. */
    public static Tensor apply(Kind kind, Tensor x) {
        return switch (kind) {
            case IDENTITY -> x;
            case TANH -> x.tanh();
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case SOFTPLUS -> x.softplus();
            case ELU -> Tensor.where(x.gt(0.0), x, x.expm1());
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        return apply(kind, x);
    }

    /**
     * The kind named {@code name}, case-insensitive ({@code tanh}, {@code relu}, ...).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static Kind parse(String name) {
        for (Kind k : Kind.values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "'; expected one of "
                + java.util.Arrays.toString(Kind.values()).toLowerCase(java.util.Locale.ROOT));
    }
}
