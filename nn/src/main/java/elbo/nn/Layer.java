package elbo.nn;

import elbo.core.Tensor;

/** A module that maps one tensor to one tensor: the unit {@link Sequential} chains. */
public abstract class Layer extends Module {
    /** Applies the layer; records a graph when the input or a parameter requires a gradient. */
    public abstract Tensor forward(Tensor x);
}
