package elbo.nn;

import elbo.core.Autograd;
import elbo.core.CustomOp;
import elbo.core.Rng;
import elbo.core.Tensor;

import java.util.List;
import java.util.function.Function;

/**
 * A layer seen as a function {@code y = f(x, θ_1, ..., θ_n)} of its input and every parameter, so that
 * {@link elbo.core.GradCheck} can check the gradients with respect to the parameters too.
 *
 * <p>{@code apply(t)} copies {@code t[1..n]} into the layer's parameters (so the numerical side sees
 * the perturbed values), runs the layer's own {@code forward} on a leaf copy of {@code t[0]}, and
 * records the result as one operation over {@code t}. Its vector-Jacobian product runs the layer's own
 * backward and hands back the gradients that landed on the input leaf and on the parameter tensors.
 * So the analytical side is exactly the layer's autodiff gradient, delivered to GradCheck's leaves.
 *
 * <p>Valid because GradCheck runs each backward right after the forward it belongs to: the parameter
 * values a backward rule reads are still those of its forward.
 */
final class LayerAsFunction implements Function<Tensor[], Tensor> {
    private final Layer layer;
    private final List<Tensor> params;

    LayerAsFunction(Layer layer) {
        this.layer = layer;
        this.params = layer.parameters();
    }

    /** The point to check at: {@code x}, then each parameter resampled as {@code N(0, paramStd²)}. */
    Tensor[] point(Tensor x, double paramStd, Rng rng) {
        Tensor[] t = new Tensor[params.size() + 1];
        t[0] = x;
        for (int k = 0; k < params.size(); k++) {
            t[k + 1] = Init.normal(params.get(k).copy(), paramStd, rng);
        }
        return t;
    }

    @Override
    public Tensor apply(Tensor[] t) {
        for (int k = 0; k < params.size(); k++) {
            params.get(k).copyFrom(t[k + 1]);
        }
        if (!Autograd.isGradEnabled()) {
            return layer.forward(t[0]); // GradCheck's numerical evaluations
        }
        Tensor xIn = t[0].copy().requiresGrad(true);
        Tensor y = layer.forward(xIn);
        return CustomOp.record(layer.getClass().getSimpleName(), y.detach(), dy -> {
            xIn.zeroGrad();
            layer.zeroGrad();
            y.backward(dy);
            Tensor[] g = new Tensor[t.length];
            g[0] = xIn.grad();
            for (int k = 0; k < params.size(); k++) {
                g[k + 1] = params.get(k).grad();
            }
            return g;
        }, t);
    }
}
