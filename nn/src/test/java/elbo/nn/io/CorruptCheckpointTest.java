package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Linear;
import elbo.nn.Module;
import elbo.nn.optim.Adam;
import elbo.nn.optim.Optimizer;
import elbo.nn.optim.Sgd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every class of bad checkpoint gives a typed error naming the file and the problem, and leaves the
 * model and the optimizer bitwise unchanged. The bad files are made by editing a valid checkpoint of
 * Linear(2 → 3) + Adam.
 */
class CorruptCheckpointTest {
    @TempDir
    Path dir;

    private Linear model;
    private Adam adam;
    private byte[] valid;
    private String validHeader;
    private byte[] validData;

    /** A model and an optimizer with non-trivial state, and a valid checkpoint of a different state. */
    @BeforeEach
    void setUp() throws IOException {
        Linear other = new Linear(2, 3, DType.FLOAT32, new Rng(1));
        Adam otherAdam = new Adam(other, 0.01);
        trainOneStep(other, otherAdam);
        Path ok = dir.resolve("valid.safetensors");
        Checkpoint.save(ok, other, otherAdam, Map.of("epoch", "1"));
        valid = Files.readAllBytes(ok);
        long n = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
        validHeader = new String(valid, 8, (int) n, StandardCharsets.UTF_8);
        validData = Arrays.copyOfRange(valid, 8 + (int) n, valid.length);

        model = new Linear(2, 3, DType.FLOAT32, new Rng(2));
        adam = new Adam(model, 0.02);
        trainOneStep(model, adam);
    }

    private static void trainOneStep(Module m, Optimizer opt) {
        opt.zeroGrad();
        ((Linear) m).forward(Tensor.of(new float[] {1f, -2f}, 1, 2)).square().sum().backward();
        opt.step();
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

    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, data);
    }

    private static byte[] file(long headerLength, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private byte[] editedHeader(UnaryOperator<String> edit) {
        String edited = edit.apply(validHeader);
        assertTrue(!edited.equals(validHeader), "the edit must change the header");
        return file(edited, validData);
    }

    /**
     * Loads {@code bytes} as a checkpoint and checks the typed error, that its message names the file and
     * contains every expected fragment, and that model and optimizer are unchanged.
     */
    private CheckpointException assertRejected(byte[] bytes, Class<? extends CheckpointException> type,
                                               String... fragments) throws IOException {
        Path path = dir.resolve("bad.safetensors");
        Files.write(path, bytes);
        return assertRejectedFile(path, model, adam, type, fragments);
    }

    private static CheckpointException assertRejectedFile(Path path, Module model, Optimizer opt,
                                                          Class<? extends CheckpointException> type,
                                                          String... fragments) {
        Map<String, long[]> modelBefore = bits(model.stateDict());
        Map<String, long[]> optBefore = opt == null ? Map.of() : bits(opt.stateDict());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(path, model, opt));
        assertInstanceOf(type, e, e.getMessage());
        assertTrue(e.getMessage().startsWith(path.toString() + ": "), e.getMessage());
        assertEquals(path, e.file());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
        Map<String, long[]> modelAfter = bits(model.stateDict());
        modelBefore.forEach((k, v) -> assertArrayEquals(v, modelAfter.get(k), "model entry " + k + " changed"));
        if (opt != null) {
            Map<String, long[]> optAfter = bits(opt.stateDict());
            optBefore.forEach((k, v) -> assertArrayEquals(v, optAfter.get(k), "optimizer entry " + k + " changed"));
        }
        return e;
    }

    @Test
    void theValidFileLoads() throws IOException {
        Path path = dir.resolve("valid.safetensors");
        Map<String, String> meta = Checkpoint.load(path, model, adam);
        assertEquals("1", meta.get("epoch"));
        assertEquals(Checkpoint.FORMAT_VERSION, meta.get(Checkpoint.FORMAT_KEY));
    }

    // ---- safetensors format errors ----------------------------------------------------------------

    @Test
    void truncatedData() throws IOException {
        assertRejected(Arrays.copyOf(valid, valid.length - 4), SafetensorsFormatException.class,
                "extend past the end", "truncated");
    }

    @Test
    void truncatedHeader() throws IOException {
        assertRejected(Arrays.copyOf(valid, 40), SafetensorsFormatException.class,
                "header length", "exceeds the 32 bytes after the length field");
    }

    @Test
    void shorterThanTheLengthField() throws IOException {
        assertRejected(Arrays.copyOf(valid, 5), SafetensorsFormatException.class, "file is 5 bytes");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        byte[] bytes = valid.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, valid.length);
        assertRejected(bytes, SafetensorsFormatException.class, "header length " + valid.length + " exceeds");
    }

    @Test
    void headerLengthAboveTheCap() throws IOException {
        byte[] bytes = valid.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        SafetensorsFormatException e = (SafetensorsFormatException) assertRejected(bytes,
                SafetensorsFormatException.class, "header length 18446744073709551615 exceeds the limit");
        assertEquals(0, e.byteOffset());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Safetensors.MAX_HEADER_BYTES + 1);
        assertRejected(bytes, SafetensorsFormatException.class, "exceeds the limit of 100000000 bytes");
    }

    @Test
    void overlappingOffsets() throws IOException {
        // F64 optimizer scalars fill [0, 64); model.bias (F32 [3]) is at [64, 76], model.weight (F32 [3, 2])
        // at [76, 100]. Move model.weight 4 bytes back.
        assertTrue(validHeader.contains("\"model.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[76,100]}"),
                validHeader);
        SafetensorsFormatException e = (SafetensorsFormatException) assertRejected(
                editedHeader(h -> h.replace("[76,100]", "[72,96]")), SafetensorsFormatException.class,
                "'model.weight'", "overlap tensor 'model.bias', which ends at 76");
        assertTrue(e.byteOffset() > 8 + validHeader.length(), "offset points into the data buffer");
    }

    @Test
    void gapInOffsets() throws IOException {
        assertRejected(editedHeader(h -> h.replace("[76,100]", "[80,104]")), SafetensorsFormatException.class,
                "'model.weight'", "leave a gap of 4 bytes after tensor 'model.bias'");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        assertRejected(file(validHeader, Arrays.copyOf(validData, validData.length + 8)),
                SafetensorsFormatException.class, "trailing bytes");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(editedHeader(h -> h.replace("\"model.bias\":{\"dtype\":\"F32\"", "\"model.bias\":{\"dtype\":\"Q7\"")),
                SafetensorsFormatException.class, "'model.bias'", "unknown or unsupported dtype 'Q7'");
        assertRejected(editedHeader(h -> h.replace("\"model.bias\":{\"dtype\":\"F32\"", "\"model.bias\":{\"dtype\":\"BF16\"")),
                SafetensorsFormatException.class, "'model.bias'", "dtype 'BF16'");
    }

    @Test
    void byteCountMismatch() throws IOException {
        assertRejected(editedHeader(h -> h.replace("\"shape\":[3,2],\"data_offsets\":[76,100]", "\"shape\":[3,3],\"data_offsets\":[76,100]")),
                SafetensorsFormatException.class, "'model.weight'", "byte count mismatch", "span 24 bytes", "needs 9 × 4 = 36");
    }

    @Test
    void duplicateNames() throws IOException {
        assertRejected(editedHeader(h -> h.replace("\"model.weight\":", "\"model.bias\":")),
                SafetensorsFormatException.class, "not valid JSON", "duplicate key \"model.bias\"");
    }

    @Test
    void nonJsonHeader() throws IOException {
        assertRejected(file("this is not JSON", validData), SafetensorsFormatException.class,
                "must begin with '{'");
        assertRejected(editedHeader(h -> h.trim().substring(0, h.trim().length() - 1)),
                SafetensorsFormatException.class, "not valid JSON", "expected ',' or '}'");
        assertRejected(file("[]", new byte[0]), SafetensorsFormatException.class, "not a JSON object");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] header = validHeader.getBytes(StandardCharsets.UTF_8);
        int at = validHeader.indexOf("epoch") + 1;
        header[at] = (byte) 0xFF;
        SafetensorsFormatException e = (SafetensorsFormatException) assertRejected(
                file(header.length, header, validData), SafetensorsFormatException.class, "not valid UTF-8");
        assertEquals(8 + at, e.byteOffset());
    }

    @Test
    void badShapesAndOffsets() throws IOException {
        String bias = "\"model.bias\":{\"dtype\":\"F32\",\"shape\":[3],";
        assertRejected(editedHeader(h -> h.replace(bias, bias.replace("[3]", "[-3]"))),
                SafetensorsFormatException.class, "'model.bias'", "shape[0] = -3 is negative");
        assertRejected(editedHeader(h -> h.replace(bias, bias.replace("[3]", "[3.0]"))),
                SafetensorsFormatException.class, "'model.bias'", "shape[0] must be a non-negative integer");
        assertRejected(editedHeader(h -> h.replace(bias, bias.replace("[3]", "[3, 2147483648]"))),
                SafetensorsFormatException.class, "'model.bias'", "larger than 2^31-1");
        assertRejected(editedHeader(h -> h.replace(bias, bias.replace("[3]", "[65536, 65536]"))),
                SafetensorsFormatException.class, "'model.bias'", "more than 2^31-1 elements");
        assertRejected(editedHeader(h -> h.replace("[76,100]", "[76,100.0]")),
                SafetensorsFormatException.class, "'model.weight'", "data_offsets[1] must be a non-negative integer");
        assertRejected(editedHeader(h -> h.replace("[76,100]", "[76,99999999999999999999]")),
                SafetensorsFormatException.class, "'model.weight'", "out of range");
        assertRejected(editedHeader(h -> h.replace("[76,100]", "[100,76]")),
                SafetensorsFormatException.class, "'model.weight'", "end before they begin");
        assertRejected(editedHeader(h -> h.replace("[76,100]", "[76]")),
                SafetensorsFormatException.class, "'model.weight'", "must be [begin, end]");
        assertRejected(editedHeader(h -> h.replace(bias, bias + "\"extra\":1,")),
                SafetensorsFormatException.class, "'model.bias'", "unexpected field 'extra'");
        assertRejected(editedHeader(h -> h.replace(bias, "\"model.bias\":{\"shape\":[3],")),
                SafetensorsFormatException.class, "'model.bias'", "'dtype' must be a string, got nothing (missing)");
    }

    @Test
    void malformedMetadata() throws IOException {
        assertRejected(editedHeader(h -> h.replace("\"epoch\":\"1\"", "\"epoch\":1")),
                SafetensorsFormatException.class, "'__metadata__'", "value of key 'epoch' must be a string");
    }

    // ---- well-formed files that do not fit ---------------------------------------------------------

    @Test
    void shapeMismatchWithTheModel() throws IOException {
        Linear wider = new Linear(2, 4, DType.FLOAT32, new Rng(3));
        Path path = dir.resolve("wider.safetensors");
        Checkpoint.save(path, wider, null, Map.of());
        assertRejectedFile(path, model, null, CheckpointMismatchException.class,
                "'model.weight'", "shape [4, 2] but the module has [3, 2]");
    }

    @Test
    void dtypeMismatchWithTheModel() throws IOException {
        Path path = dir.resolve("f64.safetensors");
        Checkpoint.save(path, new Linear(2, 3, DType.FLOAT64, new Rng(3)), null, Map.of());
        assertRejectedFile(path, model, null, CheckpointMismatchException.class,
                "'model.weight'", "dtype FLOAT64 but the module has FLOAT32");
    }

    @Test
    void missingTensor() throws IOException {
        Path path = dir.resolve("nobias.safetensors");
        Checkpoint.save(path, new Linear(2, 3, false, DType.FLOAT32, new Rng(3)), null, Map.of());
        assertRejectedFile(path, model, null, CheckpointMismatchException.class,
                "'model.bias'", "missing tensor: the module has FLOAT32 [3]");
    }

    @Test
    void unexpectedTensor() throws IOException {
        String extra = validHeader.trim();
        extra = extra.substring(0, extra.length() - 1)
                + ",\"model.extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + validData.length + ","
                + (validData.length + 4) + "]}}";
        assertRejected(file(extra, Arrays.copyOf(validData, validData.length + 4)), CheckpointMismatchException.class,
                "'model.extra'", "unexpected tensor: the module has no entry 'extra'");
        String foreign = extra.replace("model.extra", "other.x");
        assertRejected(file(foreign, Arrays.copyOf(validData, validData.length + 4)), CheckpointMismatchException.class,
                "'other.x'", "names must start with 'model.' or 'optim.'");
    }

    @Test
    void missingOptimizerState() throws IOException {
        Path path = dir.resolve("model-only.safetensors");
        Checkpoint.save(path, new Linear(2, 3, DType.FLOAT32, new Rng(3)), null, Map.of());
        assertRejectedFile(path, model, adam, CheckpointMismatchException.class, "no optimizer state");
    }

    @Test
    void optimizerStateOfAnotherOptimizer() throws IOException {
        Linear other = new Linear(2, 3, DType.FLOAT32, new Rng(3));
        Path path = dir.resolve("sgd.safetensors");
        Checkpoint.save(path, other, new Sgd(other, 0.1, 0.9, false, 0.0), Map.of());
        assertRejectedFile(path, model, adam, CheckpointMismatchException.class,
                "'optim.beta1'", "missing tensor: the optimizer has FLOAT64 []");
    }

    @Test
    void optimizerValueRejectedByTheOptimizer() throws IOException {
        // beta1 = 1.0 has the right name, shape and dtype but is out of range: caught before any copy.
        String header = validHeader;
        int begin = Integer.parseInt(header.replaceAll(".*\"optim\\.beta1\":\\{[^}]*\"data_offsets\":\\[(\\d+),.*", "$1").trim());
        byte[] data = validData.clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putDouble(begin, 1.0);
        assertRejected(file(header, data), CheckpointMismatchException.class,
                "optimizer state rejected", "'beta1' = 1.0 is outside [0.0, 1.0)");
    }

    @Test
    void unsupportedCheckpointVersion() throws IOException {
        assertRejected(editedHeader(h -> h.replace("\"elbo.checkpoint\":\"1\"", "\"elbo.checkpoint\":\"9\"")),
                CheckpointMismatchException.class, "'elbo.checkpoint'", "version '9' is not supported");
    }

    @Test
    void optimizerStateIsIgnoredWhenLoadingForEvaluation() throws IOException {
        Map<String, String> meta = Checkpoint.load(dir.resolve("valid.safetensors"), model, null);
        assertEquals("1", meta.get("epoch"));
    }
}
