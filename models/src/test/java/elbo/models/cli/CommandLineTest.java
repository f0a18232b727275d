package elbo.models.cli;

import elbo.models.train.RunDirectory;
import elbo.nn.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./elbo train | eval | sample} end to end: bad options end with one line naming the option, exit
 * status 2 and nothing written (checked in a separate JVM, as a user runs it); a small run writes every
 * file of the run directory with its keys, and eval and sample read it back.
 */
class CommandLineTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "train | --k=0                  | --k",
            "train | --lr=-1                | --lr",
            "train | --lr=0                 | --lr",
            "train | --hidden=-3            | --hidden",
            "train | --batch=0              | --batch",
            "train | --prior=gaussian       | --prior",
            "train | --data=cifar           | --data",
            "train | --epochs=ten           | --epochs",
            "train | --bogus=1              | --bogus",
            "train | --free-bits=-0.5       | --free-bits",
            "train | --free-bits-group=3    | --free-bits-group",
            "train | --resume               | --resume",
            "eval  | --k=0                  | --k",
            "eval  | --run=nowhere          | --run",
            "sample| --n=0                  | --n",
    })
    void badOptionsExitWithStatus2OneLineAndWriteNothing(String command, String option, String named,
                                                         @TempDir Path cwd) throws Exception {
        Path out = cwd.resolve("out");
        List<String> args = new ArrayList<>(List.of(command, option));
        if (command.equals("train") && !option.startsWith("--resume")) {
            args.add("--out=" + out);
        } else if (!option.startsWith("--run") && !command.equals("train")) {
            args.add("--run=" + out);
        }
        Result r = runMain(cwd, args);
        assertEquals(2, r.status, r.stderr);
        List<String> lines = r.stderr.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + r.stderr);
        assertTrue(lines.get(0).contains(named), lines.get(0));
        try (var files = Files.list(cwd)) {
            assertEquals(List.of(), files.toList(), "nothing written");
        }
    }

    @Test
    void trainWritesTheRunDirectoryThatEvalAndSampleRead(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        TrainCommand.run(List.of("--out=" + out, "--epochs=3", "--latent=2", "--hidden=32", "--prior=vamp",
                "--components=16", "--warmup-epochs=2", "--checkpoint-seconds=0"));
        RunDirectory run = RunDirectory.at(out);
        for (String file : List.of("config.json", "metrics.jsonl", "summary.json", "checkpoint.safetensors",
                "best.safetensors", "samples.png", "reconstructions.png", "curves.png", "pseudo_inputs.png",
                "latent.png")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        Map<String, Object> config = run.readJson("config.json");
        assertEquals("vamp", config.get("prior"));
        assertEquals(2L, config.get("latent"));
        assertTrue(config.containsKey("warmup-epochs"));
        List<Map<String, Object>> metrics = run.readMetrics();
        assertEquals(3, metrics.size());
        for (String key : List.of("epoch", "train_bound", "train_elbo", "train_reconstruction", "train_kl", "beta", "valid_elbo",
                "valid_reconstruction", "valid_kl", "active_units", "seconds")) {
            assertTrue(metrics.get(2).containsKey(key), key);
        }
        assertEquals(1.0, ((Number) metrics.get(2).get("beta")).doubleValue(), 0.2); // warm-up of 2 epochs
        Map<String, Object> summary = run.readJson("summary.json");
        for (String key : List.of("epochs", "best_valid_elbo", "epoch_seconds_median")) {
            assertTrue(summary.containsKey(key), key);
        }
        Safetensors.Contents checkpoint = Safetensors.read(out.resolve("checkpoint.safetensors"));
        assertTrue(checkpoint.tensors().keySet().stream().anyMatch(k -> k.startsWith("model.prior.")));
        assertTrue(checkpoint.tensors().keySet().stream().anyMatch(k -> k.startsWith("optim.")));
        assertEquals("3", checkpoint.metadata().get("epoch"));
        for (String png : List.of("samples.png", "reconstructions.png", "curves.png", "pseudo_inputs.png",
                "latent.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(image, png);
            assertTrue(image.getWidth() > 64 && image.getHeight() > 64, png);
        }

        EvalCommand.run(List.of("--run=" + out, "--k=20", "--n=40"));
        summary = run.readJson("summary.json");
        for (String key : List.of("test_nll", "test_nll_se", "test_nll_k", "ladder", "active_units", "kl",
                "marginal_kl", "mutual_information", "epoch_seconds_median", "test_elbo", "eval_config")) {
            assertTrue(summary.containsKey(key), key);
        }
        double nll = ((Number) summary.get("test_nll")).doubleValue();
        double elbo = ((Number) summary.get("test_elbo")).doubleValue();
        assertTrue(nll > 0 && nll < -elbo + 3, "NLL " + nll + " vs -ELBO " + -elbo);
        List<?> ladder = (List<?>) summary.get("ladder");
        assertEquals(20L, ((Map<?, ?>) ladder.get(ladder.size() - 1)).get("k"));
        assertTrue(((Number) summary.get("mutual_information")).doubleValue() >= 0);

        Files.delete(out.resolve("samples.png"));
        SampleCommand.run(List.of("--run=" + out, "--n=9"));
        assertNotNull(ImageIO.read(out.resolve("samples.png").toFile()));
        assertTrue(run.readJson("summary.json").containsKey("sample_config"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "--prior=mog --components=5",
            "--prior=realnvp",
            "--prior=maf",
            "--prior=iaf",
            "--posterior=iaf",
            "--decoder=pixelcnn --decoder-layers=2",
            "--objective=iwae --k=4 --estimator=stl",
            "--objective=iwae --k=3 --estimator=dreg --prior=vamp --components=8",
            "--beta=cyclical --free-bits=0.1",
            "--beta=sigmoid --free-bits=0.5 --free-bits-group=0 --prior=vamp --components=8",
            "--beta=constant --beta-value=4 --net=relu",
            "--net=tanh --binarize=threshold --k=2",
    })
    void everyChoiceOnTheCommandLineTrains(String options, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("--out=" + out, "--epochs=2", "--latent=4", "--hidden=16"));
        args.addAll(List.of(options.split(" ")));
        TrainCommand.run(args);
        List<Map<String, Object>> metrics = RunDirectory.at(out).readMetrics();
        assertEquals(2, metrics.size());
        for (Map<String, Object> row : metrics) {
            double elbo = ((Number) row.get("valid_elbo")).doubleValue();
            assertTrue(elbo < 0 && elbo > -200, options + ": validation ELBO " + elbo);
        }
        assertTrue(Files.isRegularFile(out.resolve("samples.png")));
    }

    @Test
    void aRunDirectoryIsNotOverwrittenWithoutResume(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        Result r = runMain(dir, List.of("train", "--out=" + out, "--epochs=1"));
        assertEquals(2, r.status, r.stderr);
        assertTrue(r.stderr.contains("--resume"), r.stderr);
        try (var files = Files.list(out)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void resumeRefusesToChangeWhatTheRunComputes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        TrainCommand.run(List.of("--out=" + out, "--epochs=1", "--latent=2", "--hidden=16"));
        Result r = runMain(dir, List.of("train", "--resume", "--out=" + out, "--prior=mog", "--epochs=2"));
        assertEquals(2, r.status, r.stderr);
        assertTrue(r.stderr.contains("--prior"), r.stderr);
        assertEquals(1, RunDirectory.at(out).readMetrics().size());
        TrainCommand.run(List.of("--resume", "--out=" + out, "--epochs=2"));
        assertEquals(2, RunDirectory.at(out).readMetrics().size());
        assertEquals(2L, RunDirectory.at(out).readJson("config.json").get("epochs"), "config.json keeps --epochs");
        assertEquals(false, RunDirectory.at(out).readJson("config.json").get("resume"));

        // a crash mid-append leaves a torn last line: the resumed run drops it and goes on
        Files.writeString(out.resolve("metrics.jsonl"), "{\"epoch\": 3, \"train_lo", java.nio.file.StandardOpenOption.APPEND);
        TrainCommand.run(List.of("--resume", "--out=" + out));            // no more epochs: --epochs=2 was kept
        assertEquals(2, RunDirectory.at(out).readMetrics().size());
        TrainCommand.run(List.of("--resume", "--out=" + out, "--epochs=3"));
        List<Map<String, Object>> metrics = RunDirectory.at(out).readMetrics();
        assertEquals(3, metrics.size());
        assertEquals(3L, metrics.get(2).get("epoch"));
    }

    record Result(int status, String stdout, String stderr) {
    }

    /** Runs {@code ./elbo}'s main class in a fresh JVM in {@code cwd}. */
    static Result runMain(Path cwd, List<String> args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        Path stdout = Files.createTempFile("elbo-stdout", ".txt");
        Path stderr = Files.createTempFile("elbo-stderr", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
            return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void helpListsEverySettingWithItsDefault(@TempDir Path dir) throws Exception {
        Result r = runMain(dir, List.of("train", "--help"));
        assertEquals(0, r.status, r.stderr);
        for (String key : List.of("data", "prior", "warmup-epochs", "free-bits", "estimator", "resume")) {
            assertTrue(r.stdout.contains(key), key);
        }
        assertFalse(Files.exists(dir.resolve("runs")));
    }
}
