package elbo.models.config;

/**
 * A command-line setting that is unknown, of the wrong type, out of range or inconsistent with another:
 * the one failure a command reports with exit status 2, before it has written anything. Its message names
 * the option and what is allowed.
 */
public class OptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OptionException(String message) {
        super(message);
    }

    public OptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
