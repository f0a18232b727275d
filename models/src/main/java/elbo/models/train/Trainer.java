package elbo.models.train;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.core.kernels.Parallel;
import elbo.models.config.Overrides;
import elbo.models.data.Dataset;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.ActiveUnits;
import elbo.models.vae.objective.Loss;
import elbo.models.vae.objective.Objective;
import elbo.nn.io.Checkpoint;
import elbo.nn.optim.Adam;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code ./elbo train}'s loop. One step, top to bottom:
 *
 * <pre>
 *   x     = binarise(images of the batch)                 Binarizer (fresh Bernoulli draws per epoch)
 *   loss  = vae.loss(x, objective, rng, t)                 −ELBO_β or −L_K, averaged over the batch
 *   loss.backward(); adam.step()                           in a Workspace: no garbage per step
 * </pre>
 *
 * After each epoch: the validation ELBO (β = 1, one draw, on images binarised once), its reconstruction
 * and KL, the active units, a line of {@code metrics.jsonl}, {@code best.safetensors} when the validation
 * ELBO improved, and the checkpoint when {@code checkpointSeconds} have passed.
 *
 * <p><b>Exact resume.</b> Epoch {@code e} shuffles with its own generator seeded by {@code (seed, e)}; all
 * other randomness of training (binarisation, the objective's draws) comes from one generator whose state
 * the checkpoint stores, with the model, Adam's moments, the epoch and the next batch. Validation uses
 * generators of its own. So a run stopped anywhere (Ctrl-C stops between two steps) and resumed computes
 * the same bits as one that never stopped.
 */
public final class Trainer {
    /** How {@link #train} ended. */
    public enum Outcome { FINISHED, EARLY_STOPPED, INTERRUPTED }

    private static final long SHUFFLE_STREAM = 0x9E3779B97F4A7C15L;
    private static final long VALIDATION_STREAM = 0xBF58476D1CE4E5B9L;
    /** Training images whose mean sets the decoder's output bias (and which seed VampPrior pseudo-inputs). */
    private static final int INIT_IMAGES = 5000;

    private final TrainConfig config;
    private final Dataset data;
    private final RunDirectory run;
    private final Progress progress;
    private final Vae vae;
    private final Adam optimizer;
    private final Objective objective;
    private final Binarizer binarizer;
    private final Tensor validationImages;
    private final int batchesPerEpoch;

    private Rng rng;
    private int epoch;                 // epochs finished
    private int nextBatch;             // within the current epoch
    private final EpochSums sums = new EpochSums();
    private double epochSeconds;       // training time spent in the current epoch so far
    private double bestValidElbo = Double.NEGATIVE_INFINITY;
    private int bestEpoch;
    private long lastCheckpoint = System.nanoTime();

    /** Running sums over an epoch's batches, weighted by batch size. */
    static final class EpochSums {
        double images;
        double loss;
        double bound;
        double reconstruction;
        double kl;
        double beta;

        double[] toArray() {
            return new double[] {images, loss, bound, reconstruction, kl, beta};
        }

        void set(double[] a) {
            images = a[0]; loss = a[1]; bound = a[2]; reconstruction = a[3]; kl = a[4]; beta = a[5];
        }

        void clear() {
            set(new double[6]);
        }
    }

    /**
     * A new run of {@code config} on {@code data}: builds the model (the decoder's output bias from the mean
     * training image, VampPrior pseudo-inputs from the first training images).
     */
    public Trainer(TrainConfig config, Dataset data, RunDirectory run, Progress progress) {
        this.config = config;
        this.data = data;
        this.run = run;
        this.progress = progress;
        Parallel.setThreads(config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads());
        this.rng = new Rng(config.seed());
        int n = Math.min(data.train().count(), Math.max(config.components(), INIT_IMAGES));
        this.vae = config.vae(data.train().height(), data.train().width())
                .build(DType.FLOAT32, rng, Binarizer.intensities(data.train(), n));
        this.optimizer = new Adam(vae, config.lr());
        this.objective = config.objectiveFunction();
        this.binarizer = new Binarizer(config.binarize(), data.binary());
        this.validationImages = binarizer.fixed(data.validation());
        this.batchesPerEpoch = (data.train().count() + config.batch() - 1) / config.batch();
    }

    public Vae model() {
        return vae;
    }

    public Binarizer binarizer() {
        return binarizer;
    }

    /** Epochs finished. */
    public int epoch() {
        return epoch;
    }

    /**
     * Continues from the run's checkpoint: model, optimizer, generator, epoch and batch; drops the metrics
     * of epochs finished after it.
     *
     * @throws IOException if the checkpoint is missing, unreadable or does not fit this configuration
     */
    public void resume() throws IOException {
        Map<String, String> meta = Checkpoint.load(run.file(RunDirectory.CHECKPOINT), vae, optimizer);
        epoch = Integer.parseInt(meta.get("epoch"));
        nextBatch = Integer.parseInt(meta.get("batch"));
        rng = Checkpoint.rngFromState(meta.get("rng"));
        sums.set(doublesOf(meta.get("sums")));
        epochSeconds = Double.parseDouble(meta.get("epoch_seconds"));
        bestValidElbo = Double.parseDouble(meta.get("best_valid_elbo"));
        bestEpoch = Integer.parseInt(meta.get("best_epoch"));
        run.truncateMetrics(epoch);
    }

    /**
     * Trains until {@code config.epochs()} epochs are done, early stopping, or {@code stop} turns true
     * (checked between steps; the checkpoint is then written before returning).
     */
    public Outcome train(BooleanSupplier stop) throws IOException {
        long runStart = System.nanoTime();
        int stepsAtStart = epoch * batchesPerEpoch + nextBatch;
        while (epoch < config.epochs()) {
            int[] order = epochOrder(epoch);
            long start = System.nanoTime();
            while (nextBatch < batchesPerEpoch) {
                if (stop.getAsBoolean()) {
                    epochSeconds += seconds(start);
                    saveCheckpoint();
                    return Outcome.INTERRUPTED;
                }
                step(order, nextBatch);
                nextBatch++;
                if (progress.due()) {                       // formatting the line costs more than the check
                    showProgress(runStart, stepsAtStart, start);
                }
            }
            epochSeconds += seconds(start);
            finishEpoch();
            // As the VampPrior paper's code: patience runs out only after the KL warm-up, during which the
            // validation ELBO (at β = 1) may fall while the model learns to use z.
            boolean patienceOut = config.patience() > 0
                    && epoch - Math.max(bestEpoch, warmupEnd()) >= config.patience();
            boolean stopping = patienceOut || (epoch < config.epochs() && stop.getAsBoolean());
            if (epoch == config.epochs() || stopping || seconds(lastCheckpoint) >= config.checkpointSeconds()) {
                saveCheckpoint();
            }
            if (patienceOut) {
                progress.line(String.format(Locale.ROOT, "early stop: no better validation ELBO for %d epochs after the warm-up "
                        + "(best %.3f at epoch %d)", config.patience(), bestValidElbo, bestEpoch));
                return Outcome.EARLY_STOPPED;
            }
            if (stopping) {
                return Outcome.INTERRUPTED;
            }
        }
        return Outcome.FINISHED;
    }

    /** The progress line: epoch, batch, running loss, KL and β, images/s, and the ETA to {@code --epochs}. */
    private void showProgress(long runStart, int stepsAtStart, long epochStart) {
        double elapsed = epochSeconds + seconds(epochStart);
        int stepsDone = epoch * batchesPerEpoch + nextBatch - stepsAtStart;
        double perStep = seconds(runStart) / stepsDone;
        int stepsLeft = (config.epochs() - epoch) * batchesPerEpoch - nextBatch;
        progress.update(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, config.epochs()),
                nextBatch / (double) batchesPerEpoch, String.format(Locale.ROOT,
                        "%d/%d  loss %.2f  KL %.2f  β %.3f  %.0f img/s  ETA %s", nextBatch, batchesPerEpoch,
                        sums.loss / sums.images, sums.kl / sums.images, sums.beta / sums.images,
                        sums.images / elapsed, Progress.duration(stepsLeft * perStep)));
    }

    /** Epoch {@code e}'s order of the training images: a permutation from its own generator, seeded by (seed, e). */
    private int[] epochOrder(int e) {
        return new Rng(config.seed() ^ (SHUFFLE_STREAM * (e + 1))).permutation(data.train().count());
    }

    /** One optimisation step on batch {@code b} of the permutation {@code order}. */
    void step(int[] order, int b) {
        int from = b * config.batch();
        int n = Math.min(config.batch(), order.length - from);
        double t = epoch + b / (double) batchesPerEpoch;          // fractional epochs: β's clock
        try (Workspace ignored = Workspace.open()) {
            Tensor x = binarizer.batch(data.train(), order, from, n, rng);
            Loss loss = vae.loss(x, objective, rng, t);
            optimizer.zeroGrad();
            loss.value().backward();
            optimizer.step();
            sums.images += n;
            sums.loss += n * loss.value().item();
            sums.bound += n * loss.meanBound();
            sums.reconstruction += n * loss.meanReconstruction();
            sums.kl += n * loss.meanKl();
            sums.beta += n * loss.beta();
        }
    }

    /**
     * Runs {@code steps} training steps of epoch {@code e}'s order from its start (for benchmarks: the
     * exact loop of {@link #train}, without validation or files).
     */
    public void runSteps(int e, int steps) {
        int[] order = epochOrder(e);
        for (int b = 0; b < steps; b++) {
            step(order, b % batchesPerEpoch);
        }
    }

    /** Training steps in one epoch. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Scores the epoch on the validation set, appends its metrics, keeps the best model. */
    private void finishEpoch() throws IOException {
        long start = System.nanoTime();
        Rng validationRng = new Rng(config.seed() ^ (VALIDATION_STREAM * (epoch + 1)));
        Scores.ElboScore valid = Scores.elbo(vae, validationImages, 500, validationRng);
        int active = ActiveUnits.of(vae, validationImages, ActiveUnits.THRESHOLD, 500, validationRng).count();
        double validationSeconds = seconds(start);
        epoch++;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch);
        row.put("train_loss", sums.loss / sums.images);
        row.put("train_bound", sums.bound / sums.images);               // the objective's: ELBO or L_K
        row.put("train_elbo", (sums.reconstruction - sums.kl) / sums.images); // E_q log p(x|z) − KL, either way
        row.put("train_reconstruction", sums.reconstruction / sums.images);
        row.put("train_kl", sums.kl / sums.images);
        row.put("beta", sums.beta / sums.images);
        row.put("valid_elbo", valid.elbo());
        row.put("valid_reconstruction", valid.reconstruction());
        row.put("valid_kl", valid.kl());
        row.put("active_units", active);
        row.put("seconds", epochSeconds);
        row.put("images_per_second", sums.images / epochSeconds);
        row.put("validation_seconds", validationSeconds);
        run.appendMetrics(row);
        boolean improved = valid.elbo() > bestValidElbo;
        if (improved) {
            bestValidElbo = valid.elbo();
            bestEpoch = epoch;
            Checkpoint.save(run.file(RunDirectory.BEST), vae, null, Map.of("epoch", String.valueOf(epoch),
                    "valid_elbo", String.valueOf(valid.elbo()), "config", Overrides.toJson(config)));
        }
        progress.line(String.format(Locale.ROOT, "epoch %4d  train %s %8.3f  valid ELBO %8.3f  (rec %8.3f  KL %6.3f)"
                        + "  β %.3f  AU %d/%d  %5.1f s  %6.0f img/s%s", epoch, boundName(), sums.bound / sums.images,
                valid.elbo(), valid.reconstruction(), valid.kl(), sums.beta / sums.images, active, vae.latentSize(),
                epochSeconds, sums.images / epochSeconds, improved ? "  *" : ""));
        sums.clear();
        epochSeconds = 0;
        nextBatch = 0;
    }

    /** The epoch at which β reaches 1 (0 for a constant or cyclical schedule, and for IWAE). */
    private int warmupEnd() {
        boolean warming = config.objective() == TrainConfig.ObjectiveKind.ELBO
                && (config.beta() == TrainConfig.BetaKind.LINEAR || config.beta() == TrainConfig.BetaKind.SIGMOID);
        return warming ? config.warmupEpochs() : 0;
    }

    private String boundName() {
        return config.objective() == TrainConfig.ObjectiveKind.IWAE ? "L_" + config.k() : "ELBO";
    }

    /** Writes the checkpoint: model, optimizer and where training stands. */
    public void saveCheckpoint() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", Overrides.toJson(config));
        meta.put("epoch", String.valueOf(epoch));
        meta.put("batch", String.valueOf(nextBatch));
        meta.put("rng", Checkpoint.rngState(rng));
        meta.put("sums", bitsOf(sums.toArray()));   // exact, and NaN or ∞ (a diverged run) survive too
        meta.put("epoch_seconds", String.valueOf(epochSeconds));
        meta.put("best_valid_elbo", String.valueOf(bestValidElbo));
        meta.put("best_epoch", String.valueOf(bestEpoch));
        Checkpoint.save(run.file(RunDirectory.CHECKPOINT), vae, optimizer, meta);
        lastCheckpoint = System.nanoTime();
    }

    /** The best validation ELBO so far and its epoch. */
    public double bestValidElbo() {
        return bestValidElbo;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    /** The batch in progress, or 0 between epochs. */
    public int nextBatch() {
        return nextBatch;
    }

    /** The doubles' bit patterns as comma-separated 16-digit hex words. */
    private static String bitsOf(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? "," : "").append(String.format("%016x", Double.doubleToRawLongBits(values[i])));
        }
        return sb.toString();
    }

    private static double[] doublesOf(String bits) throws IOException {
        String[] words = bits.split(",", -1);
        if (words.length != 6) {
            throw new IOException("checkpoint metadata 'sums' is not 6 hex words: " + bits);
        }
        double[] a = new double[words.length];
        for (int i = 0; i < a.length; i++) {
            try {
                a[i] = Double.longBitsToDouble(Long.parseUnsignedLong(words[i], 16));
            } catch (NumberFormatException e) {
                throw new IOException("checkpoint metadata 'sums' is not 6 hex words: " + bits, e);
            }
        }
        return a;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
