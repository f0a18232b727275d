package elbo.core;

/**
 * Thrown when an operation gets operands of incompatible shapes, an axis out of range or an
 * argument that does not fit the shape. The message always names the operation and the shapes
 * (or axis, or argument) involved, e.g. {@code matmul: inner dimensions differ: [2, 3] @ [4, 5]}.
 */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
