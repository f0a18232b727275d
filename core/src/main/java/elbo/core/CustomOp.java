package elbo.core;

import java.util.function.Function;

/**
 * The extension point for operations defined outside core (PyTorch's {@code autograd.Function}): compute
 * the forward value with kernels or plain loops, then record it here with its vector-Jacobian product.
 * {@code nn} uses it for convolutions, whose im2col + GEMM forward is not a composition of primitives.
 *
 * <p>Recording follows the same rules as the built-in primitives: nothing is recorded under
 * {@link Autograd#noGrad()} or when no input requires a gradient; anomaly mode checks the forward
 * value here and the gradients the rule returns during backward.
 */
public final class CustomOp {
    private CustomOp() {
    }

    /**
     * Records {@code out} as the result of the operation {@code name} applied to {@code inputs}.
     *
     * @param vjp maps the output gradient {@code dy} to one gradient per input, each of that input's shape
     *            (or {@code null} for an input that takes none); it runs with recording off
     * @return {@code out}
     * @throws AnomalyException     in anomaly mode, if {@code out} holds NaN or infinity
     * @throws IllegalStateException if {@code out} is already the result of a recorded operation
     */
    public static Tensor record(String name, Tensor out, Function<Tensor, Tensor[]> vjp, Tensor... inputs) {
        if (!out.isLeaf()) {
            throw new IllegalStateException(name + ": the output is already the result of '" + out.creator()
                    + "'; record a fresh tensor");
        }
        if (Autograd.isAnomalyDetectionEnabled() && !out.allFinite()) {
            throw new AnomalyException(name + ": forward produced NaN or Inf; inputs " + new Node(name, inputs,
                    null, null).describeInputs());
        }
        if (!Autograd.isGradEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad()) {
                out.attach(new Node(name, inputs.clone(), vjp::apply, null));
                return out;
            }
        }
        return out;
    }
}
