package elbo.models.vae.eval;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.core.Workspace;
import elbo.models.vae.Vae;
import elbo.models.vae.objective.Particles;
import elbo.models.vae.objective.Reparameterised;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The importance-sampling estimate of the marginal likelihood and the ladder of IWAE bounds:
 *
 * <pre>
 *   log p(x) ≈ log (1/K) Σ_{k=1..K} w_k,       w_k = p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x)
 *   L_M      ≈ (1/G) Σ_g log (1/M) Σ_{k ∈ group g} w_k,   the K draws split into G = ⌊K/M⌋ groups of M
 * </pre>
 *
 * The first is {@code L_K} itself, consistent as {@code K → ∞} (the default {@code K = 5000} is the
 * papers' test log-likelihood); the second estimates every rung {@code L_M} of the ladder
 * {@code L_1 ≤ L_5 ≤ … ≤ L_K} from the same draws without bias. The draws are made in chunks of
 * {@code chunk} per image under {@code noGrad} in a {@link Workspace}, and the log-weights are folded into
 * running max-shifted log-sum-exps, so memory does not grow with {@code K}. Every normalising constant
 * is in the densities ({@code log 2π} of the Gaussians, the Bernoulli's full log-mass).
 */
public final class ImportanceSampling {
    /** Images per batch and draws per chunk unless told otherwise: 100 × 500 particles per pass. */
    public static final int DEFAULT_BATCH = 100;
    public static final int DEFAULT_CHUNK = 500;

    private ImportanceSampling() {
    }

    /**
     * @param k             draws per image
     * @param logLikelihood   per image, {@code log (1/K) Σ_k w_k}
     * @param logLikelihoodSe per image, the Monte Carlo standard error of that estimate (delta method,
     *                        {@code sd(w) / (√K · mean(w))})
     * @param mean            their mean over images
     * @param standardError   of that mean over images (the spread of the images)
     * @param ladderK       the rungs {@code M}
     * @param ladder        {@code L_M} averaged over images, one per rung
     * @param ladderSe      its standard error over images
     * @param ladderPerImage {@code [rung][image]}: each image's {@code L_M} (for paired comparisons of rungs,
     *                      which are strongly correlated: they come from the same draws)
     */
    public record Result(int k, double[] logLikelihood, double[] logLikelihoodSe, double mean, double standardError, int[] ladderK,
                         double[] ladder, double[] ladderSe, double[][] ladderPerImage) {
    }

    /** The rungs {@code 1, 2, 5, 10, 20, 50, …} below {@code k}, then {@code k}: a ladder for {@link #estimate}. */
    public static int[] ladder(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("ImportanceSampling.ladder: need k ≥ 1, got " + k);
        }
        java.util.List<Integer> rungs = new java.util.ArrayList<>();
        for (long decade = 1; decade <= k; decade *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (decade * m < k) {
                    rungs.add((int) (decade * m));
                }
            }
        }
        rungs.add(k);
        return rungs.stream().mapToInt(Integer::intValue).toArray();
    }

    /** As {@link #estimate(Vae, Tensor, int, int[], int, int, Rng, IntConsumer)} with default batch and chunk. */
    public static Result estimate(Vae vae, Tensor x, int k, int[] ladder, Rng rng) {
        return estimate(vae, x, k, ladder, DEFAULT_BATCH, DEFAULT_CHUNK, rng, done -> { });
    }

    /**
     * Estimates {@code log p(x)} for every image of {@code x: [N, X]} with {@code k} draws, and the ladder.
     *
     * @param ladder   rungs {@code M}, each in {@code [1, k]}
     * @param progress told the number of images finished after each batch
     * @throws IllegalArgumentException if {@code k}, {@code batch} or {@code chunk} is below 1, a rung is
     *                                  outside {@code [1, k]}, or {@code x} is not {@code [N, X]}
     */
    public static Result estimate(Vae vae, Tensor x, int k, int[] ladder, int batch, int chunk, Rng rng,
            IntConsumer progress) {
        if (k < 1 || batch < 1 || chunk < 1) {
            throw new IllegalArgumentException("ImportanceSampling: need k, batch and chunk ≥ 1, got k=" + k + ", batch="
                    + batch + ", chunk=" + chunk);
        }
        for (int m : ladder) {
            if (m < 1 || m > k) {
                throw new IllegalArgumentException("ImportanceSampling: ladder rung " + m + " is outside [1, " + k + "]");
            }
        }
        if (x.rank() != 2 || x.dim(1) != vae.dataSize()) {
            throw new IllegalArgumentException("ImportanceSampling: images of shape " + x.shape() + " are not [N, "
                    + vae.dataSize() + "]");
        }
        int n = x.dim(0);
        double[] logLik = new double[n];
        double[] logLikSe = new double[n];
        double[][] rungs = new double[ladder.length][n];
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            Tensor images = x.narrow(0, start, b);
            LogSumExpAccumulator[] all = accumulators(b);
            LogSumExpAccumulator[][] group = new LogSumExpAccumulator[ladder.length][];
            double[][] groupSum = new double[ladder.length][b];
            for (int r = 0; r < ladder.length; r++) {
                group[r] = accumulators(b);
            }
            for (int done = 0; done < k; done += chunk) {
                int c = Math.min(chunk, k - done);
                double[] logW = logWeights(vae, images, c, rng);                  // [c, b], row-major
                for (int j = 0; j < c; j++) {
                    for (int i = 0; i < b; i++) {
                        double a = logW[j * b + i];
                        all[i].add(a);
                        for (int r = 0; r < ladder.length; r++) {
                            group[r][i].add(a);
                            if (group[r][i].count() == ladder[r]) {               // a group of M is complete
                                groupSum[r][i] += group[r][i].logMeanExp();
                                group[r][i].reset();
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < b; i++) {
                logLik[start + i] = all[i].logMeanExp();
                logLikSe[start + i] = all[i].logMeanExpStandardError();
                for (int r = 0; r < ladder.length; r++) {
                    rungs[r][start + i] = groupSum[r][i] / (k / ladder[r]);
                }
            }
            progress.accept(start + b);
        }
        double[] ladderMean = new double[ladder.length];
        double[] ladderSe = new double[ladder.length];
        for (int r = 0; r < ladder.length; r++) {
            ladderMean[r] = Statistics.mean(rungs[r]);
            ladderSe[r] = Statistics.standardError(rungs[r]);
        }
        return new Result(k, logLik, logLikSe, Statistics.mean(logLik), Statistics.standardError(logLik), ladder.clone(),
                ladderMean, ladderSe, rungs);
    }

    /** {@code c} draws per image: {@code log w} as doubles, {@code [c, b]} row-major; nothing outlives the call. */
    private static double[] logWeights(Vae vae, Tensor images, int c, Rng rng) {
        try (Workspace ws = Workspace.open(); Autograd.Scope ignored = Autograd.noGrad()) {
            return Particles.draw(vae, images, c, new Reparameterised(), rng).logW().toDoubleArray();
        }
    }

    private static LogSumExpAccumulator[] accumulators(int n) {
        LogSumExpAccumulator[] a = new LogSumExpAccumulator[n];
        Arrays.setAll(a, i -> new LogSumExpAccumulator());
        return a;
    }
}
