package elbo.bench;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.nn.Activation;
import elbo.nn.Mlp;
import elbo.nn.Module;
import elbo.nn.Sequential;
import elbo.nn.dist.Bernoulli;
import elbo.nn.dist.Kl;
import elbo.nn.dist.Normal;
import elbo.nn.dist.StandardNormal;
import elbo.nn.optim.Adam;

import java.util.Arrays;
import java.util.Locale;

/**
 * One training step of the MLP VAE of the IWAE paper's one-stochastic-layer model, the workload of the
 * PyTorch comparison: encoder 784-300-300-(2·40) tanh, decoder 40-300-300-784 tanh, Bernoulli likelihood,
 * Gaussian posterior, standard-normal prior, batch 100, forward + backward + Adam. Its PyTorch twin is
 * {@code bench/reference/vae_step.py}; both draw a fixed binary batch and fresh noise each step.
 *
 * <p>{@code main} prints the median milliseconds per step and the bytes the stepping thread allocated per
 * step: {@code vae_step_ms <median> steps <n> loss <l> alloc_bytes_per_step <b>}.
 */
public final class VaeStep {
    static final int X = 784, H = 300, Z = 40, BATCH = 100;

    /** The model: two MLPs. */
    static final class Vae extends Module {
        final Sequential encoder;
        final Sequential decoder;
        final StandardNormal prior = new StandardNormal(Z, DType.FLOAT32);

        Vae(Rng rng) {
            encoder = child("encoder", Mlp.of(Activation.Kind.TANH, DType.FLOAT32, rng, X, H, H, 2 * Z));
            decoder = child("decoder", Mlp.of(Activation.Kind.TANH, DType.FLOAT32, rng, Z, H, H, X));
        }

        /** The negative ELBO averaged over the batch: {@code -(E_q[log p(x|z)] - KL(q(z|x) || N(0, I)))}. */
        Tensor loss(Tensor x, Rng rng) {
            Tensor h = encoder.forward(x);
            Normal q = Normal.fromMeanLogVar(h.narrow(1, 0, Z), h.narrow(1, Z, Z));
            Tensor z = q.rsample(rng);
            Tensor logPxGivenZ = new Bernoulli(decoder.forward(z)).logProb(x);
            return logPxGivenZ.sub(Kl.normalStandardNormal(q, prior)).mean().neg();
        }
    }

    final Vae vae;
    final Adam adam;
    final Tensor batch;
    final Rng noise;

    VaeStep(long seed) {
        Rng rng = new Rng(seed);
        vae = new Vae(rng);
        adam = new Adam(vae, 1e-3);
        batch = rng.bernoulli(Tensor.full(DType.FLOAT32, 0.13, BATCH, X));
        noise = rng.split();
    }

    /** One step in a {@link Workspace}, so its temporaries reuse the previous step's storage; returns the loss. */
    double step() {
        try (Workspace ws = Workspace.open()) {
            Tensor loss = vae.loss(batch, noise);
            adam.zeroGrad();
            loss.backward();
            adam.step();
            return loss.item();
        }
    }

    /** Bytes allocated so far by this thread (HotSpot's per-thread counter), or -1 if unsupported. */
    private static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            return t.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        VaeStep s = new VaeStep(1);
        for (int i = 0; i < warmup; i++) {
            s.step();
        }
        double[] ms = new double[steps];
        double loss = 0;
        long allocated0 = allocatedBytes();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            loss = s.step();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        long allocatedPerStep = (allocatedBytes() - allocated0) / steps;
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "vae_step_ms %.4f steps %d loss %.3f alloc_bytes_per_step %d%n", ms[steps / 2],
                steps, loss, allocatedPerStep);
    }
}
