package elbo.models.cli;

import elbo.models.config.OptionException;
import elbo.models.config.Overrides;
import elbo.models.data.DataSets;
import elbo.models.data.Dataset;
import elbo.models.train.Progress;
import elbo.models.train.RunDirectory;
import elbo.models.train.RunFigures;
import elbo.models.train.TrainConfig;
import elbo.models.train.Trainer;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./elbo train}: resolve the configuration, load the data, train with {@link Trainer}, write the
 * run directory. Everything that can be wrong with the arguments is found before anything is written.
 */
final class TrainCommand {
    private TrainCommand() {
    }

    static void run(List<String> args) throws Exception {
        TrainConfig config = Overrides.apply(TrainConfig.defaults(), args);
        RunDirectory run;
        if (config.resume()) {
            if (config.out().isEmpty()) {
                throw new OptionException("--resume needs --out=DIR, the run to continue");
            }
            run = RunDirectory.existing(Path.of(config.out()), "--out");
            config = resumed(run, args);
        } else {
            Path out = config.out().isEmpty() ? freshDirectory(config.runName()) : Path.of(config.out());
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new OptionException("--out=" + out + " is a file, not a directory");
            }
            run = RunDirectory.at(out);
            if (run.isNonEmpty()) {
                throw new OptionException("--out=" + out + " already holds files; continue that run with --resume, "
                        + "or choose another --out");
            }
        }
        System.out.print(Overrides.describe(config));
        System.out.println("run directory: " + run.path());

        Path dataDir = DataSets.resolveDirectory(config.dataDir());
        Dataset data = DataSets.load(config.data(), dataDir, config.validation(),
                config.downloads(System.out));
        System.out.printf(Locale.ROOT, "data: %s (%s): %d train, %d validation, %d test images of %dx%d%n",
                data.name(), data.source(), data.train().count(), data.validation().count(), data.test().count(),
                data.train().height(), data.train().width());

        // Ctrl-C (or SIGTERM) runs this hook while the training thread goes on: the hook asks the loop to stop
        // between two steps, then holds the JVM open (up to 120 s) until the loop has written the checkpoint and
        // counted down `stopped` (in the finally below). A second Ctrl-C does not cut that short.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "elbo-train-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.create();
            // config.json holds the run's settings, a resumed run's new --epochs etc. included
            RunDirectory.writeAtomically(run.file(RunDirectory.CONFIG),
                    (Overrides.toJson(Overrides.apply(config, List.of("--resume=false"))) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
            Progress progress = Progress.console();
            Trainer trainer = new Trainer(config, data, run, progress);
            System.out.printf(Locale.ROOT, "model: %,d parameters; objective %s%n", trainer.model().parameterCount(),
                    config.objectiveFunction());
            if (config.resume()) {
                trainer.resume();
                System.out.printf(Locale.ROOT, "resuming after epoch %d, batch %d%n", trainer.epoch(),
                        trainer.nextBatch());
                if (trainer.epoch() >= config.epochs()) {
                    System.out.printf(Locale.ROOT, "note: %d epochs are done already; --epochs=%d trains no more%n",
                            trainer.epoch(), config.epochs());
                }
            } else {
                trainer.saveCheckpoint();   // epoch 0: from here on, --resume always has a checkpoint to read
            }
            Trainer.Outcome outcome = trainer.train(stop::get);
            if (outcome == Trainer.Outcome.INTERRUPTED) {
                progress.line(String.format(Locale.ROOT, "interrupted: %s holds epoch %d, batch %d; continue with"
                        + "  ./elbo train --resume --out=%s", RunDirectory.CHECKPOINT, trainer.epoch(),
                        trainer.nextBatch(), run.path()));
                RunFigures.curves(run);
                return;
            }
            writeSummary(run, trainer, outcome);
            RunFigures.writeAll(run, trainer.model(), config, data, trainer.binarizer());
            System.out.println("wrote " + run.path() + ": " + String.join(", ", listing(run)));
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (Ctrl-C): the hook is running and sees `stopped`
            }
        }
    }

    /** The saved configuration with the allowed overrides of a resumed run applied. */
    private static TrainConfig resumed(RunDirectory run, List<String> args) throws IOException {
        if (!Files.exists(run.file(RunDirectory.CHECKPOINT))) {
            throw new OptionException("--out=" + run.path() + ": no " + RunDirectory.CHECKPOINT + " to resume from");
        }
        Map<String, Object> saved = run.readJson(RunDirectory.CONFIG);
        TrainConfig original = Overrides.fromMap(TrainConfig.defaults(), saved, List.of());
        TrainConfig config = Overrides.fromMap(TrainConfig.defaults(), saved, args);
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            try {
                Object before = c.getAccessor().invoke(original);
                Object after = c.getAccessor().invoke(config);
                if (!TrainConfig.RESUMABLE.contains(c.getName()) && !before.equals(after)) {
                    throw new OptionException("--" + Overrides.kebab(c.getName()) + "=" + after
                            + ": a resumed run keeps its setting (" + before + "); only --epochs, --patience, "
                            + "--threads, --checkpoint-seconds, --data-dir, --download and --mirrors may change");
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return config;
    }

    /** {@code runs/<name>}, or {@code runs/<name>-2}, {@code -3}, ... if taken. */
    private static Path freshDirectory(String name) throws IOException {
        Path base = Path.of("runs", name);
        Path candidate = base;
        for (int i = 2; RunDirectory.at(candidate).isNonEmpty(); i++) {
            candidate = Path.of("runs", name + "-" + i);
        }
        return candidate;
    }

    private static void writeSummary(RunDirectory run, Trainer trainer, Trainer.Outcome outcome) throws IOException {
        List<Map<String, Object>> metrics = run.readMetrics();
        Map<String, Object> last = metrics.get(metrics.size() - 1);
        List<Double> seconds = new ArrayList<>();
        for (Map<String, Object> row : metrics) {
            seconds.add(((Number) row.get("seconds")).doubleValue());
        }
        seconds.sort(null);
        int m = seconds.size();
        double median = m % 2 == 1 ? seconds.get(m / 2) : (seconds.get(m / 2 - 1) + seconds.get(m / 2)) / 2;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
        summary.put("epochs", metrics.size());
        summary.put("best_epoch", trainer.bestEpoch());
        summary.put("best_valid_elbo", trainer.bestValidElbo());
        summary.put("final_train_bound", last.get("train_bound"));
        summary.put("final_valid_elbo", last.get("valid_elbo"));
        summary.put("final_valid_kl", last.get("valid_kl"));
        summary.put("final_active_units", last.get("active_units"));
        summary.put("epoch_seconds_median", median);
        summary.put("parameters", trainer.model().parameterCount());
        summary.put("cpu", Main.cpuName());
        summary.put("java", System.getProperty("java.version"));
        run.writeJson(RunDirectory.SUMMARY, summary);   // a new summary: eval figures of older weights go
    }

    private static List<String> listing(RunDirectory run) throws IOException {
        try (var files = Files.list(run.path())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
