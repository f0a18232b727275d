package elbo.core;

/**
 * One recorded operation of the dynamic graph: its name, its inputs and the rule that turns the
 * gradient of its output into gradients of its inputs (a vector-Jacobian product).
 */
final class Node {

    /** The vector-Jacobian product of one operation. */
    @FunctionalInterface
    interface Backward {
        /**
         * Gradients with respect to each input, given {@code dy}, the gradient of the output. Entries
         * may be {@code null} for inputs that do not require a gradient. Runs with recording off.
         */
        Tensor[] apply(Tensor dy);
    }

    final String op;
    final Tensor[] inputs;
    final Backward backward;
    /** Where user code created this op; recorded only in anomaly mode. */
    final StackTraceElement site;

    Node(String op, Tensor[] inputs, Backward backward, StackTraceElement site) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.site = site;
    }

    String describeInputs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(inputs[i].shape());
        }
        return sb.toString();
    }
}
