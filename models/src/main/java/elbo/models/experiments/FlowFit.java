package elbo.models.experiments;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.models.config.Overrides;
import elbo.models.report.Canvas;
import elbo.nn.Module;
import elbo.nn.dist.Distribution;
import elbo.nn.dist.StandardNormal;
import elbo.nn.dist.TransformedDistribution;
import elbo.nn.flow.Bijector;
import elbo.nn.flow.Flows;
import elbo.nn.flow.Inverted;
import elbo.nn.flow.PlanarStack;
import elbo.nn.optim.Adam;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Fits a normalizing flow to a 2-D toy density by maximum likelihood and reports what it learned.
 *
 * <p>The model is {@code p(x) = N(u; 0, I) · |det ∂u/∂x|} with {@code u = f⁻¹(x)}: RealNVP, MAF and IAF are
 * used in the generative orientation (forward maps noise to data), so their {@code logProb} evaluates
 * the inverse — one pass for RealNVP and MAF, D sequential passes for IAF. The planar flow has no
 * closed-form inverse, so it is fitted in the normalizing orientation ({@code u = f(x)}, forward only),
 * and its samples are drawn by inverting it numerically.
 *
 * <p>Outputs in {@code out}: {@code density.png} (three panels: a histogram of held-out data, the learned
 * density on the same grid, a histogram of model samples) and {@code summary.json} with
 * {@code test_loglik} (mean held-out log-likelihood, nats), {@code baseline_gaussian_loglik} (the same
 * for the maximum-likelihood full-covariance Gaussian of the training data) and {@code seconds_per_step}.
 */
public final class FlowFit {
    private FlowFit() {
    }

    /** The experiment's settings; defaults in {@link #defaults()}. */
    public record Config(
            String density,   // moons | gaussians | rings | checkerboard
            String flow,      // realnvp | maf | iaf | planar
            int layers,       // coupling / MADE / planar layers; 0 = the flow's default (8, 8, 8, 32)
            int hidden,       // hidden width of the conditioner networks
            int steps,        // Adam steps
            int batch,        // minibatch size
            double lr,        // Adam learning rate
            int trainSize,    // training points drawn from the density
            int testSize,     // held-out points for test_loglik
            long seed,        // seeds data, initialisation and minibatches
            String out) {     // output directory; "" = runs/flows-<density>-<flow>

        public Config {
            if (steps <= 0 || batch <= 0 || trainSize <= 0 || testSize <= 0 || hidden <= 0 || layers < 0) {
                throw new IllegalArgumentException("steps, batch, trainSize, testSize and hidden must be positive "
                        + "and layers >= 0");
            }
            if (!(lr > 0)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            ToyDensity.parse(density);
            FlowKind.parse(flow);
        }

        public static Config defaults() {
            return new Config("moons", "realnvp", 0, 64, 2000, 256, 2e-3, 20000, 5000, 0L, "");
        }

        Path outDir() {
            return Path.of(out.isEmpty() ? "runs/flows-" + density.toLowerCase(Locale.ROOT) + "-"
                    + flow.toLowerCase(Locale.ROOT) : out);
        }
    }

    /** The four flows of the experiment. */
    public enum FlowKind {
        REALNVP, MAF, IAF, PLANAR;

        static FlowKind parse(String name) {
            for (FlowKind k : values()) {
                if (k.name().equalsIgnoreCase(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown flow '" + name + "'; expected realnvp, maf, iaf or planar");
        }

        int defaultLayers() {
            return this == PLANAR ? 32 : 8;
        }
    }

    /** What a run measured. */
    public record Summary(double testLoglik, double baselineGaussianLoglik, double secondsPerStep,
                          double finalTrainLoss, long parameters) {
    }

    /** A fitted model: its density, its parameters and a way to draw samples. */
    private record Model(Distribution density, Module parameters, Sampler sampler) {
    }

    @FunctionalInterface
    private interface Sampler {
        Tensor sample(Rng rng, int n);
    }

    static final DType DTYPE = DType.FLOAT32;
    private static final double BOX = 4.0;   // pictures and grids cover [-BOX, BOX]²
    private static final int GRID = 128;     // cells per side of the pictures

    /**
     * Runs the experiment, printing progress to {@code log}.
     *
     * @throws IOException if the output directory or files cannot be written
     */
    public static Summary run(Config c, PrintStream log) throws IOException {
        ToyDensity density = ToyDensity.parse(c.density());
        FlowKind kind = FlowKind.parse(c.flow());
        Path dir = c.outDir();
        Files.createDirectories(dir);

        Rng dataRng = new Rng(c.seed());
        Tensor train = density.sample(dataRng, c.trainSize(), DTYPE);
        Tensor test = density.sample(dataRng, c.testSize(), DTYPE);
        Model model = build(kind, c.layers() == 0 ? kind.defaultLayers() : c.layers(), c.hidden(), new Rng(c.seed() + 1));
        Adam adam = new Adam(model.parameters(), c.lr());
        log.printf(Locale.ROOT, "%s flow, %,d parameters, fitting %s (%,d train / %,d test points)%n",
                kind.name().toLowerCase(Locale.ROOT), model.parameters().parameterCount(),
                density.name().toLowerCase(Locale.ROOT), c.trainSize(), c.testSize());

        Rng batchRng = new Rng(c.seed() + 2);
        long start = System.nanoTime();
        double loss = Double.NaN;
        for (int step = 1; step <= c.steps(); step++) {
            int[] idx = new int[c.batch()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = batchRng.nextInt(c.trainSize());
            }
            try (Workspace ws = Workspace.open()) { // the step's temporaries reuse the last step's storage
                Tensor nll = model.density().logProb(train.indexSelect(0, idx)).mean().neg();
                adam.zeroGrad();
                nll.backward();
                adam.step();
                loss = nll.item();
            }
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged at step " + step + " (loss " + loss
                        + "); try a smaller --lr");
            }
            if (step % Math.max(1, c.steps() / 10) == 0 || step == c.steps()) {
                log.printf(Locale.ROOT, "  step %5d/%d  train nll %.4f  (%.1f s)%n", step, c.steps(), loss,
                        (System.nanoTime() - start) / 1e9);
            }
        }
        double secondsPerStep = (System.nanoTime() - start) / 1e9 / c.steps();

        double testLoglik;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            testLoglik = model.density().logProb(test).mean().item();
        }
        double baseline = GaussianBaseline.fit(train.toDoubleArray()).meanLogDensity(test.toDoubleArray());
        Summary summary = new Summary(testLoglik, baseline, secondsPerStep, loss, model.parameters().parameterCount());

        drawFigure(dir.resolve("density.png"), test, model, new Rng(c.seed() + 3));
        writeSummary(dir.resolve("summary.json"), c, summary);
        log.printf(Locale.ROOT, "test log-likelihood %.4f nats (full-covariance Gaussian %.4f; gain %.4f)%n",
                testLoglik, baseline, testLoglik - baseline);
        log.printf(Locale.ROOT, "%.2f ms per step; wrote %s and %s%n", secondsPerStep * 1e3,
                dir.resolve("density.png"), dir.resolve("summary.json"));
        return summary;
    }

    private static Model build(FlowKind kind, int layers, int hidden, Rng rng) {
        StandardNormal base = new StandardNormal(2, DTYPE);
        return switch (kind) {
            case REALNVP -> generative(base, Flows.realNvp(2, layers, hidden, DTYPE, rng));
            case MAF -> generative(base, Flows.maf(2, layers, hidden, DTYPE, rng));
            case IAF -> generative(base, Flows.iaf(2, layers, hidden, DTYPE, rng));
            case PLANAR -> {
                // Normalizing orientation: u = f(x) with f the planar stack; log p(x) = log N(f(x)) + log|det f'(x)|.
                PlanarStack planar = Flows.planar(2, layers, DTYPE, rng);
                TransformedDistribution density = new TransformedDistribution(base, new Inverted(planar));
                yield new Model(density, planar, (r, n) -> planar.numericalInverse(base.sample(r, n)));
            }
        };
    }

    private static <F extends Module & Bijector> Model generative(StandardNormal base, F flow) {
        TransformedDistribution density = new TransformedDistribution(base, flow);
        return new Model(density, flow, (r, n) -> density.sample(r, n));
    }

    // ---- report -------------------------------------------------------------------------------

    /** Three panels (data, model density, samples) of GRID² cells over [-BOX, BOX]². */
    private static void drawFigure(Path file, Tensor data, Model model, Rng rng) throws IOException {
        int cell = 2, panel = GRID * cell, pad = 12, header = 24;
        Canvas canvas = new Canvas(3 * panel + 4 * pad, panel + header + pad, 0xFFFFFF);
        double[] dens;
        Tensor samples;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Tensor grid = gridPoints();
            Tensor logp = model.density().logProb(grid);
            dens = logp.exp().toDoubleArray();
            samples = model.sampler().sample(rng, Math.max(20000, data.dim(0)));
        }
        String[] titles = {"HELD-OUT DATA", "MODEL DENSITY", "MODEL SAMPLES"};
        double[][] panels = {histogram(data), flipRows(dens), histogram(samples)};
        for (int p = 0; p < 3; p++) {
            int x0 = pad + p * (panel + pad);
            canvas.text(x0, 8, titles[p], 0x202020, 2);
            canvas.heatMap(x0, header, panels[p], GRID, GRID, cell);
        }
        canvas.writePng(file);
    }

    /** Cell centres of the grid, row-major with y increasing downwards in the array (flipped for display). */
    static Tensor gridPoints() {
        double[] xy = new double[2 * GRID * GRID];
        double h = 2 * BOX / GRID;
        for (int r = 0; r < GRID; r++) {
            for (int col = 0; col < GRID; col++) {
                xy[2 * (r * GRID + col)] = -BOX + (col + 0.5) * h;
                xy[2 * (r * GRID + col) + 1] = -BOX + (r + 0.5) * h;
            }
        }
        return Tensor.of(xy, GRID * GRID, 2).cast(DTYPE);
    }

    /** Counts of points per grid cell, top row = largest y. */
    private static double[] histogram(Tensor points) {
        double[] counts = new double[GRID * GRID];
        double h = 2 * BOX / GRID;
        for (int i = 0; i < points.dim(0); i++) {
            int col = (int) Math.floor((points.get(i, 0) + BOX) / h);
            int row = (int) Math.floor((points.get(i, 1) + BOX) / h);
            if (col >= 0 && col < GRID && row >= 0 && row < GRID) {
                counts[(GRID - 1 - row) * GRID + col]++;
            }
        }
        return counts;
    }

    private static double[] flipRows(double[] v) {
        double[] out = new double[v.length];
        for (int r = 0; r < GRID; r++) {
            System.arraycopy(v, r * GRID, out, (GRID - 1 - r) * GRID, GRID);
        }
        return out;
    }

    private static void writeSummary(Path file, Config c, Summary s) throws IOException {
        String json = String.format(Locale.ROOT, """
                {
                  "density": "%s",
                  "flow": "%s",
                  "test_loglik": %.6f,
                  "baseline_gaussian_loglik": %.6f,
                  "gain_over_gaussian": %.6f,
                  "seconds_per_step": %.6f,
                  "final_train_nll": %.6f,
                  "parameters": %d,
                  "config": %s
                }
                """, c.density().toLowerCase(Locale.ROOT), c.flow().toLowerCase(Locale.ROOT), s.testLoglik(),
                s.baselineGaussianLoglik(), s.testLoglik() - s.baselineGaussianLoglik(), s.secondsPerStep(),
                s.finalTrainLoss(), s.parameters(), Overrides.toJson(c));
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".summary-", ".tmp");
        try {
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
