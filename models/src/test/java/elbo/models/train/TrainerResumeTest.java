package elbo.models.train;

import elbo.core.Tensor;
import elbo.models.config.Overrides;
import elbo.models.data.DataSets;
import elbo.models.data.Dataset;
import elbo.models.data.Download;
import elbo.nn.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --resume} continues a run bitwise-identically to one that never stopped: the model, Adam's state,
 * the generator and every metric but the timings, whether the run stopped mid-epoch, at an epoch boundary
 * or in its first epoch, and whatever the thread count.
 */
class TrainerResumeTest {
    private static final Progress QUIET = new Progress(new PrintStream(OutputStream.nullOutputStream()), false);
    private static Dataset digits;

    @BeforeAll
    static void load(@TempDir Path empty) throws IOException {
        digits = DataSets.load("digits", empty, 10_000, Download.none());
    }

    static TrainConfig config(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--latent=4", "--hidden=24", "--epochs=3",
                "--warmup-epochs=2", "--checkpoint-seconds=0", "--batch=100"));
        args.addAll(List.of(extra));
        return Overrides.apply(TrainConfig.defaults(), args);
    }

    @ParameterizedTest(name = "{0}: interrupted after {1} steps")
    @CsvSource({
            "elbo,   20",      // mid second epoch (13 steps per epoch)
            "elbo,   13",      // at the end of the first epoch's steps
            "elbo,    5",      // inside the first epoch
            "iwae,   17",      // IWAE with DReG
            "vamp,   30",      // VampPrior: the pseudo-inputs and the shared encoder
            "threads, 20",     // stopped and resumed on one thread, the straight run on all cores
    })
    void resumedRunEndsBitwiseIdentical(String variant, int steps, @TempDir Path dir) throws IOException {
        TrainConfig config = switch (variant) {
            case "iwae" -> config("--objective=iwae", "--k=3", "--estimator=dreg");
            case "vamp" -> config("--prior=vamp", "--components=10");
            default -> config();
        };
        RunDirectory straight = RunDirectory.at(dir.resolve("straight"));
        straight.create();
        assertEquals(Trainer.Outcome.FINISHED, new Trainer(config, digits, straight, QUIET).train(() -> false));

        RunDirectory stopped = RunDirectory.at(dir.resolve("stopped"));
        stopped.create();
        int[] calls = {0};
        TrainConfig other = variant.equals("threads") ? config("--threads=1") : config;
        Trainer first = new Trainer(other, digits, stopped, QUIET);
        assertEquals(Trainer.Outcome.INTERRUPTED, first.train(() -> ++calls[0] > steps));
        Trainer second = new Trainer(other, digits, stopped, QUIET);
        second.resume();
        assertEquals(Trainer.Outcome.FINISHED, second.train(() -> false));

        Safetensors.Contents a = Safetensors.read(straight.file(RunDirectory.CHECKPOINT));
        Safetensors.Contents b = Safetensors.read(stopped.file(RunDirectory.CHECKPOINT));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        assertTrue(a.tensors().keySet().stream().anyMatch(k -> k.startsWith("optim.")), "optimizer state saved");
        for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
            assertArrayEquals(bits(e.getValue()), bits(b.tensors().get(e.getKey())), e.getKey());
        }
        for (String key : List.of("rng", "epoch", "batch", "best_valid_elbo", "best_epoch", "sums")) {
            assertEquals(a.metadata().get(key), b.metadata().get(key), key);
        }
        List<Map<String, Object>> ma = straight.readMetrics();
        List<Map<String, Object>> mb = stopped.readMetrics();
        assertEquals(3, ma.size());
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) {
            for (String key : ma.get(i).keySet()) {
                if (!key.contains("seconds") && !key.equals("images_per_second")) {
                    assertEquals(ma.get(i).get(key), mb.get(i).get(key), "epoch " + (i + 1) + " " + key);
                }
            }
        }
    }

    private static long[] bits(Tensor t) {
        double[] v = t.toDoubleArray();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.doubleToRawLongBits(v[i]);
        }
        return out;
    }
}
