/**
 * ELBO core: tensors, reverse-mode automatic differentiation and the compute kernels beneath them.
 *
 * <p>The Vector API is optional ({@code requires static}): when {@code jdk.incubator.vector} is not
 * resolved at run time the scalar kernels are chosen at start-up.
 */
module elbo.core {
    requires static jdk.incubator.vector;
    // optional: VectorRegisters reads the JVM's UseAVX flag through it when it is there
    requires static jdk.management;

    exports elbo.core;
    exports elbo.core.kernels;
}
