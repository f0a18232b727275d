package elbo.bench;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.kernels.KernelProvider;
import elbo.models.vae.Networks;
import elbo.models.vae.Vae;
import elbo.models.vae.decoder.BernoulliDecoder;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;
import elbo.models.vae.posterior.GaussianPosterior;
import elbo.models.vae.prior.MixturePrior;
import elbo.models.vae.prior.StandardPrior;
import elbo.nn.dist.Normal;
import elbo.nn.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exports a small float64 VAE, a batch, and for each objective the noise it drew, its loss and every
 * parameter's gradient, to one safetensors file that {@code bench/reference/crosscheck_vae.py} (PyTorch,
 * float64) recomputes and compares; {@code bench/crosscheck} runs both.
 *
 * <p>The model: encoder 12-8-8 tanh with heads {@code μ, v: [3]} ({@code v} clamped to [-6, 2]), decoder
 * 3-8-8-12 tanh with Bernoulli logits, and either the standard prior or a learnable mixture of two
 * Gaussians (the same encoder and decoder under both). Every parameter is perturbed from its
 * initialisation, so no bias is zero and some log-variances lie beyond the clamp.
 *
 * <p>File contents (all F64): {@code x}; {@code param/<name>} by state-dict name; per case
 * {@code <case>/eps} ({@code [K, B, D]}: the noise of {@code z = μ + e^(v/2) ε}), {@code <case>/log_w}
 * ({@code [K, B]}), {@code <case>/loss} (a scalar) and {@code <case>/grad/<name>} for every parameter of
 * the case's model. The metadata lists the cases and, for each, its objective ({@code elbo}/{@code iwae}),
 * estimator ({@code reparam}/{@code stl}/{@code dreg}) and prior ({@code standard}/{@code mog}).
 *
 * <p>Usage: {@code CrossCheckExport <output.safetensors>}.
 */
public final class CrossCheckExport {
    static final int X = 12, HIDDEN = 8, LAYERS = 2, D = 3, B = 4, COMPONENTS = 2;
    static final DType F64 = DType.FLOAT64;

    /** One objective on one model, with the seed of the {@link Rng} its loss draws the noise from. */
    record Case(String name, Vae vae, String prior, Objective objective, long seed) {
    }

    private CrossCheckExport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CrossCheckExport <output.safetensors>");
            System.exit(2);
        }
        Rng rng = new Rng(20240611);
        GaussianPosterior posterior = GaussianPosterior.mlp(Networks.Net.TANH, X, HIDDEN, LAYERS, D, F64, rng);
        BernoulliDecoder decoder = BernoulliDecoder.mlp(Networks.Net.TANH, D, HIDDEN, LAYERS, X, F64, rng);
        Vae standard = new Vae(posterior, decoder, new StandardPrior(D, F64));
        Vae mog = new Vae(posterior, decoder, new MixturePrior(COMPONENTS, D, F64, rng));   // same encoder, decoder
        perturb(mog, rng);
        Tensor x = rng.bernoulli(Tensor.full(F64, 0.4, B, X));

        // ELBO loss: −(1/B) Σ_b (1/K) Σ_k log p(x_b|z_k) + (1/B) Σ_b KL_b (β = 1), KL analytic against N(0, I),
        //           (1/K) Σ_k log q(z_k|x_b) − log p(z_k) against the mixture;
        // IWAE loss: −(1/B) Σ_b log (1/K) Σ_k w_k, w_k = p(x_b|z_k) p(z_k) / q(z_k|x_b), its encoder gradient
        //           the estimator's (reparameterised, STL or DReG).
        BetaSchedule one = new BetaSchedule.Constant(1.0);
        List<Case> cases = List.of(
                new Case("elbo", standard, "standard", Elbo.standard(), 101),
                new Case("elbo_k3", standard, "standard", new Elbo(3, one, FreeBits.NONE, new Reparameterised()), 102),
                new Case("elbo_mog_k3", mog, "mog", new Elbo(3, one, FreeBits.NONE, new Reparameterised()), 103),
                new Case("iwae_k5", standard, "standard", new Iwae(5, new Reparameterised()), 104),
                new Case("iwae_stl_k5", standard, "standard", new Iwae(5, new StickingTheLanding()), 105),
                new Case("iwae_dreg_k5", standard, "standard", new Iwae(5, new DoublyReparameterised()), 106),
                new Case("iwae_dreg_mog_k5", mog, "mog", new Iwae(5, new DoublyReparameterised()), 107));

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        tensors.put("x", x);
        mog.stateDict().forEach((name, t) -> tensors.put("param/" + name, t));
        List<String> names = new ArrayList<>();
        for (Case c : cases) {
            c.vae().zeroGrad();
            Loss loss = c.vae().loss(x, c.objective(), new Rng(c.seed()), 0.0);
            loss.value().backward();
            Tensor eps = checkedNoise(c, x, loss);
            tensors.put(c.name() + "/eps", eps);
            tensors.put(c.name() + "/log_w", loss.logWeights().copy());
            tensors.put(c.name() + "/loss", Tensor.scalar(loss.value().item(), F64));
            c.vae().namedParameters().forEach((name, t) -> tensors.put(c.name() + "/grad/" + name, t.grad().copy()));
            metadata.put(c.name() + "/objective", c.objective() instanceof Elbo ? "elbo" : "iwae");
            metadata.put(c.name() + "/estimator", c.objective().estimator().toString());
            metadata.put(c.name() + "/prior", c.prior());
            names.add(c.name());
            System.err.printf(Locale.ROOT, "%-17s K=%d loss %.17g%n", c.name(), c.objective().samples(),
                    loss.value().item());
        }
        metadata.put("cases", String.join(",", names));
        Safetensors.write(Path.of(args[0]), tensors, metadata);
        System.err.printf(Locale.ROOT, "wrote %d tensors of %d cases to %s (%s kernels; %d of %d log-variances "
                + "clamped)%n", tensors.size(), cases.size(), args[0], KernelProvider.get().name(),
                clampedLogVariances(posterior, x), B * D);
    }

    /** Adds {@code N(0, 0.5²)} noise to every parameter (biases start at zero, mixture logits all equal). */
    static void perturb(Vae vae, Rng rng) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (Tensor p : vae.parameters()) {
                for (int i = 0; i < p.numel(); i++) {
                    p.setFlat(i, p.getFlat(i) + 0.5 * rng.nextGaussian());
                }
            }
        }
    }

    /**
     * The noise {@code ε = new Rng(seed).normal([K, B, D])} that the case's loss used, after checking that
     * it did: the particles drawn afresh from that seed must give the loss's {@code log w} bit for bit, and
     * their codes must be {@code z = μ + e^(v/2) ε} with {@code μ, v} recomputed from the encoder.
     *
     * @throws IllegalStateException if either check fails
     */
    static Tensor checkedNoise(Case c, Tensor x, Loss loss) {
        int k = c.objective().samples();
        Tensor eps = new Rng(c.seed()).normal(F64, k, B, D);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Particles particles = Particles.draw(c.vae(), x, k, c.objective().estimator(), new Rng(c.seed()));
            double[] logW = particles.logW().toDoubleArray();
            double[] lossLogW = loss.logWeights().toDoubleArray();
            for (int i = 0; i < logW.length; i++) {
                if (Double.doubleToLongBits(logW[i]) != Double.doubleToLongBits(lossLogW[i])) {
                    throw new IllegalStateException(c.name() + ": the loss's log w[" + i + "] = " + lossLogW[i]
                            + " but particles drawn from seed " + c.seed() + " give " + logW[i]);
                }
            }
            Normal q = (Normal) c.vae().posterior().q(x);
            for (int kk = 0; kk < k; kk++) {
                for (int b = 0; b < B; b++) {
                    for (int d = 0; d < D; d++) {
                        double expected = q.loc().get(b, d) + Math.exp(q.logVar().get(b, d) / 2) * eps.get(kk, b, d);
                        double z = particles.z().get(kk, b, d);
                        if (!(Math.abs(z - expected) <= 1e-14 * Math.max(1.0, Math.abs(expected)))) {
                            throw new IllegalStateException(c.name() + ": z[" + kk + "," + b + "," + d + "] = " + z
                                    + " is not μ + e^(v/2) ε = " + expected + " for ε from new Rng(" + c.seed()
                                    + ").normal(K, B, D)");
                        }
                    }
                }
            }
        }
        return eps;
    }

    /** How many log-variances of the batch lie outside [-6, 2] before the clamp (there the gradient is 0). */
    static int clampedLogVariances(GaussianPosterior posterior, Tensor x) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Tensor raw = posterior.logVarHead().forward(posterior.encode(x).features());
            int n = 0;
            for (int i = 0; i < raw.numel(); i++) {
                double v = raw.getFlat(i);
                n += v < GaussianPosterior.MIN_LOG_VAR || v > GaussianPosterior.MAX_LOG_VAR ? 1 : 0;
            }
            return n;
        }
    }
}
