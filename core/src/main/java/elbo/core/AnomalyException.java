package elbo.core;

/**
 * Thrown in anomaly mode ({@link Autograd#detectAnomaly()}) by the first operation whose forward or
 * backward pass produces NaN or infinity. The message names the operation, its input shapes, the pass,
 * and the line of user code that created the operation.
 */
public class AnomalyException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public AnomalyException(String message) {
        super(message);
    }
}
