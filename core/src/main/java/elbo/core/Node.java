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
    /** Each input's write count when the op ran: backward needs the values it saw. */
    private final int[] inputVersions;

    Node(String op, Tensor[] inputs, Backward backward, StackTraceElement site) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.site = site;
        this.inputVersions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputVersions[i] = inputs[i].version();
        }
    }

    /**
     * Throws if an input was written in place after this op used it.
     *
     * @throws IllegalStateException naming the op, the input and both write counts
     */
    void checkInputsUnchanged() {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].version() != inputVersions[i]) {
                throw new IllegalStateException(op + ": input " + i + " " + inputs[i].shape() + " was modified in "
                        + "place after the op used it (write count " + inputVersions[i] + " -> " + inputs[i].version()
                        + "), so its gradient would be wrong; run backward before updating parameters");
            }
        }
    }

    String describeInputs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(inputs[i].shape());
        }
        return sb.toString();
    }
}
