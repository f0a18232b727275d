package elbo.models.train;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.data.Dataset;
import elbo.models.report.Canvas;
import elbo.models.report.Figure;
import elbo.models.report.ImageGrid;
import elbo.models.report.LatentScatter;
import elbo.models.report.LineChart;
import elbo.models.vae.Vae;
import elbo.models.vae.prior.VampPrior;
import elbo.nn.dist.Distribution;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

/**
 * The pictures of a run directory, each titled with what it shows:
 * <ul>
 *   <li>{@code samples.png}: {@code E[x|z]} for {@code z ~ p(z)};</li>
 *   <li>{@code reconstructions.png}: validation images above, {@code E[x|z]} at their posterior means below;</li>
 *   <li>{@code curves.png}: train and validation ELBO and KL per epoch;</li>
 *   <li>{@code pseudo_inputs.png} (VampPrior): the learned pseudo-inputs {@code u_k};</li>
 *   <li>{@code latent.png} (D = 2): validation encodings coloured by label over the prior's density.</li>
 * </ul>
 */
public final class RunFigures {
    private static final long FIGURE_SEED = 0xF16L;

    private RunFigures() {
    }

    /** Every picture of a finished run. */
    public static void writeAll(RunDirectory run, Vae vae, TrainConfig config, Dataset data, Binarizer binarizer)
            throws IOException {
        int[] shape = config.imageShape();
        int scale = scale(shape[0]);
        samples(run, vae, config, 64, new Rng(FIGURE_SEED), "samples.png");
        Tensor valid = binarizer.fixed(data.validation());
        int n = Math.min(16, valid.dim(0));
        Tensor inputs = valid.narrow(0, 0, n);
        Tensor means = vae.reconstruct(inputs, new Rng(FIGURE_SEED));
        if (binarizer.isStochastic() || !data.binary()) {
            // the inputs the model saw are binarised grey levels: show the grey images too, or 8 × 8 digits
            // drawn by Bernoulli pixels are hard to recognise
            Tensor grey = Binarizer.intensities(data.validation(), n);
            Figure.caption("RECONSTRUCTIONS: " + config.runName(), Figure.panels(1,
                    ImageGrid.grid("VALIDATION IMAGES (GREY LEVELS)", grey.toFloatArray(), n, shape[0], shape[1], 8,
                            scale),
                    ImageGrid.grid("BINARISED: THE INPUTS X", inputs.toFloatArray(), n, shape[0], shape[1], 8, scale),
                    ImageGrid.grid("E[X|Z] AT THE POSTERIOR MEAN", means.toFloatArray(), n, shape[0], shape[1], 8,
                            scale)), 2)
                    .writePng(run.file("reconstructions.png"));
        } else {
            ImageGrid.pairs("RECONSTRUCTIONS: " + config.runName(), "VALIDATION IMAGES", inputs.toFloatArray(),
                    "E[X|Z] AT THE POSTERIOR MEAN", means.toFloatArray(), n, shape[0], shape[1], 8, scale)
                    .writePng(run.file("reconstructions.png"));
        }
        curves(run);
        if (vae.prior() instanceof VampPrior vamp) {
            Tensor u = vamp.pseudoInputs();
            int k = Math.min(64, u.dim(0));
            ImageGrid.grid(String.format(Locale.ROOT, "VAMPPRIOR PSEUDO-INPUTS (FIRST %d OF %d)", k, u.dim(0)),
                    u.narrow(0, 0, k).toFloatArray(), k, shape[0], shape[1], 8, scale)
                    .writePng(run.file("pseudo_inputs.png"));
        }
        if (vae.latentSize() == 2) {
            latent(run, vae, config, valid, data.validation().labels());
        }
    }

    /** {@code count} samples {@code E[x|z], z ~ p(z)} as a grid in the run's file {@code name}. */
    public static void samples(RunDirectory run, Vae vae, TrainConfig config, int count, Rng rng, String name)
            throws IOException {
        int[] shape = config.imageShape();
        Tensor x = vae.sampleMeans(count, rng);
        ImageGrid.grid("SAMPLES E[X|Z], Z ~ P(Z): " + config.runName(), x.toFloatArray(), count, shape[0], shape[1],
                        (int) Math.ceil(Math.sqrt(count)), scale(shape[0]))
                .writePng(run.file(name));
    }

    /** {@code curves.png} from {@code metrics.jsonl} (nothing if no epoch has finished). */
    public static void curves(RunDirectory run) throws IOException {
        List<Map<String, Object>> rows = run.readMetrics();
        if (rows.isEmpty()) {
            return;
        }
        double[] trainElbo = column(rows, "train_elbo");
        double[] validElbo = column(rows, "valid_elbo");
        double[] trainKl = column(rows, "train_kl");
        double[] validKl = column(rows, "valid_kl");
        Canvas elbo = LineChart.chart(640, 400, "ELBO PER EPOCH (NATS)", "EPOCH", "NATS", List.of(
                LineChart.Series.of("TRAIN", trainElbo, Canvas.category(0)),
                LineChart.Series.of("VALIDATION", validElbo, Canvas.category(1))));
        Canvas kl = LineChart.chart(640, 400, "KL(Q(Z|X) || P(Z)) PER EPOCH", "EPOCH", "NATS", List.of(
                LineChart.Series.of("TRAIN", trainKl, Canvas.category(0)),
                LineChart.Series.of("VALIDATION", validKl, Canvas.category(1))));
        Figure.caption("TRAINING CURVES: " + run.path().getFileName(), Figure.panels(2, elbo, kl), 3)
                .writePng(run.file("curves.png"));
    }

    private static void latent(RunDirectory run, Vae vae, TrainConfig config, Tensor images, int[] labels)
            throws IOException {
        int n = Math.min(2000, images.dim(0));
        double[] z;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Distribution q = vae.posterior().q(images.narrow(0, 0, n));
            z = q.sample(new Rng(FIGURE_SEED), 1).squeeze(0).toDoubleArray();
        }
        double[] zx = new double[n];
        double[] zy = new double[n];
        for (int i = 0; i < n; i++) {
            zx[i] = z[2 * i];
            zy[i] = z[2 * i + 1];
        }
        int[] shown = labels == null ? null : java.util.Arrays.copyOf(labels, n);
        double[] extent = squareExtent(zx, zy);
        DoubleBinaryOperator logDensity = gridDensity(vae, extent, 200, images.dtype());
        Canvas canvas = new Canvas(720, 640, 0xFFFFFF);
        LatentScatter.draw(canvas, 0, 0, 720, 640, "LATENT SPACE: VALIDATION CODES Z ~ Q(Z|X) OVER THE "
                        + config.prior().toString().toUpperCase(Locale.ROOT) + " PRIOR",
                zx, zy, shown, logDensity, extent);
        canvas.writePng(run.file("latent.png"));
    }

    /** A square region around the codes (and the prior's bulk, ±3), so the density looks round. */
    private static double[] squareExtent(double[] zx, double[] zy) {
        double lo = -3;
        double hi = 3;
        for (int i = 0; i < zx.length; i++) {
            if (Double.isFinite(zx[i]) && Double.isFinite(zy[i])) {
                lo = Math.min(lo, Math.min(zx[i], zy[i]));
                hi = Math.max(hi, Math.max(zx[i], zy[i]));
            }
        }
        double margin = 0.05 * (hi - lo);
        return new double[] {lo - margin, hi + margin, lo - margin, hi + margin};
    }

    /**
     * {@code log p(z)} of the prior on a {@code cells × cells} grid over {@code extent}, evaluated in one
     * batch, looked up at the nearest cell (the scatter plot asks once per pixel block).
     */
    private static DoubleBinaryOperator gridDensity(Vae vae, double[] extent, int cells, DType dtype) {
        double[] points = new double[cells * cells * 2];
        double dx = (extent[1] - extent[0]) / cells;
        double dy = (extent[3] - extent[2]) / cells;
        for (int r = 0; r < cells; r++) {
            for (int c = 0; c < cells; c++) {
                points[2 * (r * cells + c)] = extent[0] + (c + 0.5) * dx;
                points[2 * (r * cells + c) + 1] = extent[2] + (r + 0.5) * dy;
            }
        }
        double[] logP = new double[cells * cells];
        int chunk = 500;                            // a mixture prior is [chunk, components, 2] at once
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Distribution prior = vae.prior().p();
            for (int from = 0; from < logP.length; from += chunk) {
                int m = Math.min(chunk, logP.length - from);
                double[] part = java.util.Arrays.copyOfRange(points, 2 * from, 2 * (from + m));
                double[] values = prior.logProb(Tensor.of(part, m, 2).cast(dtype)).toDoubleArray();
                System.arraycopy(values, 0, logP, from, m);
            }
        }
        return (a, b) -> {
            int c = Math.max(0, Math.min(cells - 1, (int) ((a - extent[0]) / dx)));
            int r = Math.max(0, Math.min(cells - 1, (int) ((b - extent[2]) / dy)));
            return logP[r * cells + c];
        };
    }

    private static double[] column(List<Map<String, Object>> rows, String key) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            Object o = rows.get(i).get(key);
            v[i] = o instanceof Number num ? num.doubleValue() : Double.NaN;
        }
        return v;
    }

    private static int scale(int height) {
        return height <= 8 ? 6 : 2;
    }
}
