package elbo.nn.flow;

import elbo.core.Autograd;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.dist.TransformedDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static elbo.nn.flow.FlowTesting.F64;
import static elbo.nn.flow.FlowTesting.markActNormsInitialized;
import static elbo.nn.flow.FlowTesting.randomize;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change of variables yields a normalised density: for 2-D flows with random, non-trivial parameters
 * the midpoint rule over {@code [-8, 8]²}, on a grid refined until it resolves the density, plus the mass
 * outside the box (estimated from samples) gives {@code ∫ p(x) dx = 1} within the quadrature and sampling
 * errors (a few thousandths).
 * Also checks that the density is really non-Gaussian-shaped (not the identity flow in disguise).
 */
class DensityIntegrationTest {
    private static final double HALF_WIDTH = 8.0;
    /** The midpoint grids: from {@code 200²} cells, doubled until two successive grids agree. */
    private static final int MIN_CELLS = 200;
    private static final int MAX_CELLS = 1600;

    /**
     * {@code Σ p(x_cell) · h²} over the grid of {@code cells²} cell midpoints, and the largest
     * log-density seen.
     */
    static double[] integrate(TransformedDistribution p, int cells) {
        double h = 2 * HALF_WIDTH / cells;
        double total = 0;
        double maxLog = Double.NEGATIVE_INFINITY;
        int rowsPerChunk = 50;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int r0 = 0; r0 < cells; r0 += rowsPerChunk) {
                double[] pts = new double[rowsPerChunk * cells * 2];
                int k = 0;
                for (int r = r0; r < r0 + rowsPerChunk; r++) {
                    for (int c = 0; c < cells; c++) {
                        pts[k++] = -HALF_WIDTH + (r + 0.5) * h;
                        pts[k++] = -HALF_WIDTH + (c + 0.5) * h;
                    }
                }
                Tensor lp = p.logProb(Tensor.of(pts, rowsPerChunk * cells, 2));
                for (int i = 0; i < lp.numel(); i++) {
                    double v = lp.getFlat(i);
                    total += Math.exp(v) * h * h;
                    maxLog = Math.max(maxLog, v);
                }
            }
        }
        return new double[] {total, maxLog};
    }

    static TransformedDistribution model(String kind, long seed) {
        Rng rng = new Rng(seed);
        Flow f = switch (kind) {
            case "realnvp" -> randomize(Flows.realNvp(2, 4, 8, true, F64, rng), 0.5, rng);
            case "maf" -> randomize(Flows.maf(2, 3, 8, F64, rng), 0.5, rng);
            case "iaf" -> randomize(Flows.iaf(2, 3, 8, F64, rng), 0.5, rng);
            // the planar stack fitted in the normalizing direction: log p(x) = log N(f(x)) + log|det f'(x)|
            case "planar" -> new Inverted(randomize(Flows.planar(2, 6, F64, rng), 1.0, rng));
            default -> throw new IllegalArgumentException(kind);
        };
        markActNormsInitialized(f);
        if (f instanceof Inverted) {
            return Flows.distribution(f);
        }
        // Random weights spread the mass far and wide; a final ActNorm, data-initialised on samples of the
        // flow, standardises it so that the box [-8, 8]² holds it, without undoing the random shape.
        ActNorm standardize = new ActNorm(2, F64);
        Composition g = new Composition(f, standardize);
        g.forward(rng.normal(F64, 4000, 2));
        return Flows.distribution(g);
    }

    @ParameterizedTest
    @ValueSource(strings = {"realnvp", "maf", "iaf", "planar"})
    void densityIntegratesToOne(String kind) {
        for (long seed = 1; seed <= 3; seed++) {
            TransformedDistribution p = model(kind, seed);
            // the midpoint rule's error is c·h² + O(h⁴): once two successive grids agree, the finer one is
            // within about a third of their difference; a sharp feature (a thin ridge) needs finer grids
            int cells = MIN_CELLS;
            double coarse = integrate(p, cells)[0];
            double[] fine;
            double quadratureError;
            while (true) {
                cells *= 2;
                fine = integrate(p, cells);
                quadratureError = Math.abs(fine[0] - coarse);
                if (quadratureError <= 2e-3 || cells >= MAX_CELLS) {
                    break;
                }
                coarse = fine[0];
            }
            // the mass outside the box, estimated from samples, with its binomial standard error
            double outside = 0;
            double outsideError = 0;
            if (!kind.equals("planar")) {
                int n = 20000;
                Tensor s = p.sample(new Rng(9), n);
                int out = 0;
                for (int i = 0; i < s.numel(); i += 2) {
                    out += Math.abs(s.getFlat(i)) > HALF_WIDTH || Math.abs(s.getFlat(i + 1)) > HALF_WIDTH ? 1 : 0;
                }
                outside = out / (double) n;
                outsideError = 4 * Math.sqrt(Math.max(outside, 1.0 / n) * (1 - outside) / n);
            }
            double tolerance = 2e-3 + quadratureError + outsideError;
            String what = kind + " seed " + seed + ": ∫p over the box = " + fine[0] + " (" + cells + "² cells; "
                    + cells / 2 + "²: " + coarse + "), mass outside " + outside + ", max log p " + fine[1]
                    + ", tolerance " + tolerance;
            System.out.println(what);
            assertTrue(quadratureError <= 5e-3, what + ": even the finest grid does not resolve this density");
            assertTrue(Math.abs(fine[0] + outside - 1.0) <= tolerance, what);
            // N(0, I) peaks at log(1/2π) = -1.84; a random flow reshapes the density, moving its peak
            assertTrue(Math.abs(fine[1] + Math.log(2 * Math.PI)) > 0.05, kind + " seed " + seed
                    + ": max log p = " + fine[1] + " looks like an untouched standard Normal");
        }
    }
}
