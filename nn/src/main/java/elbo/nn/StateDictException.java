package elbo.nn;

/**
 * Thrown when a state dict does not fit a module or optimizer: a missing or unexpected name, or a
 * shape or dtype mismatch. The message names the entry and both shapes/dtypes. Loading validates
 * everything before copying anything, so after this exception the target is unchanged.
 */
public class StateDictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public StateDictException(String message) {
        super(message);
    }
}
