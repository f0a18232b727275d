package elbo.models.cli;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.kernels.Parallel;
import elbo.models.config.Overrides;
import elbo.models.data.DataSets;
import elbo.models.data.Dataset;
import elbo.models.data.Download;
import elbo.models.train.Binarizer;
import elbo.models.train.Progress;
import elbo.models.train.RunDirectory;
import elbo.models.train.Scores;
import elbo.models.train.TrainConfig;
import elbo.models.train.TrainedRun;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.ActiveUnits;
import elbo.models.vae.eval.ElboSurgery;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.nn.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./elbo eval --run=DIR}: the test log-likelihood of a trained model by importance sampling with
 * {@code K} draws per image (streamed: memory does not grow with K), its standard error, the bound ladder
 * {@code L_1 ≤ L_2 ≤ … ≤ L_K} from the same draws, the test ELBO, active units and ELBO surgery; printed
 * and merged into the run's {@code summary.json}.
 */
final class EvalCommand {
    private EvalCommand() {
    }

    /**
     * @param run      the run directory (required)
     * @param k        importance samples per image (5000, the IWAE and VampPrior papers')
     * @param n        the first n test images (0: all)
     * @param weights  best (the best validation ELBO) or last (the checkpoint)
     * @param batch    images per pass
     * @param chunk    draws per image per pass
     * @param seed     seeds the draws
     * @param threads  compute threads (0: all cores)
     * @param dataDir  where the data set lives (empty: the run's, then $ELBO_DATA, ./data)
     * @param download fetch a missing data set
     */
    record EvalConfig(String run, int k, int n, TrainedRun.Weights weights, int batch, int chunk, long seed, int threads,
                  String dataDir, boolean download) {
        EvalConfig {
            atLeast("k", k, 1);
            atLeast("n", n, 0);
            atLeast("batch", batch, 1);
            atLeast("chunk", chunk, 1);
            atLeast("threads", threads, 0);
        }

        static EvalConfig defaults() {
            return new EvalConfig("", 5000, 0, TrainedRun.Weights.BEST, 100, 500, 1L, 0, "", true);
        }
    }

    static void run(List<String> args) throws Exception {
        EvalConfig config = Overrides.apply(EvalConfig.defaults(), args);
        RunDirectory.existing(config.run(), "--run");   // a missing or bad --run is an option error: say it first
        System.out.print(Overrides.describe(config));
        TrainedRun trained = TrainedRun.load(Path.of(config.run()), "--run", config.weights());
        TrainConfig train = trained.config();
        Parallel.setThreads(config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads());
        System.out.printf(Locale.ROOT, "model: %s (epoch %s), %s prior, %s posterior, %s decoder, trained with %s%n",
                trained.file().getFileName(), trained.metadata().getOrDefault("epoch", "?"), train.prior(),
                train.posterior(), train.decoder(), trained.config().objectiveFunction());

        Path dataDir = DataSets.resolveDirectory(config.dataDir().isEmpty() ? train.dataDir() : config.dataDir());
        Dataset data = DataSets.load(train.data(), dataDir, train.validation(),
                config.download() ? train.downloads(System.out) : Download.none());
        Tensor test = new Binarizer(train.binarize(), data.binary()).fixed(data.test());
        int n = config.n() == 0 ? test.dim(0) : Math.min(config.n(), test.dim(0));
        test = test.narrow(0, 0, n);
        Vae vae = trained.vae();
        Rng rng = new Rng(config.seed());

        Scores.ElboScore elbo = Scores.elbo(vae, test, 500, rng);
        System.out.printf(Locale.ROOT, "test ELBO over %d images: %.3f ± %.3f nats (one draw per image; L_1 below is"
                + " the same bound from other draws)%n", n, elbo.elbo(), elbo.elboSe());

        Progress progress = Progress.console();
        long start = System.nanoTime();
        int[] ladder = ImportanceSampling.ladder(config.k());
        ImportanceSampling.Result is = ImportanceSampling.estimate(vae, test, config.k(), ladder, config.batch(),
                config.chunk(), rng, done -> {
                    double s = (System.nanoTime() - start) / 1e9;
                    progress.update("log p(x), K=" + config.k(), done / (double) n, String.format(Locale.ROOT,
                            "%d/%d images  %.1f img/s  ETA %s", done, n, done / s,
                            Progress.duration(s / done * (n - done))));
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.line(String.format(Locale.ROOT, "test NLL (K=%d): %.3f ± %.3f nats  (%.1f s, %.1f images/s)",
                config.k(), -is.mean(), is.standardError(), seconds, n / seconds));
        for (int i = 0; i < is.ladderK().length; i++) {
            System.out.printf(Locale.ROOT, "  L_%-5d = %9.3f ± %.3f%n", is.ladderK()[i], is.ladder()[i], is.ladderSe()[i]);
        }
        ActiveUnits.Result active = ActiveUnits.of(vae, test, ActiveUnits.THRESHOLD, 500, rng);
        ElboSurgery.Result surgery = ElboSurgery.of(vae, test, 500, rng);
        System.out.printf(Locale.ROOT, "active units: %d of %d (Cov_x E[z|x] > %.2f)%n", active.count(),
                vae.latentSize(), active.threshold());
        System.out.printf(Locale.ROOT, "ELBO surgery: average KL %.3f ± %.3f = marginal KL %.3f ± %.3f + mutual "
                        + "information %.3f ± %.3f  (log N = %.3f)%n", surgery.averageKl(), surgery.averageKlSe(),
                surgery.marginalKl(), surgery.marginalKlSe(), surgery.mutualInformation(),
                surgery.mutualInformationSe(), surgery.logN());
        System.out.printf(Locale.ROOT, "check (Monte Carlo, within a few SE): test NLL %.3f ≤ −ELBO %.3f: %s%n",
                -is.mean(), -elbo.elbo(),
                -is.mean() <= -elbo.elbo() ? "yes" : "NO");

        List<Object> rungs = new ArrayList<>();
        for (int i = 0; i < is.ladderK().length; i++) {
            Map<String, Object> rung = new LinkedHashMap<>();
            rung.put("k", is.ladderK()[i]);
            rung.put("bound", is.ladder()[i]);
            rung.put("se", is.ladderSe()[i]);
            rungs.add(rung);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("eval_config", Json.parse(Overrides.toJson(config)));
        summary.put("test_images", n);
        summary.put("test_weights", trained.file().getFileName().toString());
        summary.put("test_elbo", elbo.elbo());
        summary.put("test_elbo_se", elbo.elboSe());
        summary.put("test_nll", -is.mean());
        summary.put("test_nll_se", is.standardError());
        summary.put("test_nll_k", config.k());
        summary.put("ladder", rungs);
        summary.put("active_units", active.count());
        summary.put("kl", surgery.averageKl());
        summary.put("kl_se", surgery.averageKlSe());
        summary.put("marginal_kl", surgery.marginalKl());
        summary.put("marginal_kl_se", surgery.marginalKlSe());
        summary.put("mutual_information", surgery.mutualInformation());
        summary.put("mutual_information_se", surgery.mutualInformationSe());
        summary.put("log_n", surgery.logN());
        summary.put("eval_seconds", seconds);
        summary.put("eval_images_per_second", n / seconds);
        trained.run().updateSummary(summary);
        System.out.println("wrote " + trained.run().file(RunDirectory.SUMMARY));
    }


    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("--" + option + " must be at least " + min + ", got " + value);
        }
    }
}
