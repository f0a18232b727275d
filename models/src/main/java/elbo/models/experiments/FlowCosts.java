package elbo.models.experiments;

import elbo.core.Autograd;
import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.StandardNormal;
import elbo.nn.dist.TransformedDistribution;
import elbo.nn.flow.Flows;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lecture's question "why is IAF a bad prior?" answered with numbers: for D-dimensional flows, the
 * time to evaluate {@code log p} of a batch and to draw a batch of samples.
 *
 * <p>MAF's density is one pass through its MADEs and its sampling D sequential passes; IAF is the
 * reverse. A prior is evaluated on every encoder sample at every training step, so an IAF prior costs
 * D passes per step, while as a posterior (sampled, then evaluated on its own samples) it costs one.
 */
public final class FlowCosts {
    private FlowCosts() {
    }

    /** Settings of the cost table. */
    public record Config(
            int dim,       // event size D (the lecture's latent size is 40)
            int batch,     // examples per batch
            int layers,    // flow layers
            int hidden,    // conditioner hidden width
            int reps,      // timed repetitions per cell (median reported)
            int warmup,    // untimed repetitions of every cell before any is timed (JIT)
            long seed) {

        public Config {
            if (dim < 2 || batch <= 0 || layers <= 0 || hidden <= 0 || reps <= 0 || warmup < 0) {
                throw new IllegalArgumentException("need dim >= 2 and positive batch, layers, hidden, reps");
            }
        }

        public static Config defaults() {
            return new Config(40, 100, 4, 128, 31, 40, 0L);
        }
    }

    /** One row: median milliseconds per batch for density evaluation and for sampling. */
    public record Row(String flow, double logProbMs, double sampleMs) {
    }

    public static Row[] run(Config c, PrintStream out) {
        DType dtype = DType.FLOAT32;
        StandardNormal base = new StandardNormal(c.dim(), dtype);
        String[] names = {"realnvp", "maf", "iaf"};
        TransformedDistribution[] flows = new TransformedDistribution[names.length];
        Tensor[] inputs = new Tensor[names.length];
        Rng[] rngs = new Rng[names.length];
        for (int i = 0; i < names.length; i++) {
            Rng rng = new Rng(c.seed() + i);
            TransformedDistribution flow = new TransformedDistribution(base, switch (names[i]) {
                case "realnvp" -> Flows.realNvp(c.dim(), c.layers(), c.hidden(), dtype, rng);
                case "maf" -> Flows.maf(c.dim(), c.layers(), c.hidden(), dtype, rng);
                default -> Flows.iaf(c.dim(), c.layers(), c.hidden(), dtype, rng);
            });
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                inputs[i] = flow.sample(rng, c.batch());
            }
            flows[i] = flow;
            rngs[i] = rng;
        }
        // Warm every cell up before timing any, so the JIT's compilation is not charged to the first.
        for (int i = 0; i < names.length; i++) {
            int k = i;
            repeat(c.warmup(), () -> flows[k].logProb(inputs[k]));
            repeat(c.warmup(), () -> flows[k].sample(rngs[k], c.batch()));
        }
        Row[] rows = new Row[names.length];
        for (int i = 0; i < names.length; i++) {
            int k = i;
            double logProbMs = medianMillis(c, () -> flows[k].logProb(inputs[k]));
            double sampleMs = medianMillis(c, () -> flows[k].sample(rngs[k], c.batch()));
            rows[i] = new Row(names[i], logProbMs, sampleMs);
        }
        out.printf(Locale.ROOT, "%nflow costs: D=%d, batch %d, %d layers, hidden %d, median of %d (ms per batch)%n",
                c.dim(), c.batch(), c.layers(), c.hidden(), c.reps());
        out.printf(Locale.ROOT, "%-8s %12s %12s %14s%n", "flow", "logProb", "sample", "sample/logProb");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-8s %12.3f %12.3f %14.2f%n", r.flow(), r.logProbMs(), r.sampleMs(),
                    r.sampleMs() / r.logProbMs());
        }
        out.printf(Locale.ROOT, "IAF as a prior evaluates logProb on every encoder sample: %.1fx MAF's cost per step.%n",
                rows[2].logProbMs() / rows[1].logProbMs());
        return rows;
    }

    private static void repeat(int times, Runnable work) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int i = 0; i < times; i++) {
                work.run();
            }
        }
    }

    private static double medianMillis(Config c, Runnable work) {
        double[] ms = new double[c.reps()];
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int i = 0; i < c.reps(); i++) {
                long t0 = System.nanoTime();
                work.run();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
