package elbo.nn.io;

import elbo.core.DType;
import elbo.core.Shape;
import elbo.core.Tensor;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, so
 * that ELBO files open in Python's {@code safetensors} and files from there open here (F32 and F64).
 *
 * <p><b>Layout.</b>
 * <pre>
 *   bytes 0..7        N, the header length: unsigned 64-bit little-endian
 *   bytes 8..8+N-1    the header: UTF-8 JSON object
 *                       {"__metadata__": {"key": "value", ...},
 *                        "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *   bytes 8+N..       the data buffer: each tensor's elements, row-major, little-endian IEEE 754,
 *                     at [begin, end) relative to the start of the buffer
 * </pre>
 *
 * <p><b>Writing</b> follows the reference implementation byte for byte: tensors are laid out F64 first,
 * then F32 (so every tensor is aligned to its element size, since the header is padded with spaces to
 * make {@code 8 + N} a multiple of 8), by name (UTF-8 byte order) within a dtype; the header is compact
 * JSON with {@code __metadata__} first (omitted when empty; keys sorted), then the tensors in data order.
 * The file is written atomically: to a temporary file in the same directory, forced to disk
 * ({@link FileChannel#force}), then renamed over the target, so a crash or error leaves either the old
 * file or the new one, never a partial file.
 *
 * <p><b>Reading</b> validates everything the format demands before returning anything, and throws a
 * {@link SafetensorsFormatException} naming the file, the entry and the problem: the header length must
 * be at most {@link #MAX_HEADER_BYTES} and fit in the file; the header must be valid UTF-8 JSON starting
 * with {@code '{'}, without duplicate keys; each tensor must have a known dtype, a shape of non-negative
 * integers, and integer {@code data_offsets} {@code [begin, end]} with
 * {@code end − begin = elements × dtype size}; sorted by {@code begin}, the tensors must tile the data
 * buffer exactly (no gap, no overlap, nothing after the last one); metadata values must be strings. All
 * size arithmetic is overflow-checked.
 */
public final class Safetensors {
    /** The largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The reserved header key of the string-to-string metadata map. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK_BYTES = 1 << 20;

    private Safetensors() {
    }

    /**
     * The tensors (in header order) and metadata of a safetensors file.
     *
     * @param tensors  name → tensor, each with its own storage
     * @param metadata the {@code __metadata__} map, empty if the file has none
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Wraps both maps unmodifiably. */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    // ---- writing ----------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} and {@code metadata} to {@code path} atomically (see the class comment),
     * replacing any existing file. On failure no file is left at a temporary name and {@code path} is
     * untouched.
     *
     * @throws IllegalArgumentException if a tensor is named {@value #METADATA_KEY}, or a name, key or value
     *                                  is not valid Unicode (an unpaired surrogate)
     * @throws IOException              if the file cannot be written (e.g. the directory does not exist)
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> ordered = dataOrder(tensors);
        byte[] header = header(ordered, metadata);
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = AtomicFiles.createSibling(target);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(header.length).put(header).flip();
                writeFully(ch, prefix);
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (Map.Entry<String, Tensor> e : ordered) {
                    writeData(ch, e.getValue(), chunk);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        AtomicFiles.forceDirectory(dir);
    }

    /**
     * The header bytes (JSON plus space padding, without the 8-byte length) that {@link #write} puts in
     * front of the data: for tests and tools that check the layout.
     *
     * @throws IllegalArgumentException as {@link #write}
     */
    public static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        return header(dataOrder(tensors), metadata);
    }

    private static List<Map.Entry<String, Tensor>> dataOrder(Map<String, Tensor> tensors) {
        for (String name : tensors.keySet()) {
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("safetensors: a tensor cannot be named " + METADATA_KEY);
            }
            utf8(name, "tensor name");
        }
        List<Map.Entry<String, Tensor>> ordered = new ArrayList<>(tensors.entrySet());
        Comparator<Map.Entry<String, Tensor>> byDtypeSizeDescending =
                Comparator.comparingInt(e -> -e.getValue().dtype().byteSize());
        ordered.sort(byDtypeSizeDescending.thenComparing(Map.Entry::getKey, Safetensors::compareUtf8));
        return ordered;
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> ordered, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            List<String> keys = new ArrayList<>(metadata.keySet());
            for (String k : keys) {
                utf8(k, "metadata key");
                utf8(metadata.get(k), "metadata value of '" + k + "'");
            }
            keys.sort(Safetensors::compareUtf8);
            Json.appendString(json, METADATA_KEY);
            json.append(":{");
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                Json.appendString(json, keys.get(i));
                json.append(':');
                Json.appendString(json, metadata.get(keys.get(i)));
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : ordered) {
            Tensor t = e.getValue();
            long end = offset + (long) t.numel() * t.dtype().byteSize();
            if (json.length() > 1) {
                json.append(',');
            }
            Json.appendString(json, e.getKey());
            json.append(":{\"dtype\":\"").append(t.dtype().safetensorsName()).append("\",\"shape\":[");
            int[] dims = t.shape().dims();
            for (int i = 0; i < dims.length; i++) {
                json.append(i > 0 ? "," : "").append(dims[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, Tensor t, ByteBuffer chunk) throws IOException {
        int n = t.numel();
        if (t.dtype() == DType.FLOAT32) {
            float[] a = t.f32();
            int perChunk = CHUNK_BYTES / Float.BYTES;
            for (int from = 0; from < n; from += perChunk) {
                int count = Math.min(perChunk, n - from);
                chunk.clear();
                chunk.asFloatBuffer().put(a, from, count);
                chunk.limit(count * Float.BYTES);
                writeFully(ch, chunk);
            }
        } else {
            double[] a = t.f64();
            int perChunk = CHUNK_BYTES / Double.BYTES;
            for (int from = 0; from < n; from += perChunk) {
                int count = Math.min(perChunk, n - from);
                chunk.clear();
                chunk.asDoubleBuffer().put(a, from, count);
                chunk.limit(count * Double.BYTES);
                writeFully(ch, chunk);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the rename durable where the platform allows (POSIX); elsewhere the rename stands as is. */

    private static byte[] utf8(String s, String what) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer b = encoder.encode(CharBuffer.wrap(s));
            return Arrays.copyOf(b.array(), b.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("safetensors: " + what + " '" + s + "' is not valid Unicode "
                    + "(unpaired surrogate)", e);
        }
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    // ---- reading ----------------------------------------------------------------------------------

    /** One header entry, validated on its own. */
    private record Entry(String name, DType dtype, Shape shape, long begin, long end) {
    }

    /**
     * Reads and validates a whole safetensors file (see the class comment for the checks).
     *
     * @throws SafetensorsFormatException naming the file, the entry and the problem, if the file breaks the
     *                                    format or holds a dtype other than F32/F64
     * @throws IOException                if the file cannot be read
     */
    public static Contents read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsFormatException(path, null, "file is " + size
                        + " bytes, shorter than the 8-byte header length (truncated?)", -1);
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0, path);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(path, null, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes", 0);
            }
            if (headerLength > size - 8) {
                throw new SafetensorsFormatException(path, null, "header length " + headerLength + " exceeds the "
                        + (size - 8) + " bytes after the length field (truncated?)", 0);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBytes, 8, path);
            String headerText = decodeUtf8(headerBytes.flip(), path);
            long dataStart = 8 + headerLength;
            long bufferLength = size - dataStart;

            Map<String, Object> header = parseHeader(headerText, path);
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals(METADATA_KEY)) {
                    metadata = metadata(e.getValue(), path);
                } else {
                    Entry entry = entry(e.getKey(), e.getValue(), path);
                    if (entry.end > bufferLength) {
                        throw new SafetensorsFormatException(path, entry.name, "data_offsets [" + entry.begin + ", "
                                + entry.end + "] extend past the end of the " + bufferLength
                                + "-byte data buffer (truncated?)", dataStart + entry.begin);
                    }
                    entries.add(entry);
                }
            }
            checkTiling(entries, bufferLength, dataStart, path);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry entry : entries) {
                tensors.put(entry.name, readData(ch, entry, dataStart, chunk, path));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static String decodeUtf8(ByteBuffer bytes, Path path) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new SafetensorsFormatException(path, null, "header is not valid UTF-8", 8L + bytes.position());
        }
        return out.flip().toString();
    }

    private static Map<String, Object> parseHeader(String text, Path path) throws SafetensorsFormatException {
        if (!text.startsWith("{")) {
            throw new SafetensorsFormatException(path, null, "header is not a JSON object: it must begin with '{'", 8);
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> header = (Map<String, Object>) Json.parse(text);
            return header;
        } catch (Json.SyntaxException e) {
            long byteIndex = text.substring(0, e.index()).getBytes(StandardCharsets.UTF_8).length;
            throw new SafetensorsFormatException(path, null, "header is not valid JSON: " + e.getMessage(), 8 + byteIndex);
        }
    }

    private static Map<String, String> metadata(Object value, Path path) throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(path, METADATA_KEY, "must be a JSON object of strings, got "
                    + jsonType(value), -1);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafetensorsFormatException(path, METADATA_KEY, "value of key '" + e.getKey()
                        + "' must be a string, got " + jsonType(e.getValue()), -1);
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object value, Path path) throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> info)) {
            throw format(path, name, "must be a JSON object with dtype, shape and data_offsets, got " + jsonType(value));
        }
        for (Object field : info.keySet()) {
            if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
                throw format(path, name, "unexpected field '" + field + "' (allowed: dtype, shape, data_offsets)");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) {
            throw format(path, name, "'dtype' must be a string, got " + jsonType(info.get("dtype")));
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeName);
        } catch (IllegalArgumentException e) {
            throw format(path, name, "unknown or unsupported dtype '" + dtypeName + "' (ELBO reads F32 and F64)");
        }
        List<?> shapeList = list(info.get("shape"), "shape", path, name);
        int[] dims = new int[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = integer(shapeList.get(i), "shape[" + i + "]", path, name);
            if (d > Integer.MAX_VALUE) {
                throw format(path, name, "shape[" + i + "] = " + d + " is larger than 2^31-1");
            }
            dims[i] = (int) d;
            elements = Math.multiplyExact(elements, d); // both factors < 2^31: cannot overflow a long
            if (elements > Integer.MAX_VALUE) {
                throw format(path, name, "shape " + shapeList + " has more than 2^31-1 elements, the most an ELBO "
                        + "tensor holds");
            }
        }
        List<?> offsets = list(info.get("data_offsets"), "data_offsets", path, name);
        if (offsets.size() != 2) {
            throw format(path, name, "'data_offsets' must be [begin, end], got " + offsets.size() + " numbers");
        }
        long begin = integer(offsets.get(0), "data_offsets[0]", path, name);
        long end = integer(offsets.get(1), "data_offsets[1]", path, name);
        if (end < begin) {
            throw format(path, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expectedBytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        if (end - begin != expectedBytes) {
            throw format(path, name, "byte count mismatch: data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin) + " bytes but " + dtypeName + " " + Arrays.toString(dims) + " needs " + elements
                    + " × " + dtype.byteSize() + " = " + expectedBytes);
        }
        return new Entry(name, dtype, Shape.of(dims), begin, end);
    }

    private static List<?> list(Object value, String field, Path path, String name) throws SafetensorsFormatException {
        if (value == null) {
            throw format(path, name, "missing field '" + field + "'");
        }
        if (!(value instanceof List<?> list)) {
            throw format(path, name, "'" + field + "' must be an array, got " + jsonType(value));
        }
        return list;
    }

    /** A non-negative JSON integer that fits a long. */
    private static long integer(Object value, String field, Path path, String name) throws SafetensorsFormatException {
        if (value instanceof Long v) {
            if (v < 0) {
                throw format(path, name, field + " = " + v + " is negative");
            }
            return v;
        }
        if (value instanceof BigInteger v) {
            throw format(path, name, field + " = " + v + " is out of range");
        }
        throw format(path, name, field + " must be a non-negative integer, got " + jsonType(value)
                + (value instanceof Double ? " " + value : ""));
    }

    private static void checkTiling(List<Entry> entries, long bufferLength, long dataStart, Path path)
            throws SafetensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.begin < expected) {
                throw new SafetensorsFormatException(path, e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor '" + previous + "', which ends at " + expected, dataStart + e.begin);
            }
            if (e.begin > expected) {
                throw new SafetensorsFormatException(path, e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] leave a gap of " + (e.begin - expected) + " bytes after "
                        + (previous == null ? "the start of the data buffer" : "tensor '" + previous + "'")
                        + " (offsets must be contiguous)", dataStart + expected);
            }
            expected = e.end;
            previous = e.name;
        }
        if (expected != bufferLength) {
            throw new SafetensorsFormatException(path, null, "the data buffer has " + bufferLength
                    + " bytes but the tensors end at " + expected + " (trailing bytes after the last tensor)",
                    dataStart + expected);
        }
    }

    private static Tensor readData(FileChannel ch, Entry entry, long dataStart, ByteBuffer chunk, Path path)
            throws IOException {
        int n = entry.shape.numel();
        long position = dataStart + entry.begin;
        if (entry.dtype == DType.FLOAT32) {
            float[] a = new float[n];
            int perChunk = CHUNK_BYTES / Float.BYTES;
            for (int from = 0; from < n; from += perChunk) {
                int count = Math.min(perChunk, n - from);
                chunk.clear().limit(count * Float.BYTES);
                readFully(ch, chunk, position, path);
                chunk.flip().asFloatBuffer().get(a, from, count);
                position += (long) count * Float.BYTES;
            }
            return Tensor.wrap(a, entry.shape);
        }
        double[] a = new double[n];
        int perChunk = CHUNK_BYTES / Double.BYTES;
        for (int from = 0; from < n; from += perChunk) {
            int count = Math.min(perChunk, n - from);
            chunk.clear().limit(count * Double.BYTES);
            readFully(ch, chunk, position, path);
            chunk.flip().asDoubleBuffer().get(a, from, count);
            position += (long) count * Double.BYTES;
        }
        return Tensor.wrap(a, entry.shape);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int read = ch.read(buf, p);
            if (read < 0) {
                throw new SafetensorsFormatException(path, null, "unexpected end of file (did it shrink while being read?)", p);
            }
            p += read;
        }
    }

    private static SafetensorsFormatException format(Path path, String name, String problem) {
        return new SafetensorsFormatException(path, name, problem, -1);
    }

    private static String jsonType(Object v) {
        if (v == null) {
            return "nothing (missing)";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "an integer";
        }
        if (v instanceof Double) {
            return "a non-integer number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "null";
    }
}
