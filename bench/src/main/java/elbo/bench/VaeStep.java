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
 * <p>{@code main [warmup] [steps] [--phases]} warms up for at least {@code warmup} steps and then until the
 * JIT has settled ({@link JitWarmup}; a line on standard error says how long), and prints the median
 * milliseconds per step and the bytes the stepping thread allocated per step:
 * {@code vae_step_ms <median> steps <n> loss <l> alloc_bytes_per_step <b>}.
 * With {@code --phases} it also prints the median of each phase of the step, {@code vae_step_phases_ms
 * forward <f> backward <b> adam <a>} (the forward pass including the loss; the backward pass including
 * {@code zeroGrad}): run it with {@code -Delbo.threads=1} and {@code =2} to see which phase the second
 * thread speeds up.
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
        return step(null);
    }

    /**
     * One step, as {@link #step()}; when {@code phaseNanos} is given, the nanoseconds of its forward pass
     * (with the loss), backward pass (with {@code zeroGrad}) and Adam update go to elements 0, 1 and 2.
     */
    double step(long[] phaseNanos) {
        try (Workspace ws = Workspace.open()) {
            long t0 = System.nanoTime();
            Tensor loss = vae.loss(batch, noise);
            long t1 = System.nanoTime();
            adam.zeroGrad();
            loss.backward();
            long t2 = System.nanoTime();
            adam.step();
            if (phaseNanos != null) {
                phaseNanos[0] = t1 - t0;
                phaseNanos[1] = t2 - t1;
                phaseNanos[2] = System.nanoTime() - t2;
            }
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
        boolean phases = Arrays.asList(args).contains("--phases");
        String[] counts = Arrays.stream(args).filter(a -> !a.equals("--phases")).toArray(String[]::new);
        int warmup = counts.length > 0 ? Integer.parseInt(counts[0]) : 300;
        int steps = counts.length > 1 ? Integer.parseInt(counts[1]) : 300;
        VaeStep s = new VaeStep(1);
        // at least `warmup` steps, then until the JIT has settled (at most a minute)
        System.err.println(JitWarmup.run(s::step, warmup, 0, 60).describe());
        double[] ms = new double[steps];
        double[][] phaseMs = new double[3][steps];
        long[] phaseNanos = phases ? new long[3] : null;
        double loss = 0;
        long allocated0 = allocatedBytes();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            loss = s.step(phaseNanos);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (phases) {
                for (int p = 0; p < 3; p++) {
                    phaseMs[p][i] = phaseNanos[p] / 1e6;
                }
            }
        }
        long allocatedPerStep = (allocatedBytes() - allocated0) / steps;
        System.out.printf(Locale.ROOT, "vae_step_ms %.4f steps %d loss %.3f alloc_bytes_per_step %d%n", StepTimes.median(ms),
                steps, loss, allocatedPerStep);
        if (phases) {
            System.out.printf(Locale.ROOT, "vae_step_phases_ms forward %.4f backward %.4f adam %.4f%n",
                    StepTimes.median(phaseMs[0]), StepTimes.median(phaseMs[1]), StepTimes.median(phaseMs[2]));
        }
    }
}
