package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Shape;
import elbo.core.Tensor;
import elbo.nn.Activation;
import elbo.nn.Mlp;
import elbo.nn.Sequential;
import elbo.nn.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random state dicts and random models survive a write and a read bit for bit. */
class RoundTripTest {

    /**
     * Strings of any Unicode scalar values (no unpaired surrogates), biased towards the characters JSON
     * must escape: quotes, backslashes, control characters; plus non-ASCII and astral (emoji) ones.
     */
    @Provide
    Arbitrary<String> unicode() {
        Arbitrary<Integer> special = Arbitraries.of((int) '"', (int) '\\', (int) '\n', (int) '\t', 0, 0x1F, (int) '/', 0x7F);
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 0x10FFFF).filter(cp -> cp < 0xD800 || cp > 0xDFFF);
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x20, 0x7E)),
                net.jqwik.api.Tuple.of(2, special),
                net.jqwik.api.Tuple.of(2, any),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0xE9, 0x4E2D, 0x1F600)));
        return codePoint.list().ofMaxSize(12).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    /** Tensors of rank 0..3 with sizes 0..4 (so zero-size ones too), either dtype, random bit patterns. */
    @Provide
    Arbitrary<Tensor> tensors() {
        Arbitrary<int[]> dims = Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(3);
        return Combinators.combine(Arbitraries.of(DType.class), dims, Arbitraries.longs()).as((dtype, d, seed) -> {
            Shape shape = Shape.of(d);
            Random bits = new Random(seed);
            if (dtype == DType.FLOAT32) {
                float[] a = new float[shape.numel()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = Float.intBitsToFloat(bits.nextInt());
                }
                return Tensor.wrap(a, shape);
            }
            double[] a = new double[shape.numel()];
            for (int i = 0; i < a.length; i++) {
                a[i] = Double.longBitsToDouble(bits.nextLong());
            }
            return Tensor.wrap(a, shape);
        });
    }

    @Provide
    Arbitrary<Map<String, Tensor>> stateDicts() {
        return Arbitraries.maps(unicode().filter(s -> !s.equals(Safetensors.METADATA_KEY)), tensors()).ofMaxSize(6);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        return Arbitraries.maps(unicode(), unicode()).ofMaxSize(5);
    }

    private static long[] bits(Tensor t) {
        long[] out = new long[t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.dtype() == DType.FLOAT32 ? Float.floatToRawIntBits(t.f32()[i]) : Double.doubleToRawLongBits(t.f64()[i]);
        }
        return out;
    }

    private static void assertBitwiseEqual(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, t) -> {
            Tensor u = actual.get(k);
            assertEquals(t.dtype(), u.dtype(), k);
            assertEquals(t.shape(), u.shape(), k);
            assertArrayEquals(bits(t), bits(u), k);
        });
    }

    @Property(tries = 150)
    void stateDictsAndMetadataRoundTripBitwise(@ForAll("stateDicts") Map<String, Tensor> tensors,
                                               @ForAll("metadata") Map<String, String> metadata) throws IOException {
        Path path = Files.createTempFile("elbo-roundtrip", ".safetensors");
        try {
            Safetensors.write(path, tensors, metadata);
            Safetensors.Contents c = Safetensors.read(path);
            assertBitwiseEqual(tensors, c.tensors());
            assertEquals(metadata, c.metadata());
            long headerLength = Files.size(path) - tensors.values().stream()
                    .mapToLong(t -> (long) t.numel() * t.dtype().byteSize()).sum() - 8;
            assertEquals(0, (8 + headerLength) % 8, "header padded to a multiple of 8");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Property(tries = 40)
    void randomModelsWithOptimizerStateRoundTripBitwise(
            @ForAll("widths") List<Integer> widths, @ForAll DType dtype, @ForAll Activation.Kind activation,
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int trainingSteps,
            @ForAll("metadata") Map<String, String> metadata) throws IOException {
        int[] w = widths.stream().mapToInt(Integer::intValue).toArray();
        Sequential model = Mlp.of(activation, dtype, new Rng(seed), w);
        Adam adam = new Adam(model, 1e-2, 0.9, 0.999, 1e-4, 0.0);
        Rng rng = new Rng(seed + 1);
        for (int k = 0; k < trainingSteps; k++) {
            adam.zeroGrad();
            model.forward(rng.normal(dtype, 2, w[0])).square().sum().backward();
            adam.step();
        }
        Path path = Files.createTempFile("elbo-model", ".safetensors");
        try {
            Checkpoint.save(path, model, adam, metadata);
            Sequential fresh = Mlp.of(activation, dtype, new Rng(seed ^ 0x5DEECE66DL), w);
            Adam freshAdam = new Adam(fresh, 0.5);
            Map<String, String> readBack = Checkpoint.load(path, fresh, freshAdam);
            assertBitwiseEqual(model.stateDict(), fresh.stateDict());
            assertBitwiseEqual(adam.stateDict(), freshAdam.stateDict());
            Map<String, String> expected = new LinkedHashMap<>(metadata);
            expected.put(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT_VERSION);
            assertEquals(expected, readBack);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Provide
    Arbitrary<List<Integer>> widths() {
        return Arbitraries.integers().between(1, 6).list().ofMinSize(2).ofMaxSize(4);
    }
}
