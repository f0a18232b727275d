package elbo.models.vae;

import elbo.core.Autograd;
import elbo.core.CustomOp;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.posterior.IafPosterior;
import elbo.models.vae.posterior.Posterior;
import elbo.models.vae.prior.VampPrior;
import elbo.nn.Init;
import elbo.nn.Module;
import elbo.nn.dist.Normal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Shared helpers of the VAE tests: tiny float64 models at random parameters, binary data, gradients by
 * name, and a whole module seen as a function of its parameters for {@link elbo.core.GradCheck}.
 */
final class VaeTesting {
    static final DType F64 = DType.FLOAT64;
    /** How far (in log-variance) every encoder output must stay from the hardtanh's kinks at -6 and 2. */
    static final double CLAMP_MARGIN = 1e-2;

    private VaeTesting() {
    }

    /**
     * A tiny configuration: MLP decoder over 2×3 images (X = 6), one gated hidden layer of width 4,
     * {@code latent} latent dimensions, 2 IAF steps, 3 mixture components / pseudo-inputs, flow priors of
     * 2 layers of width 4.
     */
    static VaeConfig tiny(VaeConfig.PosteriorKind posterior, VaeConfig.PriorKind prior, int latent) {
        return new VaeConfig(2, 3, latent, 4, 1, Networks.Net.GATED, posterior, 2, VaeConfig.DecoderKind.MLP, 0, 3, 3,
                prior, 3, 2, 4);
    }

    /** A tiny PixelCNN-decoder configuration: 4×4 images, 2 masked layers of 3 channels, kernel 3. */
    static VaeConfig tinyPixelCnn(VaeConfig.PosteriorKind posterior, VaeConfig.PriorKind prior, int latent) {
        return new VaeConfig(4, 4, latent, 4, 1, Networks.Net.GATED, posterior, 2, VaeConfig.DecoderKind.PIXELCNN, 2,
                3, 3, prior, 3, 2, 4);
    }

    /** {@code c} built in float64 with every parameter redrawn by {@link #randomize}. */
    static Vae build(VaeConfig c, long seed) {
        Rng rng = new Rng(seed);
        Vae vae = c.build(F64, rng, null);
        randomize(vae, rng);
        return vae;
    }

    /**
     * Every parameter redrawn at random, so that no layer starts at the identity or at zero and no
     * gradient is zero by construction: weights from {@code N(0, 0.5²)}; biases from {@code U(0.1, 0.6)}
     * (positive, so that few ReLU units of the MADEs and PixelCNN layers are dead); the encoder's
     * log-variance head from {@code N(0, 0.2²)} (log-variances well inside the hardtanh to [-6, 2]); the
     * VampPrior's raw pseudo-inputs from {@code U(0.15, 0.85)}, strictly inside the hardtanh to [0, 1], but for
     * the first two entries, set to -0.4 and 1.3 (outside it, where the exact gradient is zero).
     */
    static void randomize(Vae vae, Rng rng) {
        Tensor pseudo = vae.prior() instanceof VampPrior vp ? vp.rawPseudoInputs() : null;
        GaussianPosterior g = gaussianOf(vae.posterior());
        List<Tensor> logVarHead = List.of(g.logVarHead().weight(), g.logVarHead().bias());
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            vae.namedParameters().forEach((name, p) -> {
                if (p == pseudo) {
                    Init.uniform(p, 0.15, 0.85, rng);
                    p.setFlat(0, -0.4);
                    p.setFlat(1, 1.3);
                } else if (logVarHead.stream().anyMatch(h -> h == p)) {
                    Init.normal(p, 0.2, rng);
                } else if (name.endsWith("bias")) {
                    Init.uniform(p, 0.1, 0.6, rng);
                } else {
                    Init.normal(p, 0.5, rng);
                }
            });
        }
    }

    /** {@code [b, x]} of independent fair coin flips, float64. */
    static Tensor binaryData(int b, int x, Rng rng) {
        Tensor t = Tensor.zeros(F64, b, x);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, rng.nextDouble() < 0.5 ? 1.0 : 0.0);
        }
        return t;
    }

    /** The Gaussian encoder of a Gaussian or IAF posterior. */
    static GaussianPosterior gaussianOf(Posterior q) {
        return q instanceof IafPosterior iaf ? iaf.gaussian() : (GaussianPosterior) q;
    }

    /**
     * Asserts that every log-variance the encoder computes on {@code x} (and on the VampPrior's pseudo-inputs)
     * is at least {@link #CLAMP_MARGIN} inside {@code [-6, 2]}, so that finite differences do not straddle a
     * kink of the hardtanh.
     */
    static void assertLogVarsInsideClamp(Vae vae, Tensor x) {
        GaussianPosterior g = gaussianOf(vae.posterior());
        List<Tensor> inputs = new ArrayList<>(List.of(x));
        if (vae.prior() instanceof VampPrior vp) {
            inputs.add(vp.pseudoInputs());
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (Tensor in : inputs) {
                Normal q = g.q(in);
                for (int i = 0; i < q.logVar().numel(); i++) {
                    double v = q.logVar().getFlat(i);
                    if (!(v > GaussianPosterior.MIN_LOG_VAR + CLAMP_MARGIN && v < GaussianPosterior.MAX_LOG_VAR - CLAMP_MARGIN)) {
                        throw new AssertionError("test setup: encoder log-variance " + v + " (entry " + i + ") is at or "
                                + "near the clamp [-6, 2]; choose another seed");
                    }
                }
            }
        }
    }

    /**
     * The gradient of the scalar {@code loss} with respect to every parameter of {@code m}, by name,
     * copied (zeros for a parameter no gradient reached).
     */
    static Map<String, Tensor> gradients(Module m, Supplier<Tensor> loss) {
        m.zeroGrad();
        Tensor value = loss.get();
        value.backward();
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((name, p) -> out.put(name, p.grad() == null ? Tensor.zerosLike(p) : p.grad().copy()));
        m.zeroGrad();
        return out;
    }

    /** The names of the parameters whose gradient is exactly zero in every entry. */
    static List<String> allZero(Map<String, Tensor> grads) {
        List<String> zero = new ArrayList<>();
        grads.forEach((name, g) -> {
            for (int i = 0; i < g.numel(); i++) {
                if (g.getFlat(i) != 0.0) {
                    return;
                }
            }
            zero.add(name);
        });
        return zero;
    }

    /**
     * Asserts {@code |expected - actual| <= tol · (1 + |expected|)} entry by entry for every parameter.
     */
    static void assertGradientsClose(String what, Map<String, Tensor> expected, Map<String, Tensor> actual, double tol) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": parameter names");
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            Tensor x = e.getValue();
            assertEquals(x.shape(), a.shape(), what + ": shape of " + e.getKey());
            for (int i = 0; i < x.numel(); i++) {
                double err = Math.abs(x.getFlat(i) - a.getFlat(i));
                if (!(err <= tol * (1 + Math.abs(x.getFlat(i))))) {
                    throw new AssertionError(what + ": gradient of " + e.getKey() + " entry " + i + ": expected "
                            + x.getFlat(i) + " (formula) but the library gives " + a.getFlat(i) + " (|diff| " + err
                            + " > " + tol + "·(1+|expected|))");
                }
            }
        }
    }

    /** The largest {@code |a - b|} over every entry of every parameter. */
    static double maxAbsDifference(Map<String, Tensor> a, Map<String, Tensor> b) {
        double m = 0;
        for (String k : a.keySet()) {
            for (int i = 0; i < a.get(k).numel(); i++) {
                m = Math.max(m, Math.abs(a.get(k).getFlat(i) - b.get(k).getFlat(i)));
            }
        }
        return m;
    }

    /**
     * A scalar function of a module's parameters, {@code y = loss(θ_1..θ_n)}, for {@link elbo.core.GradCheck}
     * with respect to every parameter: {@code apply(t)} copies {@code t[k]} into the {@code k}-th parameter
     * (in {@link Module#namedParameters()} order), evaluates {@code loss}, and records the value as one
     * {@link CustomOp} over {@code t} whose vector-Jacobian product runs the module's own backward and hands
     * back the gradients that landed on the parameters. So the analytical side is exactly the library's
     * autodiff gradient. (Valid because GradCheck runs each backward right after its forward, with that
     * forward's parameter values.)
     */
    static final class ParametersAsFunction implements Function<Tensor[], Tensor> {
        private final Module module;
        private final Supplier<Tensor> loss;
        private final List<Tensor> params;

        ParametersAsFunction(Module module, Supplier<Tensor> loss) {
            this.module = module;
            this.loss = loss;
            this.params = module.parameters();
        }

        /** The point to check at: the module's current parameter values, copied. */
        Tensor[] point() {
            Tensor[] t = new Tensor[params.size()];
            for (int k = 0; k < t.length; k++) {
                t[k] = params.get(k).copy();
            }
            return t;
        }

        /** The parameter names, in the order of {@link #point()}. */
        List<String> names() {
            return new ArrayList<>(module.namedParameters().keySet());
        }

        @Override
        public Tensor apply(Tensor[] t) {
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                for (int k = 0; k < params.size(); k++) {
                    params.get(k).copyFrom(t[k]);
                }
            }
            if (!Autograd.isGradEnabled()) {
                return loss.get();
            }
            Tensor y = loss.get();
            return CustomOp.record("vaeLoss", y.detach(), dy -> {
                module.zeroGrad();
                y.backward(dy);
                Tensor[] grads = new Tensor[t.length];
                for (int k = 0; k < params.size(); k++) {
                    grads[k] = params.get(k).grad();
                }
                return grads;
            }, t);
        }
    }
}
