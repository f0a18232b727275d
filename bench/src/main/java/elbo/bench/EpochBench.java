package elbo.bench;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.core.kernels.Parallel;
import elbo.models.config.Overrides;
import elbo.models.data.DataSets;
import elbo.models.data.Dataset;
import elbo.models.data.Download;
import elbo.models.data.Split;
import elbo.models.train.Binarizer;
import elbo.models.train.Progress;
import elbo.models.train.RunDirectory;
import elbo.models.train.TrainConfig;
import elbo.models.train.Trainer;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.ImportanceSampling;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whole training epochs of {@code ./elbo train}'s own loop on MNIST, against the PyTorch twin
 * {@code bench/reference/vae_epoch.py}. Each workload is a {@link Trainer} built as {@code ./elbo train}
 * builds it, with the train defaults (the VampPrior paper's: gated MLPs 784-300-300 and 300-300 around
 * D = 40, log-variance in [-6, 2], Bernoulli logits, Adam 5·10⁻⁴, batch 100, dynamic binarisation), and
 * is timed through {@link Trainer#runSteps}: exactly {@code train()}'s step (batch assembly from the byte
 * images with a fresh Bernoulli draw per pixel, {@code vae.loss}, backward, Adam, in a {@link Workspace})
 * without validation or file writes.
 *
 * <pre>
 *   vae      --objective=elbo (one draw, analytic KL), N(0, I) prior              seconds per epoch
 *   iwae5    --objective=iwae --k=5                                               seconds per epoch
 *   iwae50   --objective=iwae --k=50                                              seconds per epoch
 *   vamp500  --prior=vamp --components=500 (pseudo-inputs: the first 500 training
 *            images; Monte Carlo KL)                                              seconds per epoch
 *   ll5000   ImportanceSampling.estimate, K = 5000 in chunks of 500 draws x 100
 *            images, with ./elbo eval's bound ladder, on test images binarised
 *            as Binarizer.fixed does (the vae workload's model)                  images per second
 * </pre>
 *
 * <p>Protocol: the MNIST files are read (and checked) once, before any timing. The first workload's
 * trainer first runs {@code --jit-warmup} steps so that the JIT has compiled every shared kernel; each
 * workload then runs {@code --warmup-steps} untimed steps (and more, until {@code --warmup} seconds have
 * passed: the code its own objective or prior adds needs compiling too) and {@code --blocks} timed blocks of
 * {@code --block} steps, each block one {@code runSteps(e, block)} call of its own epoch {@code e} (a fresh
 * shuffle, as an epoch starts). The figure is the median block time scaled to {@code --epoch-steps} steps
 * (600: one 60,000-image epoch at batch 100). {@code ll5000} times {@code --eval-calls} calls of
 * {@code --eval-images} images after one untimed call. After a training workload's blocks, the same
 * number of blocks of batch assembly alone ({@link Binarizer#batch} of the same batches, same generator
 * kind) are timed: {@code binarize_share} is their median over the training block's median, the share of
 * an epoch that data loading and binarisation take.
 *
 * <p>Options ({@code --key=value}; the PyTorch twin takes the same ones but {@code --jit-warmup} and
 * {@code --threads}):
 * <pre>
 *   --workloads=vae,iwae5,iwae50,vamp500,ll5000   which to run (default: all, in this order)
 *   --data-dir=DIR    where mnist/ lives (default: $ELBO_DATA, then ./data)
 *   --jit-warmup=N    steps of the vae trainer before the first workload (default 300)
 *   --warmup=S        untimed seconds per workload (default 3), and at least
 *   --warmup-steps=N  untimed steps per workload (default 20)
 *   --block=S         steps per timed block (default 50)
 *   --blocks=R        timed blocks per workload (default 5)
 *   --epoch-steps=N   steps a reported epoch has (default 600 = 60,000 images / 100)
 *   --eval-images=N   test images per ll5000 call (default 100: one batch of ./elbo eval)
 *   --eval-calls=N    timed ll5000 calls (default 3)
 *   --threads=N       compute threads, as ./elbo train's --threads (default 0: all cores)
 * </pre>
 *
 * Prints one line per workload:
 * {@code vae_epoch <name> <median> s_per_epoch ms_per_step <m> block <S> blocks <R> epoch_steps <n>
 * train_batches_per_epoch <b> threads <t> binarize_share <f> alloc_bytes_per_step <a>
 * workspace_arrays_per_step <w>}, and for ll5000
 * {@code vae_epoch ll5000 <rate> images_per_s images <N> calls <R> k 5000 threads <t> mean_loglik <l>}.
 * {@code train_batches_per_epoch} is what {@code ./elbo train}'s own epoch has on this split (500: the
 * last 10,000 training images are its validation set).
 */
public final class EpochBench {
    static final List<String> ALL = List.of("vae", "iwae5", "iwae50", "vamp500", "ll5000");
    static final int LL_K = 5000;

    /** The {@code ./elbo train} overrides of each training workload, on top of the train defaults. */
    static List<String> workloadArgs(String name) {
        return switch (name) {
            case "vae" -> List.of();
            case "iwae5" -> List.of("--objective=iwae", "--k=5");
            case "iwae50" -> List.of("--objective=iwae", "--k=50");
            case "vamp500" -> List.of("--prior=vamp", "--components=500");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A trainer of workload {@code name} on {@code data}, as {@code ./elbo train} would build it. */
    static Trainer trainer(String name, Dataset data, String dataDir, int threads, Path tmp) {
        List<String> args = new ArrayList<>(List.of("--data=mnist", "--data-dir=" + dataDir, "--download=false",
                "--threads=" + threads));
        args.addAll(workloadArgs(name));
        TrainConfig config = Overrides.apply(TrainConfig.defaults(), args);
        return new Trainer(config, data, RunDirectory.at(tmp.resolve(name)),
                new Progress(new PrintStream(OutputStream.nullOutputStream()), false));
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = BenchOptions.parse(args, List.of("workloads", "data-dir", "jit-warmup", "warmup",
                "warmup-steps", "block", "blocks", "epoch-steps", "eval-images", "eval-calls", "threads"));
        List<String> workloads = Arrays.asList(opt.getOrDefault("workloads", String.join(",", ALL)).split(","));
        for (String w : workloads) {
            if (!ALL.contains(w)) {
                throw new IllegalArgumentException("unknown workload '" + w + "'; expected some of " + ALL);
            }
        }
        int jitWarmup = Integer.parseInt(opt.getOrDefault("jit-warmup", "300"));
        double warmupSeconds = Double.parseDouble(opt.getOrDefault("warmup", "3"));
        int warmupSteps = Integer.parseInt(opt.getOrDefault("warmup-steps", "20"));
        int block = Integer.parseInt(opt.getOrDefault("block", "50"));
        int blocks = Integer.parseInt(opt.getOrDefault("blocks", "5"));
        int epochSteps = Integer.parseInt(opt.getOrDefault("epoch-steps", "600"));
        int evalImages = Integer.parseInt(opt.getOrDefault("eval-images", "100"));
        int evalCalls = Integer.parseInt(opt.getOrDefault("eval-calls", "3"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "0"));
        if (block < 1 || blocks < 1 || epochSteps < 1 || evalImages < 1 || evalCalls < 1 || threads < 0) {
            throw new IllegalArgumentException("--block, --blocks, --epoch-steps, --eval-images, --eval-calls must be"
                    + " at least 1 and --threads at least 0");
        }
        Path dataDir = DataSets.resolveDirectory(opt.getOrDefault("data-dir", ""));

        // Reading and checking the data happens once, here, as in ./elbo train before its first epoch.
        long t0 = System.nanoTime();
        Dataset data = DataSets.load("mnist", dataDir, TrainConfig.defaults().validation(), Download.none());
        System.err.printf(Locale.ROOT, "loaded %s from %s in %.2f s (untimed): %d train, %d test images%n",
                data.name(), dataDir, (System.nanoTime() - t0) / 1e9, data.train().count(), data.test().count());
        Path tmp = Files.createTempDirectory("elbo-epoch-bench");   // runSteps writes nothing into it

        // The vae workload's trainer runs the JIT warm-up; its model is also the one ll5000 evaluates.
        Trainer vaeTrainer = trainer("vae", data, dataDir.toString(), threads, tmp);
        int epochIndex = 0;                       // every block runs an epoch order of its own
        long j0 = System.nanoTime();
        vaeTrainer.runSteps(epochIndex++, jitWarmup);
        System.err.printf(Locale.ROOT, "JIT warm-up: %d vae steps in %.1f s%n", jitWarmup, (System.nanoTime() - j0) / 1e9);
        for (String name : workloads) {
            if (name.equals("ll5000")) {
                logLikelihood(vaeTrainer.model(), vaeTrainer.binarizer(), data.test(), evalImages, evalCalls);
                continue;
            }
            Trainer trainer = name.equals("vae") ? vaeTrainer : trainer(name, data, dataDir.toString(), threads, tmp);
            long w0 = System.nanoTime();
            trainer.runSteps(epochIndex++, warmupSteps);
            while (System.nanoTime() - w0 < warmupSeconds * 1e9) {
                trainer.runSteps(epochIndex++, Math.max(1, Math.min(warmupSteps, block)));
            }

            double[] seconds = new double[blocks];
            long arrays0 = Workspace.arraysCreated();
            long allocated0 = VaeFamilyBench.allocatedBytes();
            for (int r = 0; r < blocks; r++) {
                int e = epochIndex++;
                long s = System.nanoTime();
                trainer.runSteps(e, block);
                seconds[r] = (System.nanoTime() - s) / 1e9;
            }
            long steps = (long) blocks * block;
            long allocatedPerStep = (VaeFamilyBench.allocatedBytes() - allocated0) / steps;
            double arraysPerStep = (double) (Workspace.arraysCreated() - arrays0) / steps;
            double median = StepTimes.median(seconds);
            double share = binarizeSeconds(trainer.binarizer(), data.train(), block, blocks) / median;
            System.out.printf(Locale.ROOT, "vae_epoch %s %.4f s_per_epoch ms_per_step %.4f block %d blocks %d "
                            + "epoch_steps %d train_batches_per_epoch %d threads %d binarize_share %.5f "
                            + "alloc_bytes_per_step %d workspace_arrays_per_step %.2f%n",
                    name, median * epochSteps / block, 1e3 * median / block, block, blocks, epochSteps,
                    trainer.batchesPerEpoch(), Parallel.threads(), share, allocatedPerStep, arraysPerStep);
            System.out.flush();
        }
        Files.deleteIfExists(tmp);
    }

    /**
     * The median over {@code blocks} of the time to assemble {@code block} batches of 100 binarised images
     * as the trainer's step does ({@link Binarizer#batch} over a shuffled order), in seconds.
     */
    static double binarizeSeconds(Binarizer binarizer, Split train, int block, int blocks) {
        Rng rng = new Rng(7);
        int[] order = rng.permutation(train.count());
        int batch = TrainConfig.defaults().batch();
        int batches = train.count() / batch;
        double sink = 0;
        for (int i = 0; i < Math.min(block, 20); i++) {       // warm-up
            sink += binarizer.batch(train, order, (i % batches) * batch, batch, rng).getFlat(i);
        }
        double[] seconds = new double[blocks];
        for (int r = 0; r < blocks; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < block; i++) {
                Tensor x = binarizer.batch(train, order, ((r * block + i) % batches) * batch, batch, rng);
                sink += x.getFlat(i % x.numel());
            }
            seconds[r] = (System.nanoTime() - s) / 1e9;
        }
        if (sink < 0) {
            System.err.println(sink);                         // keeps the batches alive for the JIT
        }
        return StepTimes.median(seconds);
    }

    /**
     * {@code log p(x)} with K = 5000 as {@code ./elbo eval} computes it (batches of 100 images, chunks of 500
     * draws, its ladder of bounds) over the first {@code images} test images, binarised once as
     * {@link Binarizer#fixed} does: one untimed call, then {@code calls} timed ones; prints images per second
     * of the median call.
     */
    static void logLikelihood(Vae vae, Binarizer binarizer, Split test, int images, int calls) {
        Tensor x = binarizer.fixed(test);
        x = x.narrow(0, 0, Math.min(images, x.dim(0)));
        int n = x.dim(0);
        int[] ladder = ImportanceSampling.ladder(LL_K);
        Rng rng = new Rng(1);
        ImportanceSampling.estimate(vae, x, LL_K, ladder, ImportanceSampling.DEFAULT_BATCH,
                ImportanceSampling.DEFAULT_CHUNK, rng, done -> { });
        double[] seconds = new double[calls];
        double mean = 0;
        for (int r = 0; r < calls; r++) {
            long s = System.nanoTime();
            mean = ImportanceSampling.estimate(vae, x, LL_K, ladder, ImportanceSampling.DEFAULT_BATCH,
                    ImportanceSampling.DEFAULT_CHUNK, rng, done -> { }).mean();
            seconds[r] = (System.nanoTime() - s) / 1e9;
        }
        System.out.printf(Locale.ROOT, "vae_epoch ll5000 %.3f images_per_s images %d calls %d k %d threads %d "
                + "mean_loglik %.3f%n", n / StepTimes.median(seconds), n, calls, LL_K, Parallel.threads(), mean);
        System.out.flush();
    }

}
