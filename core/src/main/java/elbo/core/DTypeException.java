package elbo.core;

/** Thrown when operands of one operation have different dtypes; the message names both. */
public class DTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DTypeException(String message) {
        super(message);
    }
}
