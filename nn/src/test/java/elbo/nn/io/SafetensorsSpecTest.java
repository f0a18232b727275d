package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.DType;
import elbo.core.Shape;
import elbo.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with the safetensors specification, shown without Python: a file whose bytes are
 * written out by hand from the spec is read, and a file written by ELBO is checked byte by byte.
 */
class SafetensorsSpecTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void readsAFileWrittenByHandFromTheSpecification() throws Exception {
        // Header as another writer might produce it: spaces after ':' and ',', a \\u escape, a newline,
        // tensors not in data order, no padding (any N is allowed).
        String json = "{\"b\u00e9ta\": {\"dtype\": \"F64\", \"shape\": [], \"data_offsets\": [8, 16]},\n"
                + " \"__metadata__\": {\"format\": \"pt\", \"note\": \"caf\\u00e9 \\\"q\\\"\"},"
                + " \"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"empty\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [16, 16]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(258, header.length);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(bytes(0x02, 0x01, 0, 0, 0, 0, 0, 0));         // N = 258 = 0x0102, unsigned 64-bit little-endian
        file.write(header);
        file.write(bytes(0x00, 0x00, 0x80, 0x3F));               // w[0] =  1.0f  (0x3F800000)
        file.write(bytes(0x00, 0x00, 0x20, 0xC0));               // w[1] = -2.5f  (0xC0200000)
        file.write(bytes(0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F)); // béta = 0.1 (0x3FB999999999999A)
        Path path = dir.resolve("by-hand.safetensors");
        Files.write(path, file.toByteArray());

        Safetensors.Contents c = Safetensors.read(path);
        assertEquals(List.of("b\u00e9ta", "w", "empty"), List.copyOf(c.tensors().keySet()));
        Tensor w = c.tensors().get("w");
        assertEquals(DType.FLOAT32, w.dtype());
        assertEquals(Shape.of(2), w.shape());
        assertArrayEquals(new float[] {1.0f, -2.5f}, w.f32());
        Tensor beta = c.tensors().get("b\u00e9ta");
        assertEquals(DType.FLOAT64, beta.dtype());
        assertEquals(0, beta.rank());
        assertEquals(0.1, beta.item());
        assertEquals(Shape.of(0, 3), c.tensors().get("empty").shape());
        assertEquals(Map.of("format", "pt", "note", "caf\u00e9 \"q\""), c.metadata());
    }

    @Test
    void writesTheLayoutOfTheReferenceImplementation() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.of(new float[] {1.0f, -2.5f, 0.0f, 3.0f}, 2, 2));
        tensors.put("s", Tensor.scalar(0.1, DType.FLOAT64));
        tensors.put("a", Tensor.zeros(DType.FLOAT32, 0));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z", "last \"key\"\n");
        metadata.put("epoch", "3");
        Path path = dir.resolve("elbo.safetensors");
        Safetensors.write(path, tensors, metadata);
        byte[] file = Files.readAllBytes(path);

        // F64 before F32, then by name; metadata first with sorted keys; compact JSON; space padding.
        String json = "{\"__metadata__\":{\"epoch\":\"3\",\"z\":\"last \\\"key\\\"\\n\"},"
                + "\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}";
        int n = (json.length() + 7) / 8 * 8;
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(bytes(n & 0xFF, n >>> 8, 0, 0, 0, 0, 0, 0));
        expected.write((json + " ".repeat(n - json.length())).getBytes(StandardCharsets.US_ASCII));
        expected.write(bytes(0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F)); // s = 0.1
        expected.write(bytes(0x00, 0x00, 0x80, 0x3F));                         // w = 1.0f
        expected.write(bytes(0x00, 0x00, 0x20, 0xC0));                         //     -2.5f
        expected.write(bytes(0x00, 0x00, 0x00, 0x00));                         //      0.0f
        expected.write(bytes(0x00, 0x00, 0x40, 0x40));                         //      3.0f
        assertArrayEquals(expected.toByteArray(), file);
        assertArrayEquals(Arrays.copyOfRange(file, 8, 8 + n), Safetensors.header(tensors, metadata));
    }

    @Test
    void writingRejectsReservedAndUnencodableNames() {
        Path path = dir.resolve("x.safetensors");
        Map<String, Tensor> reserved = Map.of("__metadata__", Tensor.zeros(DType.FLOAT32, 1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(path, reserved, Map.of()));
        Map<String, Tensor> loneSurrogate = Map.of("bad\uD800", Tensor.zeros(DType.FLOAT32, 1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(path, loneSurrogate, Map.of()));
        assertTrue(Files.notExists(path));
    }
}
