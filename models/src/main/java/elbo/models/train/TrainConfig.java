package elbo.models.train;

import elbo.models.data.DataSets;
import elbo.models.data.Download;
import elbo.models.vae.Networks;
import elbo.models.vae.VaeConfig;
import elbo.models.vae.objective.BetaSchedule;
import elbo.models.vae.objective.DoublyReparameterised;
import elbo.models.vae.objective.Elbo;
import elbo.models.vae.objective.Estimator;
import elbo.models.vae.objective.FreeBits;
import elbo.models.vae.objective.Iwae;
import elbo.models.vae.objective.Objective;
import elbo.models.vae.objective.Reparameterised;
import elbo.models.vae.objective.StickingTheLanding;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

/**
 * Everything {@code ./elbo train} needs, one {@code --key=value} per component (kebab-case on the command
 * line: {@code warmupEpochs} is {@code --warmup-epochs}). Defaults ({@link #defaults()}) are those of the
 * VampPrior paper (Tomczak &amp; Welling 2018) where it states them: D = 40, two gated layers of 300,
 * Adam at 5·10⁻⁴, batch 100, KL warm-up over 100 epochs, up to 2000 epochs with early stopping after 50
 * without improvement on the validation ELBO, 500 pseudo-inputs; the data set defaults to the embedded
 * digits so that the command runs anywhere.
 *
 * @param data              digits (embedded), mnist, binarized-mnist or fashion-mnist
 * @param dataDir           where data sets live; empty: {@code $ELBO_DATA}, then {@code ./data}
 * @param download          fetch a missing data set: from {@code mirrors}, then its official locations
 * @param mirrors           base URLs laid out as the data directory, tried first (comma-separated; may be empty)
 * @param binarize          dynamic (a fresh Bernoulli draw per image and epoch) or threshold (at half
 *                          intensity; digits at 8 of 16); the static binarized MNIST is used as published
 * @param validation        validation images taken from the end of an IDX training set (mnist,
 *                          fashion-mnist; digits and binarized-mnist have fixed published splits)
 * @param prior             standard, mog, vamp, realnvp, maf or iaf
 * @param components        mixture components or VampPrior pseudo-inputs
 * @param posterior         gaussian or iaf
 * @param iafSteps          IAF steps of an iaf posterior
 * @param decoder           mlp (factorised Bernoulli) or pixelcnn (autoregressive)
 * @param decoderLayers     masked convolutions of a pixelcnn decoder
 * @param objective         elbo (β-ELBO with {@code k} Monte Carlo draws) or iwae ({@code L_k})
 * @param k                 draws per image
 * @param estimator         gradient estimator: reparam, stl or dreg
 * @param beta              KL weight schedule of the ELBO: constant, linear (warm-up), sigmoid, cyclical
 * @param betaValue         β of the constant schedule (1 is the ELBO; β-VAE otherwise)
 * @param warmupEpochs      epochs of the linear warm-up; the sigmoid's rise is centred at half of it; the
 *                          cyclical schedule's period
 * @param freeBits          λ, nats per group of free bits (0: none)
 * @param freeBitsGroup     latent dimensions per free-bits group (1: per dimension; 0: one group)
 * @param latent            latent size D
 * @param hidden            hidden width of the encoder and decoder
 * @param hiddenLayers      hidden layers of each
 * @param net               gated, tanh or relu
 * @param epochs            training epochs (at most)
 * @param patience          stop after this many epochs without a better validation ELBO (0: never)
 * @param batch             images per step
 * @param lr                Adam's learning rate
 * @param seed              seeds initialisation, shuffling, binarisation and the objective's noise
 * @param threads           compute threads (0: all cores); results do not depend on it
 * @param checkpointSeconds write the checkpoint after an epoch when this long has passed since the last
 *                          one (always after the last epoch and on Ctrl-C)
 * @param out               the run directory; empty: {@code runs/<data>-<objective>-<prior>[-n]}
 * @param resume            continue the run in {@code out} from its checkpoint
 */
public record TrainConfig(String data, String dataDir, boolean download, String mirrors, Binarization binarize, int validation,
                          VaeConfig.PriorKind prior, int components, VaeConfig.PosteriorKind posterior, int iafSteps,
                          VaeConfig.DecoderKind decoder, int decoderLayers, ObjectiveKind objective, int k,
                          EstimatorKind estimator, BetaKind beta, double betaValue, int warmupEpochs, double freeBits,
                          int freeBitsGroup, int latent, int hidden, int hiddenLayers, Networks.Net net, int epochs,
                          int patience, int batch, double lr, long seed, int threads, int checkpointSeconds,
                          String out, boolean resume) {

    /** How grey levels become binary pixels. */
    public enum Binarization { DYNAMIC, THRESHOLD;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The training objective. */
    public enum ObjectiveKind { ELBO, IWAE;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The gradient estimator. */
    public enum EstimatorKind { REPARAM, STL, DREG;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The β schedule. */
    public enum BetaKind { CONSTANT, LINEAR, SIGMOID, CYCLICAL;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /** The settings {@code --resume} may change: they do not alter what the run computes. */
    public static final Set<String> RESUMABLE = Set.of("epochs", "patience", "threads", "checkpointSeconds",
            "dataDir", "download", "mirrors", "out", "resume");

    /**
     * @throws IllegalArgumentException naming the first option out of range, in command-line spelling
     */
    public TrainConfig {
        if (!DataSets.NAMES.contains(data)) {
            throw new IllegalArgumentException("--data=" + data + ": expected one of " + DataSets.NAMES);
        }
        try {
            Download.parseMirrors(mirrors);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mirrors=" + mirrors + ": " + e.getMessage(), e);
        }
        atLeast("validation", validation, 1);
        atLeast("components", components, 1);
        atLeast("iaf-steps", iafSteps, 1);
        atLeast("decoder-layers", decoderLayers, 0);
        atLeast("k", k, 1);
        if (!(betaValue >= 0) || Double.isInfinite(betaValue)) {
            throw new IllegalArgumentException("--beta-value must be finite and >= 0, got " + betaValue);
        }
        atLeast("warmup-epochs", warmupEpochs, 1);
        if (!(freeBits >= 0) || Double.isInfinite(freeBits)) {
            throw new IllegalArgumentException("--free-bits must be finite and >= 0 (nats), got " + freeBits);
        }
        atLeast("free-bits-group", freeBitsGroup, 0);
        if (freeBitsGroup > 0 && latent % freeBitsGroup != 0) {
            throw new IllegalArgumentException("--free-bits-group=" + freeBitsGroup + " must divide --latent="
                    + latent);
        }
        if (freeBits > 0 && freeBitsGroup > 0 && (prior != VaeConfig.PriorKind.STANDARD
                || posterior != VaeConfig.PosteriorKind.GAUSSIAN)) {
            throw new IllegalArgumentException("--free-bits per group of dimensions needs the KL per dimension: "
                    + "--prior=standard and --posterior=gaussian; use --free-bits-group=0 (one group) with --prior="
                    + prior + " --posterior=" + posterior);
        }
        if (freeBits > 0 && freeBitsGroup > 0 && estimator == EstimatorKind.STL) {
            throw new IllegalArgumentException("--estimator=stl takes the KL from the draws, but --free-bits per "
                    + "group needs the analytic KL per dimension; use --free-bits-group=0");
        }
        if (freeBits > 0 && objective == ObjectiveKind.IWAE) {
            throw new IllegalArgumentException("--free-bits applies to --objective=elbo, not iwae");
        }
        atLeast("latent", latent, 1);
        atLeast("hidden", hidden, 1);
        atLeast("hidden-layers", hiddenLayers, 0);
        atLeast("epochs", epochs, 1);
        atLeast("patience", patience, 0);
        atLeast("batch", batch, 1);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        atLeast("threads", threads, 0);
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > 4 * cores) {
            throw new IllegalArgumentException("--threads=" + threads + ": this machine has " + cores
                    + " cores; use at most " + 4 * cores + " (0: one per core)");
        }
        if ((data.equals("mnist") || data.equals("fashion-mnist")) && validation >= 60_000) {
            throw new IllegalArgumentException("--validation=" + validation + " leaves no training images of "
                    + data + "'s 60000");
        }
        atLeast("checkpoint-seconds", checkpointSeconds, 0);
    }

    /** How a missing data set is fetched: {@code mirrors}, then the official locations; nothing if not {@code download}. */
    public Download downloads(PrintStream progress) {
        return download ? new Download(Download.parseMirrors(mirrors), true, Download.DEFAULT_TIMEOUT, progress)
                : Download.none();
    }

    /** The paper's defaults on the embedded digits (see the class comment). */
    public static TrainConfig defaults() {
        return new TrainConfig(
                "digits", "", true, "",     // data set, data directory (empty: $ELBO_DATA, ./data), download, mirrors
                Binarization.DYNAMIC,       // fresh binarisation every epoch (IWAE and VampPrior papers)
                10_000,                     // validation images (IDX sets: the last of the training set)
                VaeConfig.PriorKind.STANDARD, 500,   // prior; mixture components / pseudo-inputs
                VaeConfig.PosteriorKind.GAUSSIAN, 2, // posterior; IAF steps
                VaeConfig.DecoderKind.MLP, 3,        // decoder; PixelCNN masked layers
                ObjectiveKind.ELBO, 1,      // objective; draws per image (K)
                EstimatorKind.REPARAM,      // gradient estimator
                BetaKind.LINEAR, 1.0, 100,  // KL warm-up from 0 to 1 over 100 epochs; β of the constant schedule
                0.0, 1,                     // free bits: λ (nats), dimensions per group
                40, 300, 2, Networks.Net.GATED,      // latent D; MLP width, hidden layers, kind
                2000, 50,                   // epochs at most; early-stopping patience
                100, 5e-4, 1L,              // batch, Adam learning rate, seed
                0, 30,                      // threads (0: all cores); seconds between checkpoints
                "", false);                 // run directory (empty: runs/<data>-<objective>-<prior>); resume
    }

    /** {@code {height, width}} of the data set's images: 8 × 8 digits, 28 × 28 for the MNIST family. */
    public int[] imageShape() {
        return data.equals("digits") ? new int[] {8, 8} : new int[] {28, 28};
    }

    /** The architecture for images of {@code height × width}. */
    public VaeConfig vae(int height, int width) {
        VaeConfig d = VaeConfig.mnist();
        return new VaeConfig(height, width, latent, hidden, hiddenLayers, net, posterior, iafSteps, decoder,
                decoderLayers, d.pixelChannels(), d.pixelKernel(), prior, components, d.flowLayers(), d.flowHidden());
    }

    /** The objective this configuration trains. */
    public Objective objectiveFunction() {
        Estimator e = switch (estimator) {
            case REPARAM -> new Reparameterised();
            case STL -> new StickingTheLanding();
            case DREG -> new DoublyReparameterised();
        };
        if (objective == ObjectiveKind.IWAE) {
            return new Iwae(k, e);
        }
        BetaSchedule schedule = switch (beta) {
            case CONSTANT -> new BetaSchedule.Constant(betaValue);
            case LINEAR -> new BetaSchedule.LinearWarmup(warmupEpochs);
            case SIGMOID -> new BetaSchedule.Sigmoid(warmupEpochs / 2.0, warmupEpochs / 10.0);
            case CYCLICAL -> new BetaSchedule.Cyclical(warmupEpochs, 0.5);
        };
        return new Elbo(k, schedule, freeBits == 0 ? FreeBits.NONE : new FreeBits(freeBits, freeBitsGroup), e);
    }

    /** {@code runs/<data>-<objective>[k]-<prior>}: the default run directory's stem. */
    public String runName() {
        return data + "-" + objective + (k > 1 ? String.valueOf(k) : "") + "-" + prior;
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("--" + option + " must be at least " + min + ", got " + value);
        }
    }
}
