package elbo.nn.io;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Module;
import elbo.nn.StateDictException;
import elbo.nn.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints: a module's state dict, optionally an optimizer's, and string metadata in one
 * {@link Safetensors} file, for exact resume.
 *
 * <p><b>Layout.</b> The module's state dict is stored under the prefix {@value #MODEL_PREFIX}
 * ({@code model.encoder.0.weight}), the optimizer's under {@value #OPTIMIZER_PREFIX}
 * ({@code optim.step}, {@code optim.exp_avg.encoder.0.weight}); the metadata map gets the entry
 * {@value #FORMAT_KEY} = {@value #FORMAT_VERSION} in addition to the caller's. Being plain safetensors,
 * the file opens in Python: {@code safetensors.numpy.load_file(path)}.
 *
 * <p><b>Exact resume.</b> Put everything else the run depends on in the metadata: the run configuration,
 * the epoch and step, and the state of every random generator ({@link #rngState(Rng)} /
 * {@link #rngFromState(String)}). Then, with the same code, a run saved and resumed produces the same
 * bits as a run that never stopped:
 * <pre>{@code
 * Checkpoint.save(path, model, opt, Map.of("epoch", "12", "rng", Checkpoint.rngState(rng)));
 * ...
 * Map<String, String> meta = Checkpoint.load(path, freshModel, freshOpt);
 * Rng rng = Checkpoint.rngFromState(meta.get("rng"));
 * }</pre>
 *
 * <p><b>Loading is all or nothing.</b> {@link #load} reads and validates the whole file, then checks
 * every tensor against the module's and the optimizer's state dicts (names, shapes, dtypes, and the
 * optimizer's values), and only then copies, from the freshly read (staging) tensors. A bad or
 * mismatched file throws and leaves both the module and the optimizer exactly as they were.
 */
public final class Checkpoint {
    /** Prefix of the module's state-dict entries. */
    public static final String MODEL_PREFIX = "model.";
    /** Prefix of the optimizer's state-dict entries. */
    public static final String OPTIMIZER_PREFIX = "optim.";
    /** Metadata key identifying an ELBO checkpoint and its layout version. */
    public static final String FORMAT_KEY = "elbo.checkpoint";
    /** The layout version written by this class. */
    public static final String FORMAT_VERSION = "1";

    private Checkpoint() {
    }

    /**
     * Writes {@code module}'s state dict, {@code optimizer}'s (if not {@code null}) and {@code metadata}
     * to {@code path}, atomically (see {@link Safetensors#write}).
     *
     * @throws IllegalArgumentException if {@code metadata} uses the reserved key {@value #FORMAT_KEY}, or
     *                                  a name or string is not valid Unicode
     * @throws IOException              if the file cannot be written; {@code path} is then untouched
     */
    public static void save(Path path, Module module, Optimizer optimizer, Map<String, String> metadata)
            throws IOException {
        if (metadata.containsKey(FORMAT_KEY)) {
            throw new IllegalArgumentException("Checkpoint.save: metadata key '" + FORMAT_KEY + "' is reserved");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        module.stateDict().forEach((name, t) -> tensors.put(MODEL_PREFIX + name, t));
        if (optimizer != null) {
            optimizer.stateDict().forEach((name, t) -> tensors.put(OPTIMIZER_PREFIX + name, t));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(FORMAT_KEY, FORMAT_VERSION);
        Safetensors.write(path, tensors, meta);
    }

    /**
     * Loads a checkpoint into {@code module} and, if not {@code null}, {@code optimizer} (whose state the
     * file must then contain; with a {@code null} optimizer any optimizer state in the file is ignored,
     * e.g. to evaluate a training checkpoint). Validates everything before copying anything.
     *
     * @return the file's metadata (including {@value #FORMAT_KEY})
     * @throws SafetensorsFormatException   if the file breaks the safetensors format
     * @throws CheckpointMismatchException  if the file does not fit: a tensor missing, unexpected, or of
     *                                      another shape or dtype, an optimizer state the optimizer rejects,
     *                                      or an unknown checkpoint version
     * @throws IOException                  if the file cannot be read
     */
    public static Map<String, String> load(Path path, Module module, Optimizer optimizer) throws IOException {
        Safetensors.Contents contents = Safetensors.read(path);
        String version = contents.metadata().get(FORMAT_KEY);
        if (version != null && !version.equals(FORMAT_VERSION)) {
            throw new CheckpointMismatchException(path, FORMAT_KEY, "checkpoint layout version '" + version
                    + "' is not supported (this ELBO reads version " + FORMAT_VERSION + ")");
        }
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(MODEL_PREFIX)) {
                modelState.put(name.substring(MODEL_PREFIX.length()), e.getValue());
            } else if (name.startsWith(OPTIMIZER_PREFIX)) {
                optimizerState.put(name.substring(OPTIMIZER_PREFIX.length()), e.getValue());
            } else {
                throw new CheckpointMismatchException(path, name, "unexpected tensor: names must start with '"
                        + MODEL_PREFIX + "' or '" + OPTIMIZER_PREFIX + "'");
            }
        }
        checkFits(path, MODEL_PREFIX, "the module", module.stateDict(), modelState);
        if (optimizer != null) {
            if (optimizerState.isEmpty()) {
                throw new CheckpointMismatchException(path, null, "no optimizer state ('" + OPTIMIZER_PREFIX
                        + "*' tensors) in the file, but an optimizer was given to load it into");
            }
            checkFits(path, OPTIMIZER_PREFIX, "the optimizer", optimizer.stateDict(), optimizerState);
            try {
                optimizer.validateStateDict(optimizerState);
            } catch (StateDictException e) {
                throw new CheckpointMismatchException(path, null, "optimizer state rejected: " + e.getMessage());
            }
        }
        module.loadStateDict(modelState);
        if (optimizer != null) {
            optimizer.loadStateDict(optimizerState);
        }
        return contents.metadata();
    }

    /**
     * Checks that {@code incoming} has exactly the names of {@code own}, each with the same shape and dtype.
     */
    private static void checkFits(Path path, String prefix, String target, Map<String, Tensor> own,
                                  Map<String, Tensor> incoming) throws CheckpointMismatchException {
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor expected = e.getValue();
            Tensor found = incoming.get(e.getKey());
            if (found == null) {
                throw new CheckpointMismatchException(path, prefix + e.getKey(), "missing tensor: " + target
                        + " has " + expected.dtype() + " " + expected.shape());
            }
            if (!found.shape().equals(expected.shape())) {
                throw new CheckpointMismatchException(path, prefix + e.getKey(), "shape " + found.shape() + " but "
                        + target + " has " + expected.shape());
            }
            if (found.dtype() != expected.dtype()) {
                throw new CheckpointMismatchException(path, prefix + e.getKey(), "dtype " + found.dtype() + " but "
                        + target + " has " + expected.dtype());
            }
        }
        for (String name : incoming.keySet()) {
            if (!own.containsKey(name)) {
                throw new CheckpointMismatchException(path, prefix + name, "unexpected tensor: " + target
                        + " has no entry '" + name + "'");
            }
        }
    }

    // ---- random generator state -------------------------------------------------------------------

    /**
     * The state of {@code rng} as a metadata string: its four 64-bit words as 16-digit hex, comma-separated
     * ({@code "0123456789abcdef,..."}).
     */
    public static String rngState(Rng rng) {
        long[] s = rng.state();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            sb.append(i > 0 ? "," : "").append(String.format("%016x", s[i]));
        }
        return sb.toString();
    }

    /**
     * A generator continuing exactly from a state written by {@link #rngState(Rng)}.
     *
     * @throws IllegalArgumentException if {@code state} is not four comma-separated 16-digit hex words, or
     *                                  is all zero
     */
    public static Rng rngFromState(String state) {
        String[] words = state.split(",", -1);
        if (words.length != 4) {
            throw new IllegalArgumentException("rngFromState: expected 4 comma-separated hex words, got '" + state + "'");
        }
        long[] s = new long[4];
        for (int i = 0; i < 4; i++) {
            if (!words[i].matches("[0-9a-fA-F]{16}")) {
                throw new IllegalArgumentException("rngFromState: word " + i + " '" + words[i]
                        + "' is not 16 hex digits in '" + state + "'");
            }
            s[i] = Long.parseUnsignedLong(words[i], 16);
        }
        return Rng.fromState(s);
    }
}
