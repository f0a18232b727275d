package elbo.models.cli;

import elbo.core.Rng;
import elbo.models.config.Overrides;
import elbo.models.train.RunDirectory;
import elbo.models.train.RunFigures;
import elbo.models.train.TrainedRun;
import elbo.nn.io.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code ./elbo sample --run=DIR --n=64}: a PNG grid of {@code E[x|z]}, {@code z ~ p(z)}, from a run's model. */
final class SampleCommand {
    private SampleCommand() {
    }

    /**
     * @param run     the run directory (required)
     * @param n       samples
     * @param weights best or last
     * @param seed    seeds the draws
     * @param name    the PNG's file name in the run directory
     */
    record SampleConfig(String run, int n, TrainedRun.Weights weights, long seed, String name) {
        SampleConfig {
            if (n < 1 || n > 10_000) {
                throw new IllegalArgumentException("--n must be in [1, 10000], got " + n);
            }
            if (!name.endsWith(".png") || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("--name=" + name + ": expected a file name ending in .png");
            }
        }

        static SampleConfig defaults() {
            return new SampleConfig("", 64, TrainedRun.Weights.BEST, 1L, "samples.png");
        }
    }

    static void run(List<String> args) throws Exception {
        SampleConfig config = Overrides.apply(SampleConfig.defaults(), args);
        RunDirectory.existing(config.run(), "--run");   // a missing or bad --run is an option error: say it first
        System.out.print(Overrides.describe(config));
        TrainedRun trained = TrainedRun.load(Path.of(config.run()), "--run", config.weights());
        RunFigures.samples(trained.run(), trained.vae(), trained.config(), config.n(), new Rng(config.seed()),
                config.name());
        trained.run().updateSummary(Map.of("sample_config", Json.parse(Overrides.toJson(config))));
        System.out.println("wrote " + trained.run().file(config.name()));
    }
}
