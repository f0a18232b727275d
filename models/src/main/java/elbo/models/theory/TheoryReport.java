package elbo.models.theory;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.vae.Vae;
import elbo.models.vae.eval.ElboSurgery;
import elbo.models.vae.eval.ImportanceSampling;
import elbo.nn.io.AtomicFiles;
import elbo.nn.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./elbo lecture --part=theory}: the lecture's theorems computed on models whose truth is known, as
 * figures and numbers in one directory.
 *
 * <pre>
 *   ladder.png, ladder.md     L_1 ≤ L_5 ≤ … ≤ L_5000 ≤ log p(x) on a linear-Gaussian model (slide 6)
 *   iwae_posterior.png        the true posterior beside q_IW for K = 1, 10, 100 (slide 8)
 *   snr.png                   gradient SNR against K, log-log, with fitted slopes (slide 9)
 *   surgery.md                average KL = marginal KL + mutual information (slide 12)
 *   theory.json               snr_slope_*, ladder (L_K by K, with log_px), the rest of the numbers
 * </pre>
 *
 * @param out   the output directory
 * @param seed  seeds every model and draw
 * @param quick smaller sample sizes (a smoke test, not the figures to quote)
 */
public record TheoryReport(Path out, long seed, boolean quick) {

    /** Runs every part, printing progress to {@code log}; returns the contents of {@code theory.json}. */
    public Map<String, Object> run(PrintStream log) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> json = new LinkedHashMap<>();
        long start = System.nanoTime();
        ladder(json, log);
        log.printf(Locale.ROOT, "  ladder done (%.0f s)%n", seconds(start));
        iwaePosterior(json, log);
        log.printf(Locale.ROOT, "  IWAE posterior done (%.0f s)%n", seconds(start));
        surgery(json, log);
        log.printf(Locale.ROOT, "  ELBO surgery done (%.0f s)%n", seconds(start));
        snr(json, log);
        log.printf(Locale.ROOT, "  gradient SNR done (%.0f s)%n", seconds(start));
        json.put("seed", seed);
        json.put("quick", quick);
        json.put("seconds", seconds(start));
        write("theory.json", Json.write(json) + "\n");
        return json;
    }

    /** Slide 6: the ladder against the analytic evidence, with the predicted gap ρ/(2K) for large K. */
    private void ladder(Map<String, Object> json, PrintStream log) throws IOException {
        Rng rng = new Rng(seed);
        LinearGaussian model = LinearGaussian.random(rng, 5, 2, 1.0, 0.3, 1.0);
        double[] x = model.sample(rng);
        double[] eigen = model.posteriorCovarianceEigenvalues();
        double widest = eigen[eigen.length - 1];      // eigenvalues ascending
        double[] qMean = model.posteriorMean(x);
        double[] qVar = new double[qMean.length];
        double[] logVar = new double[qMean.length];
        for (int d = 0; d < qMean.length; d++) {
            qMean[d] += 0.25 * Math.sqrt(widest);     // off the posterior mean, and wider: w is bounded
            qVar[d] = 1.5 * widest;
            logVar[d] = Math.log(qVar[d]);
        }
        Vae vae = model.vae(new double[qMean.length][x.length], qMean, logVar);
        int replicates = quick ? 40 : 2000;
        double[] repeated = new double[replicates * x.length];
        for (int r = 0; r < replicates; r++) {
            System.arraycopy(x, 0, repeated, r * x.length, x.length);
        }
        int[] rungs = {1, 5, 50, 500, 5000};
        ImportanceSampling.Result result = ImportanceSampling.estimate(vae, Tensor.of(repeated, replicates, x.length),
                5000, rungs, new Rng(seed + 1));
        double logPx = model.logEvidence(x);
        double rho = model.relativeWeightVariance(x, qMean, qVar);
        StringBuilder md = new StringBuilder("# The IWAE bound ladder (Burda et al. 2015; lecture slide 6)\n\n")
                .append(String.format(Locale.ROOT, "Linear-Gaussian model p(z) = N(0, I_2), p(x|z) = N(Wz + b, "
                        + "σ²I_5) (random W, b, σ², seed %d); q(z|x) diagonal, 1.5 × the posterior's widest variance, "
                        + "mean shifted off the posterior's. E[L_K] over %d replicates, one x; log p(x) analytic. "
                        + "Predicted gap for large K: Var(w/E w)/(2K) with Var(w/E w) = %.4f.%n%n", seed, replicates,
                        rho))
                .append("| K | L_K | SE | log p(x) − L_K | gap / SE | Var(w)/(2K), large K only |\n"
                        + "|---|---|---|---|---|---|\n");
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < rungs.length; i++) {
            double gap = logPx - result.ladder()[i];
            md.append(String.format(Locale.ROOT, "| %d | %.5f | %.5f | %.5f | %.1f | %.5f |%n", rungs[i],
                    result.ladder()[i], result.ladderSe()[i], gap, gap / result.ladderSe()[i], rho / (2 * rungs[i])));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("k", rungs[i]);
            row.put("bound", result.ladder()[i]);
            row.put("se", result.ladderSe()[i]);
            row.put("gap", gap);
            row.put("predicted_gap", rho / (2 * rungs[i]));
            rows.add(row);
        }
        md.append(String.format(Locale.ROOT, "| log p(x) | %.5f | | | | |%n%n", logPx))
                .append("Rungs whose gap is within 3 SE of zero are Monte Carlo noise; the gap panel of ladder.png "
                        + "leaves them out.\n");
        write("ladder.md", md.toString());
        log.print(md);
        TheoryFigures.ladder(rungs, result.ladder(), result.ladderSe(), logPx, rho).writePng(out.resolve("ladder.png"));
        Map<String, Object> ladder = new LinkedHashMap<>();
        for (int i = 0; i < rungs.length; i++) {
            ladder.put(String.valueOf(rungs[i]), result.ladder()[i]);        // L_K by K, as the issue asks
        }
        ladder.put("log_px", logPx);
        ladder.put("relative_weight_variance", rho);
        ladder.put("rungs", rows);
        json.put("ladder", ladder);
    }

    /** Slide 8: SIR from q_IW against the grid posterior of a 2-D model with a bimodal posterior. */
    private void iwaePosterior(Map<String, Object> json, PrintStream log) throws IOException {
        IwaePosterior2d model = IwaePosterior2d.lectureDefault();
        double[][] grid = model.gridPosterior();
        int n = model.bins();
        int[] ks = {1, 10, 100};
        int samples = quick ? 20_000 : 200_000;
        List<double[]> panels = new ArrayList<>();
        double[] tv = new double[ks.length];
        Rng rng = new Rng(seed + 2);
        Map<String, Object> tvs = new LinkedHashMap<>();
        for (int i = 0; i < ks.length; i++) {
            IwaePosterior2d.Histogram h = model.sir(ks[i], samples, rng);
            tv[i] = IwaePosterior2d.totalVariation(h, grid);
            panels.add(image(h.p(), n));
            tvs.put(String.valueOf(ks[i]), tv[i]);
            log.printf(Locale.ROOT, "  q_IW with K = %3d: total variation to the grid posterior %.4f%n", ks[i], tv[i]);
        }
        TheoryFigures.iwaePosterior(image(grid, n), panels, ks, n, n, tv).writePng(out.resolve("iwae_posterior.png"));
        json.put("iwae_posterior_total_variation", tvs);
    }

    /** Slide 12 on the linear-Gaussian model with the exact posterior as encoder: q(z) is then p(z) itself. */
    private void surgery(Map<String, Object> json, PrintStream log) throws IOException {
        Rng rng = new Rng(seed + 3);
        LinearGaussian model = LinearGaussian.random(rng, 5, 2, 1.0, 0.3, 1.0);
        int n = quick ? 200 : 2000;
        double[] xs = new double[n * model.dataSize()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(model.sample(rng), 0, xs, i * model.dataSize(), model.dataSize());
        }
        double[][] a = model.posteriorEncoderWeight();
        double[] c = LinearGaussian.offsetFor(a, model.b(), new double[model.latentSize()]);
        double[][] s = model.posteriorCovariance();
        double[] logVar = new double[model.latentSize()];
        for (int d = 0; d < logVar.length; d++) {
            logVar[d] = Math.log(s[d][d]);            // the diagonal of the posterior: nearly the posterior
        }
        Vae vae = model.vae(a, c, logVar);
        ElboSurgery.Result r = ElboSurgery.of(vae, Tensor.of(xs, n, model.dataSize()), 500, new Rng(seed + 4));
        String md = String.format(Locale.ROOT, "# ELBO surgery (Hoffman & Johnson 2016; lecture slide 12)%n%n"
                        + "Linear-Gaussian model (D = 2, X = 5, seed %d), N = %d points drawn from it, encoder = the "
                        + "posterior's mean and diagonal variance, so the aggregate q(z) is close to p(z) and the "
                        + "marginal KL is small: the average KL is almost all mutual information. ± is the standard "
                        + "error over the N data points (their spread), not Monte Carlo error alone.%n%n"
                        + "| average KL | marginal KL(q(z) ‖ p(z)) | mutual information I_q | log N |%n|---|---|---|---|%n"
                        + "| %.4f ± %.4f | %.4f ± %.4f | %.4f ± %.4f | %.4f |%n", seed + 3, n, r.averageKl(),
                r.averageKlSe(), r.marginalKl(), r.marginalKlSe(), r.mutualInformation(), r.mutualInformationSe(),
                r.logN());
        write("surgery.md", md);
        log.print(md);
        Map<String, Object> surgery = new LinkedHashMap<>();
        surgery.put("n", n);
        surgery.put("average_kl", r.averageKl());
        surgery.put("average_kl_se", r.averageKlSe());
        surgery.put("marginal_kl", r.marginalKl());
        surgery.put("marginal_kl_se", r.marginalKlSe());
        surgery.put("mutual_information", r.mutualInformation());
        surgery.put("mutual_information_se", r.mutualInformationSe());
        surgery.put("log_n", r.logN());
        json.put("surgery", surgery);
    }

    /**
     * Slide 9: SNR of one data point's gradient in Rainforth et al.'s setup. θ, STL and DReG are measured up to
     * K = 1000 with R = 4000 draws; the IWAE encoder gradient up to K = 100 with R grown so that its SNR stays
     * at least 5× above the floor 1/√R (about 3900·K draws).
     */
    private void snr(Map<String, Object> json, PrintStream log) throws IOException {
        long setupSeed = seed + 20;                   // 21 by default, the properties' setup
        GradientSnr g = new GradientSnr(setupSeed, DType.FLOAT32);
        int[] kAll = quick ? new int[] {1, 3, 10, 30} : new int[] {1, 3, 10, 30, 100, 300, 1000};
        int[] kIwae = quick ? new int[] {1, 3, 10} : new int[] {1, 3, 10, 30, 100};
        int rFixed = quick ? 1000 : 4000;
        GradientSnr.Value[] theta = new GradientSnr.Value[kAll.length];
        GradientSnr.Value[] dreg = new GradientSnr.Value[kAll.length];
        GradientSnr.Value[] stl = new GradientSnr.Value[kAll.length];
        for (int i = 0; i < kAll.length; i++) {
            GradientSnr.Result d = g.snr(GradientSnr.Estimator.DREG, kAll[i], rFixed, seed + 10 + i);
            GradientSnr.Result s = g.snr(GradientSnr.Estimator.STL, kAll[i], rFixed, seed + 30 + i);
            theta[i] = d.value(GradientSnr.Group.THETA);
            dreg[i] = d.value(GradientSnr.Group.B);
            stl[i] = s.value(GradientSnr.Group.B);
            log.printf(Locale.ROOT, "  K = %4d  R = %6d  θ %s   φ-DReG %s   φ-STL %s%n", kAll[i], rFixed, theta[i],
                    dreg[i], stl[i]);
        }
        GradientSnr.Value[] iwae = new GradientSnr.Value[kIwae.length];
        int[] rIwae = new int[kIwae.length];
        for (int i = 0; i < kIwae.length; i++) {
            rIwae[i] = quick ? 4000 : Math.max(20_000, 3900 * kIwae[i]);
            iwae[i] = g.snr(GradientSnr.Estimator.IWAE_REPARAM, kIwae[i], rIwae[i], seed + 50 + i)
                    .value(GradientSnr.Group.B);
            log.printf(Locale.ROOT, "  K = %4d  R = %6d  φ-IWAE %s  (floor %.4f)%n", kIwae[i], rIwae[i], iwae[i],
                    1 / Math.sqrt(rIwae[i]));
        }
        GradientSnr.Fit fTheta = GradientSnr.fitLogLog(kAll, theta);
        GradientSnr.Fit fIwae = GradientSnr.fitLogLog(kIwae, iwae);
        GradientSnr.Fit fStl = GradientSnr.fitLogLog(kAll, stl);
        // DReG equals STL at K = 1 and its SNR is flat up to K ≈ 3: its slope is fitted where it is asymptotic
        int from = 0;
        while (kAll[from] < 10 && from < kAll.length - 2) {
            from++;
        }
        int[] kDreg = java.util.Arrays.copyOfRange(kAll, from, kAll.length);
        GradientSnr.Fit fDreg = GradientSnr.fitLogLog(kDreg, java.util.Arrays.copyOfRange(dreg, from, dreg.length));
        log.printf(Locale.ROOT, "  slopes: θ %s, φ-IWAE %s, φ-STL %s, φ-DReG (K ≥ %d) %s%n", fTheta, fIwae, fStl,
                kDreg[0], fDreg);
        List<String> names = List.of(
                String.format(Locale.ROOT, "THETA, SLOPE %+.2f", fTheta.slope()),
                String.format(Locale.ROOT, "PHI IWAE, SLOPE %+.2f", fIwae.slope()),
                String.format(Locale.ROOT, "PHI STL, SLOPE %+.2f", fStl.slope()),
                String.format(Locale.ROOT, "PHI DREG, SLOPE %+.2f (K>=%d)", fDreg.slope(), kDreg[0]));
        TheoryFigures.snr(kAll, names, List.of(values(theta), padded(values(iwae), kAll.length), values(stl),
                values(dreg))).writePng(out.resolve("snr.png"));
        json.put("snr_setup_seed", setupSeed);
        json.put("snr_slope_theta", fTheta.slope());
        json.put("snr_slope_theta_se", fTheta.slopeSe());
        json.put("snr_slope_phi_iwae", fIwae.slope());
        json.put("snr_slope_phi_iwae_se", fIwae.slopeSe());
        json.put("snr_slope_phi_stl", fStl.slope());
        json.put("snr_slope_phi_stl_se", fStl.slopeSe());
        json.put("snr_slope_phi_dreg", fDreg.slope());
        json.put("snr_slope_phi_dreg_se", fDreg.slopeSe());
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("k", kAll);
        table.put("theta", values(theta));
        table.put("phi_stl", values(stl));
        table.put("phi_dreg", values(dreg));
        table.put("k_iwae", kIwae);
        table.put("r_iwae", rIwae);
        table.put("phi_iwae", values(iwae));
        table.put("theta_se", ses(theta));
        table.put("phi_stl_se", ses(stl));
        table.put("phi_dreg_se", ses(dreg));
        table.put("phi_iwae_se", ses(iwae));
        table.put("r", rFixed);
        json.put("snr", table);
    }

    private static double[] values(GradientSnr.Value[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i].snr();
        }
        return out;
    }

    private static double[] ses(GradientSnr.Value[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i].se();
        }
        return out;
    }

    /** {@code v} extended with NaN (a gap in the plot) to {@code n} points. */
    private static double[] padded(double[] v, int n) {
        double[] out = java.util.Arrays.copyOf(v, n);
        java.util.Arrays.fill(out, v.length, n, Double.NaN);
        return out;
    }

    /** A grid {@code p[i][j]} (i along z1, j along z2) as an image: z2 up, z1 to the right. */
    private static double[] image(double[][] p, int n) {
        double[] img = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                img[r * n + c] = p[c][n - 1 - r];
            }
        }
        return img;
    }

    private void write(String name, String text) throws IOException {
        AtomicFiles.write(out.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
