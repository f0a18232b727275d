package elbo.models.cli;

import elbo.core.kernels.Parallel;
import elbo.models.config.OptionException;
import elbo.models.config.Overrides;
import elbo.models.theory.TheoryReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./elbo lecture --part=theory}: the lecture's theorems as figures and numbers (see
 * {@link TheoryReport}). The MNIST report ({@code --part=mnist}) is a later step.
 */
final class LectureCommand {
    private LectureCommand() {
    }

    /** The parts of the report. */
    enum Part { THEORY;
        @Override public String toString() { return name().toLowerCase(Locale.ROOT); } }

    /**
     * @param part    which part: theory
     * @param out     the output directory
     * @param seed    seeds every model and draw
     * @param quick   small sample sizes (a smoke test; not the numbers to quote)
     * @param threads compute threads (0: all cores)
     */
    record LectureConfig(Part part, String out, long seed, boolean quick, int threads) {
        LectureConfig {
            if (out.isEmpty()) {
                throw new OptionException("--out must name a directory");
            }
            if (threads < 0) {
                throw new OptionException("--threads must be at least 0, got " + threads);
            }
        }

        static LectureConfig defaults() {
            return new LectureConfig(Part.THEORY, "runs/lecture", 1L, false, 0);
        }
    }

    static void run(List<String> args) throws Exception {
        LectureConfig config = Overrides.apply(LectureConfig.defaults(), args);
        System.out.print(Overrides.describe(config));
        Parallel.setThreads(config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads());
        Path out = Path.of(config.out());
        Map<String, Object> json = new TheoryReport(out, config.seed(), config.quick()).run(System.out);
        System.out.printf(Locale.ROOT, "wrote %s: ladder.png, ladder.md, iwae_posterior.png, snr.png, surgery.md, "
                + "theory.json (%.0f s)%n", out.toAbsolutePath(), ((Number) json.get("seconds")).doubleValue());
    }
}
