package elbo.models.train;

import elbo.models.config.OptionException;
import elbo.nn.io.AtomicFiles;
import elbo.nn.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's directory: what {@code ./elbo train} leaves behind and {@code eval}, {@code sample} and
 * {@code --resume} read.
 *
 * <pre>
 *   config.json              the resolved configuration (command-line keys)
 *   metrics.jsonl            one JSON object per finished epoch
 *   summary.json             final figures; eval adds test_nll, ladder, active units, surgery
 *   checkpoint.safetensors   model + optimizer + where training stands (for --resume)
 *   best.safetensors         the model at its best validation ELBO (what eval and sample use)
 *   *.png                    samples, reconstructions, curves, pseudo-inputs, latent space
 * </pre>
 *
 * Every file but the append-only metrics is written atomically ({@link AtomicFiles}: a temporary sibling,
 * forced to disk, then a rename), so an interrupted run never leaves a half-written file; a torn last line
 * of the metrics (a crash mid-append) is dropped when the run resumes.
 */
public final class RunDirectory {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String BEST = "best.safetensors";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** The run in {@code dir} (which need not exist yet). */
    public static RunDirectory at(Path dir) {
        return new RunDirectory(dir.toAbsolutePath().normalize());
    }

    /**
     * An existing run: {@code dir} holding a {@code config.json}.
     *
     * @throws OptionException if it does not (the message names the directory and the option)
     */
    public static RunDirectory existing(Path dir, String option) {
        RunDirectory run = at(dir);
        if (!Files.isRegularFile(run.file(CONFIG))) {
            throw new OptionException(option + "=" + dir + ": not a run directory (no " + CONFIG + ")");
        }
        return run;
    }

    /**
     * As {@link #existing(Path, String)} for an option's raw value.
     *
     * @throws OptionException if the value is empty or names no run
     */
    public static RunDirectory existing(String dir, String option) {
        if (dir.isEmpty()) {
            throw new OptionException(option + "=DIR is required: a run directory written by ./elbo train");
        }
        return existing(Path.of(dir), option);
    }

    public Path path() {
        return dir;
    }

    /** A file of the run. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Whether the directory holds anything. */
    public boolean isNonEmpty() throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    /** Creates the directory (and its parents). */
    public void create() throws IOException {
        Files.createDirectories(dir);
    }

    /** Reads a JSON object file of the run. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> readJson(String name) throws IOException {
        Path f = file(name);
        String text = Files.readString(f, StandardCharsets.UTF_8);
        try {
            Object value = Json.parse(text);
            if (!(value instanceof Map<?, ?>)) {
                throw new IOException(f + ": expected a JSON object");
            }
            return new LinkedHashMap<>((Map<String, Object>) value);
        } catch (Json.SyntaxException e) {
            throw new IOException(f + ": character " + e.index() + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code value} as JSON to the run's file {@code name}, atomically. */
    public void writeJson(String name, Object value) throws IOException {
        writeAtomically(file(name), (Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code summary.json} with {@code entries} added or replaced (created if missing). */
    public void updateSummary(Map<String, Object> entries) throws IOException {
        Map<String, Object> summary = Files.exists(file(SUMMARY)) ? readJson(SUMMARY) : new LinkedHashMap<>();
        summary.putAll(entries);
        writeJson(SUMMARY, summary);
    }

    /** Appends one line to {@code metrics.jsonl}. */
    public void appendMetrics(Map<String, Object> epoch) throws IOException {
        Files.writeString(file(METRICS), Json.write(epoch) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The lines of {@code metrics.jsonl}, parsed (empty if there is none). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> readMetrics() throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        Path f = file(METRICS);
        if (!Files.exists(f)) {
            return rows;
        }
        int line = 0;
        for (String text : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            try {
                rows.add((Map<String, Object>) Json.parse(text));
            } catch (Json.SyntaxException | ClassCastException e) {
                throw new IOException(f + ": line " + line + " is not a JSON object: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    /**
     * Keeps the first {@code epochs} lines of {@code metrics.jsonl}: a resumed run drops the epochs it
     * finished after its last checkpoint, which it is about to run again.
     */
    public void truncateMetrics(int epochs) throws IOException {
        Path f = file(METRICS);
        String text = Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        int end = 0;
        for (int kept = 0; kept < epochs; kept++) {      // raw lines: a torn last line (a crash) is dropped unread
            int newline = text.indexOf('\n', end);
            if (newline < 0) {
                break;
            }
            end = newline + 1;
        }
        writeAtomically(f, text.substring(0, end).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target} all or nothing (see {@link AtomicFiles}). */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }
}
