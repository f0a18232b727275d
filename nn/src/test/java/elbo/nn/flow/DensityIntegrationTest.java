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
 * the midpoint rule over {@code [-8, 8]²} with {@code 400²} cells gives {@code ∫ p(x) dx = 1 ± 1e-2}.
 * Also checks that the density is really non-Gaussian-shaped (not the identity flow in disguise).
 */
class DensityIntegrationTest {
    private static final double HALF_WIDTH = 8.0;
    private static final int CELLS = 400;

    /** {@code Σ p(x_cell) · h²} over the grid of cell midpoints, and the largest log-density seen. */
    static double[] integrate(TransformedDistribution p) {
        double h = 2 * HALF_WIDTH / CELLS;
        double total = 0;
        double maxLog = Double.NEGATIVE_INFINITY;
        int rowsPerChunk = 50;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int r0 = 0; r0 < CELLS; r0 += rowsPerChunk) {
                double[] pts = new double[rowsPerChunk * CELLS * 2];
                int k = 0;
                for (int r = r0; r < r0 + rowsPerChunk; r++) {
                    for (int c = 0; c < CELLS; c++) {
                        pts[k++] = -HALF_WIDTH + (r + 0.5) * h;
                        pts[k++] = -HALF_WIDTH + (c + 0.5) * h;
                    }
                }
                Tensor lp = p.logProb(Tensor.of(pts, rowsPerChunk * CELLS, 2));
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
            double[] r = integrate(model(kind, seed));
            TransformedDistribution p = model(kind, seed);
            String outside = "";
            if (!kind.equals("planar")) {
                Tensor s = p.sample(new Rng(9), 20000);
                int out = 0;
                for (int i = 0; i < s.numel(); i += 2) {
                    out += Math.abs(s.getFlat(i)) > HALF_WIDTH || Math.abs(s.getFlat(i + 1)) > HALF_WIDTH ? 1 : 0;
                }
                outside = ", samples outside " + out / 20000.0;
            }
            assertTrue(Math.abs(r[0] - 1.0) <= 1e-2, kind + " seed " + seed + ": ∫p = " + r[0] + outside + ", max log p " + r[1]);
            System.out.println(kind + " seed " + seed + ": ∫p = " + r[0] + outside + ", max log p " + r[1]);
            // N(0, I) peaks at log(1/2π) = -1.84; a random flow reshapes the density, moving its peak
            assertTrue(Math.abs(r[1] + Math.log(2 * Math.PI)) > 0.05, kind + " seed " + seed
                    + ": max log p = " + r[1] + " looks like an untouched standard Normal");
        }
    }
}
