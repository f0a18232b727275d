package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Mlp;
import elbo.nn.Sequential;
import elbo.nn.optim.Adam;
import elbo.nn.optim.LearningRateSchedule;
import elbo.nn.optim.Optimizer;
import elbo.nn.optim.Sgd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training N steps without stopping gives bitwise the same model and optimizer state as training N/2
 * steps, saving a checkpoint, loading it into a fresh model, optimizer and generator, and training N/2
 * more. Each step draws a random minibatch and input noise from the run's Rng, uses a scheduled
 * learning rate and clips gradients, so every piece of state matters.
 */
class ExactResumeTest {
    private static final int STEPS = 20;
    private static final LearningRateSchedule SCHEDULE =
            LearningRateSchedule.linearWarmup(5, 0.1, LearningRateSchedule.exponential(0.02, 0.9));

    @TempDir
    Path dir;

    private final Tensor inputs;
    private final Tensor targets;

    ExactResumeTest() {
        Rng data = new Rng(42);
        inputs = data.normal(DType.FLOAT64, 32, 4);
        targets = data.normal(DType.FLOAT64, 32, 3);
    }

    private static Sequential newModel(DType dtype, long seed) {
        return Mlp.of(Activation.Kind.TANH, dtype, new Rng(seed), 4, 16, 16, 3);
    }

    private void trainSteps(Sequential model, Optimizer opt, Rng rng, int steps) {
        DType dtype = model.namedParameters().values().iterator().next().dtype();
        for (int k = 0; k < steps; k++) {
            opt.setLearningRate(SCHEDULE.learningRate(opt.stepCount()));
            int[] batch = new int[8];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = rng.nextInt(inputs.dim(0));
            }
            Tensor x = inputs.indexSelect(0, batch).cast(dtype).add(rng.normal(dtype, 8, 4).mul(0.1));
            Tensor y = targets.indexSelect(0, batch).cast(dtype);
            opt.zeroGrad();
            model.forward(x).sub(y).square().mean().backward();
            opt.clipGradNorm(1.0);
            opt.step();
        }
    }

    private static Map<String, long[]> bits(Map<String, Tensor> state) {
        Map<String, long[]> out = new LinkedHashMap<>();
        state.forEach((k, t) -> {
            long[] b = new long[t.numel()];
            for (int i = 0; i < b.length; i++) {
                b[i] = t.dtype() == DType.FLOAT32 ? Float.floatToRawIntBits(t.f32()[i]) : Double.doubleToRawLongBits(t.f64()[i]);
            }
            out.put(k, b);
        });
        return out;
    }

    private static void assertBitwiseEqual(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        Map<String, long[]> e = bits(expected);
        Map<String, long[]> a = bits(actual);
        assertEquals(e.keySet(), a.keySet());
        e.forEach((k, v) -> assertArrayEquals(v, a.get(k), k));
    }

    private void assertResumesExactly(DType dtype, Function<Sequential, Optimizer> optimizer,
                                      Function<Sequential, Optimizer> otherOptimizer) throws IOException {
        Sequential straight = newModel(dtype, 7);
        Optimizer straightOpt = optimizer.apply(straight);
        Rng straightRng = new Rng(99);
        trainSteps(straight, straightOpt, straightRng, STEPS);

        Sequential first = newModel(dtype, 7);
        Optimizer firstOpt = optimizer.apply(first);
        Rng firstRng = new Rng(99);
        trainSteps(first, firstOpt, firstRng, STEPS / 2);
        Path path = dir.resolve("resume-" + dtype + ".safetensors");
        Checkpoint.save(path, first, firstOpt, Map.of(
                "config", "{\"model\": \"mlp 4-16-16-3\", \"schedule\": \"warmup+exp\"}",
                "step", Long.toString(firstOpt.stepCount()),
                "rng", Checkpoint.rngState(firstRng)));

        // Fresh objects: a differently initialised model, an optimizer built with other hyper-parameters,
        // and a generator with another seed; everything must come from the checkpoint.
        Sequential resumed = newModel(dtype, 12345);
        Optimizer resumedOpt = otherOptimizer.apply(resumed);
        Map<String, String> meta = Checkpoint.load(path, resumed, resumedOpt);
        Rng resumedRng = Checkpoint.rngFromState(meta.get("rng"));
        assertEquals(Long.toString(STEPS / 2), meta.get("step"));
        assertEquals(STEPS / 2, resumedOpt.stepCount());
        trainSteps(resumed, resumedOpt, resumedRng, STEPS - STEPS / 2);

        assertBitwiseEqual(straight.stateDict(), resumed.stateDict());
        assertBitwiseEqual(straightOpt.stateDict(), resumedOpt.stateDict());
        assertEquals(straightRng.nextLong(), resumedRng.nextLong());
        assertNotEquals(bits(straight.stateDict()).get("0.weight")[0], bits(newModel(dtype, 7).stateDict()).get("0.weight")[0],
                "training moved the parameters");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void adamResumesBitwise(DType dtype) throws IOException {
        assertResumesExactly(dtype, m -> new Adam(m, 1e-3, 0.9, 0.999, 1e-4, 0.0), m -> new Adam(m, 0.5));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nesterovSgdResumesBitwise(DType dtype) throws IOException {
        assertResumesExactly(dtype, m -> new Sgd(m, 0.1, 0.9, true, 1e-4), m -> new Sgd(m, 0.3, 0.5, false, 0.0));
    }

    @Test
    void rngStateRoundTripsThroughItsString() {
        Rng rng = new Rng(-3);
        rng.nextGaussian();
        String s = Checkpoint.rngState(rng);
        assertEquals(4 * 16 + 3, s.length());
        Rng copy = Checkpoint.rngFromState(s);
        for (int i = 0; i < 10; i++) {
            assertEquals(rng.nextLong(), copy.nextLong());
        }
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.rngFromState("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.rngFromState("0000000000000000,0000000000000000,"
                + "000000000000000g,0000000000000000"));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.rngFromState(
                "0000000000000000,0000000000000000,0000000000000000,0000000000000000"));
    }
}
