package elbo.models.train;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.models.config.Overrides;
import elbo.models.vae.Vae;
import elbo.nn.io.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trained model read back from its run directory: the configuration from {@code config.json}, the
 * weights from {@code best.safetensors} (the best validation ELBO, the paper's protocol) or
 * {@code checkpoint.safetensors} (the last state).
 *
 * @param run      the run directory
 * @param config   its training configuration
 * @param vae      the model, weights loaded
 * @param file     the weights file read
 * @param metadata that file's metadata (e.g. {@code epoch})
 */
public record TrainedRun(RunDirectory run, TrainConfig config, Vae vae, Path file, Map<String, String> metadata) {

    /** Which weights to load. */
    public enum Weights { BEST, LAST;
        @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); } }

    /**
     * @throws elbo.models.config.OptionException if the directory holds no run (naming {@code option})
     * @throws IOException              if a file is missing, unreadable, or does not fit the configuration
     */
    public static TrainedRun load(Path dir, String option, Weights weights) throws IOException {
        RunDirectory run = RunDirectory.existing(dir, option);
        TrainConfig config = Overrides.fromMap(TrainConfig.defaults(), run.readJson(RunDirectory.CONFIG), List.of());
        int[] shape = config.imageShape();
        Vae vae = config.vae(shape[0], shape[1]).build(DType.FLOAT32, new Rng(config.seed()), null);
        Path file = run.file(weights == Weights.BEST ? RunDirectory.BEST : RunDirectory.CHECKPOINT);
        if (weights == Weights.BEST && !Files.exists(file)) {
            file = run.file(RunDirectory.CHECKPOINT);     // interrupted before its first epoch ended
        }
        if (!Files.exists(file)) {
            throw new IOException(dir + ": no weights yet (neither " + RunDirectory.BEST + " nor "
                    + RunDirectory.CHECKPOINT + ")");
        }
        Map<String, String> metadata = Checkpoint.load(file, vae, null);
        return new TrainedRun(run, config, vae, file, metadata);
    }
}
