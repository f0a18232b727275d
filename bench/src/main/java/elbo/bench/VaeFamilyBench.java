package elbo.bench;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.core.kernels.Parallel;
import elbo.models.vae.Networks;
import elbo.models.vae.Vae;
import elbo.models.vae.VaeConfig;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Reparameterised;
import elbo.nn.optim.Adam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The VAE family's training steps and its test log-likelihood, built with the library ({@code elbo.models.vae})
 * exactly as {@code ./elbo train} builds them, against the PyTorch twin {@code bench/reference/vae_family.py}.
 * Every model is the IWAE paper's one-stochastic-layer MLP: encoder 784-300-300-(μ 40, log σ² 40) tanh with
 * the log-variance in [-6, 2], decoder 40-300-300-784 tanh with Bernoulli logits, float32, batch 100 of a
 * fixed binary batch ({@code p = 0.13}, as {@link VaeStep}), Adam at {@code 1e-3}. The workloads:
 *
 * <pre>
 *   vae      ELBO (one draw, analytic KL), N(0, I) prior                     ms per step
 *   iwae5    IWAE K = 5 (reparameterised): the 5·100 codes decoded at once  ms per step
 *   iwae50   IWAE K = 50                                                     ms per step
 *   vamp500  ELBO with a VampPrior of 500 pseudo-inputs (Monte Carlo KL)     ms per step
 *   ll5000   importance-sampled log p(x), K = 5000 (chunks of 500), vae     images per second
 * </pre>
 *
 * A training step is {@code vae.loss(x, objective, rng, epoch)}, {@code backward()} and an Adam step inside a
 * {@link Workspace}. Each workload warms up and is then timed step by step; the figure is the median. For
 * {@code ll5000} one timed call estimates {@code eval-images} images and the figure is images over the
 * median call time.
 *
 * <p>Options ({@code --key=value}; the PyTorch twin takes the same ones but {@code --jit-warmup}):
 * <pre>
 *   --workloads=vae,iwae5,iwae50,vamp500,ll5000   which to run (default: all, in this order)
 *   --jit-warmup=N   steps of the plain VAE before the first workload (default 300, as VaeStep): the
 *                    JIT must have compiled the kernels every workload shares before any timing
 *                    starts, however busy the machine is (else the first one is timed while vectors
 *                    are still boxed: ~100x slower, hundreds of MB per step)
 *   --warmup=S       seconds of warm-up per workload (default 5), and at least
 *   --warmup-steps=N training steps (default 30; an ll5000 warm-up is at least 2 calls); then on until
 *                    the JIT has settled ({@link JitWarmup}; a line on standard error says how long)
 *   --time=S         seconds of timed steps per workload (default 10)
 *   --min-steps=N    at least this many timed steps or calls (default 5)
 *   --eval-images=N  images per ll5000 call (default 20)
 * </pre>
 *
 * Prints one line per workload:
 * {@code vae_family <name> <median> <unit> steps <n> threads <t> alloc_bytes_per_step <b> workspace_arrays_per_step <a> loss <l>},
 * {@code unit} being {@code ms_per_step} or {@code images_per_s}; {@code alloc_bytes_per_step} is what the
 * stepping thread allocated per timed step (in the steady state graph objects only, no tensor storage) and
 * {@code workspace_arrays_per_step} the arrays the workspace had to create per timed step (0 once its pool
 * holds every size the step uses).
 */
public final class VaeFamilyBench {
    static final int X = 784, H = 300, Z = 40, BATCH = 100, PSEUDO_INPUTS = 500, LL_K = 5000;
    static final List<String> ALL = List.of("vae", "iwae5", "iwae50", "vamp500", "ll5000");

    /** One workload: a step or an evaluation call; returns a number worth printing (the loss, the mean log p(x)). */
    interface Work {
        double run();
    }

    /** The model of every workload: the tanh MLP VAE, with a standard or a VampPrior of 500 pseudo-inputs. */
    static Vae model(VaeConfig.PriorKind prior, Rng rng) {
        VaeConfig c = VaeConfig.mnist();
        VaeConfig config = new VaeConfig(28, 28, Z, H, 2, Networks.Net.TANH, c.posterior(), c.iafSteps(),
                c.decoder(), c.decoderLayers(), c.pixelChannels(), c.pixelKernel(), prior, PSEUDO_INPUTS,
                c.flowLayers(), c.flowHidden());
        return config.build(DType.FLOAT32, rng, null);
    }

    /** A training step of {@code objective} on a model with {@code prior}, each step in a {@link Workspace}. */
    static Work trainingStep(Objective objective, VaeConfig.PriorKind prior) {
        Rng rng = new Rng(1);
        Vae vae = model(prior, rng);
        Adam adam = new Adam(vae, 1e-3);
        Tensor x = rng.bernoulli(Tensor.full(DType.FLOAT32, 0.13, BATCH, X));
        Rng noise = rng.split();
        return () -> {
            try (Workspace ws = Workspace.open()) {
                Loss loss = vae.loss(x, objective, noise, 0.0);
                adam.zeroGrad();
                loss.value().backward();
                adam.step();
                return loss.value().item();
            }
        };
    }

    /** {@code log p(x)} with K = 5000 for {@code images} images of the untrained VAE; returns their mean. */
    static Work logLikelihood(int images) {
        Rng rng = new Rng(1);
        Vae vae = model(VaeConfig.PriorKind.STANDARD, rng);
        Tensor x = rng.bernoulli(Tensor.full(DType.FLOAT32, 0.13, images, X));
        Rng noise = rng.split();
        return () -> ImportanceSampling.estimate(vae, x, LL_K, new int[] {LL_K}, noise).mean();
    }

    /** Bytes allocated so far by this thread (HotSpot's per-thread counter), or -1 if unsupported. */
    static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            return t.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    public static void main(String[] args) {
        Map<String, String> opt = BenchOptions.parse(args,
                List.of("workloads", "jit-warmup", "warmup", "warmup-steps", "time", "min-steps", "eval-images"));
        List<String> workloads = new ArrayList<>(Arrays.asList(opt.getOrDefault("workloads", String.join(",", ALL))
                .split(",")));
        double warmupSeconds = Double.parseDouble(opt.getOrDefault("warmup", "5"));
        int warmupSteps = Integer.parseInt(opt.getOrDefault("warmup-steps", "30"));
        int jitWarmup = Integer.parseInt(opt.getOrDefault("jit-warmup", "300"));
        double timeSeconds = Double.parseDouble(opt.getOrDefault("time", "10"));
        int minSteps = Integer.parseInt(opt.getOrDefault("min-steps", "5"));
        int evalImages = Integer.parseInt(opt.getOrDefault("eval-images", "20"));
        for (String w : workloads) {
            if (!ALL.contains(w)) {
                throw new IllegalArgumentException("unknown workload '" + w + "'; expected some of " + ALL);
            }
        }
        Work jit = trainingStep(Elbo.standard(), VaeConfig.PriorKind.STANDARD);
        for (int i = 0; i < jitWarmup; i++) {
            jit.run();
        }
        for (String name : workloads) {
            Work work = switch (name) {
                case "vae" -> trainingStep(Elbo.standard(), VaeConfig.PriorKind.STANDARD);
                case "iwae5" -> trainingStep(new Iwae(5, new Reparameterised()), VaeConfig.PriorKind.STANDARD);
                case "iwae50" -> trainingStep(new Iwae(50, new Reparameterised()), VaeConfig.PriorKind.STANDARD);
                case "vamp500" -> trainingStep(Elbo.standard(), VaeConfig.PriorKind.VAMP);
                case "ll5000" -> logLikelihood(evalImages);
                default -> throw new AssertionError(name);
            };
            boolean eval = name.equals("ll5000");
            measure(name, work, eval ? 2 : warmupSteps, warmupSeconds, timeSeconds, minSteps, eval ? evalImages : 0);
        }
    }

    /** Warms up, times steps until both {@code minSteps} and {@code seconds} are reached, prints the line. */
    private static void measure(String name, Work work, int minWarmup, double warmupSeconds, double seconds,
            int minSteps, int imagesPerCall) {
        // at least minWarmup steps and warmupSeconds, then until the JIT has settled
        JitWarmup.Result warm = JitWarmup.run(work::run, minWarmup, warmupSeconds, Math.max(30, 3 * warmupSeconds));
        System.err.println(name + " " + warm.describe());
        double[] last = {0}; // the last step's loss, or mean log-likelihood
        long arrays0 = Workspace.arraysCreated();
        long allocated0 = allocatedBytes();
        double[] ms = StepTimes.time(() -> last[0] = work.run(), minSteps, seconds);
        int n = ms.length;
        long allocatedPerStep = (allocatedBytes() - allocated0) / n;
        double arraysPerStep = (double) (Workspace.arraysCreated() - arrays0) / n;
        double median = StepTimes.median(ms);
        String value = imagesPerCall > 0
                ? String.format(Locale.ROOT, "%.3f images_per_s", imagesPerCall / (median / 1e3))
                : String.format(Locale.ROOT, "%.4f ms_per_step", median);
        System.out.printf(Locale.ROOT,
                "vae_family %s %s steps %d threads %d alloc_bytes_per_step %d workspace_arrays_per_step %.2f %s %.3f%n",
                name, value, n, Parallel.threads(), allocatedPerStep, arraysPerStep,
                imagesPerCall > 0 ? "mean_loglik" : "loss", last[0]);
        System.out.flush();
    }
}
