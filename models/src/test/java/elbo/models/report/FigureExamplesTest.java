package elbo.models.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renders example figures from synthetic data for a person to look at. Runs only when the system property
 * {@code figs.examples} names an output directory, e.g.
 * {@code mvn -B -o -q test -pl models -am -Dtest=FigureExamplesTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfigs.examples=/tmp/figs-examples}.
 */
@EnabledIfSystemProperty(named = "figs.examples", matches = ".+")
class FigureExamplesTest {

    @Test
    void renderExamples() throws IOException {
        Path dir = Path.of(System.getProperty("figs.examples"));
        Files.createDirectories(dir);
        Random rng = new Random(7);

        // digits: 8×8 (scale 4) and 28×28 (scale 2), data / samples / reconstructions
        int n = 40;
        float[] small = digits(n, 8, rng);
        float[] smallRecon = blur(small, n, 8);
        ImageGrid.grid("SAMPLES FROM THE PRIOR, EPOCH 50 (8×8 DIGITS)", small, n, 8, 8, 10, 4)
                .writePng(dir.resolve("samples-8x8.png"));
        ImageGrid.pairs("RECONSTRUCTIONS OF TEST DIGITS, EPOCH 50", "INPUT X", small,
                "RECONSTRUCTION: MEAN OF P(X|Z), Z ~ Q(Z|X)", smallRecon, 20, 8, 8, 10, 4)
                .writePng(dir.resolve("reconstructions-8x8.png"));
        float[] mnist = digits(n, 28, rng);
        ImageGrid.grid("SAMPLES FROM THE PRIOR (28×28)", mnist, 32, 28, 28, 8, 2)
                .writePng(dir.resolve("samples-28x28.png"));
        ImageGrid.pairs("RECONSTRUCTIONS (28×28)", "INPUT", mnist, "RECONSTRUCTION", blur(mnist, n, 28), 16, 28, 28,
                8, 2).writePng(dir.resolve("reconstructions-28x28.png"));

        // training curves: ELBO and KL per epoch, train and validation
        int epochs = 50;
        double[] elboTrain = new double[epochs], elboVal = new double[epochs];
        double[] klTrain = new double[epochs], klVal = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            elboTrain[e] = -210 + 115 * (1 - Math.exp(-e / 6.0)) + rng.nextGaussian();
            elboVal[e] = elboTrain[e] - 2 - 0.08 * e + rng.nextGaussian();
            klTrain[e] = 24 * (1 - Math.exp(-e / 4.0)) + 2 + 0.3 * rng.nextGaussian();
            klVal[e] = klTrain[e] + 0.4 + 0.3 * rng.nextGaussian();
        }
        int train = Canvas.category(0), val = Canvas.category(1);
        Canvas elbo = LineChart.chart(480, 320, "ELBO PER EPOCH", "EPOCH", "ELBO (NATS)", List.of(
                LineChart.Series.of("TRAIN", elboTrain, train), LineChart.Series.of("VALIDATION", elboVal, val)));
        Canvas kl = LineChart.chart(480, 320, "KL PER EPOCH", "EPOCH", "KL(Q(Z|X) || P(Z))", List.of(
                LineChart.Series.of("TRAIN", klTrain, train), LineChart.Series.of("VALIDATION", klVal, val)));
        Figure.caption("TRAINING CURVES: VAE, 2-D LATENT, 8×8 DIGITS", Figure.panels(2, elbo, kl), 2)
                .writePng(dir.resolve("curves.png"));
        Canvas bound = LineChart.chart(640, 400, "BOUND PER EPOCH (NATS, HIGHER IS BETTER)", "EPOCH", "NATS", List.of(
                LineChart.Series.of("TRAIN (OBJECTIVE'S BOUND)", elboTrain, train),
                LineChart.Series.of("VALIDATION ELBO", elboVal, val)));
        Canvas kl2 = LineChart.chart(640, 400, "KL(Q(Z|X) || P(Z)) PER EPOCH", "EPOCH", "NATS", List.of(
                LineChart.Series.of("TRAIN", klTrain, train), LineChart.Series.of("VALIDATION", klVal, val)));
        Figure.caption("TRAINING CURVES: RUN-2024-VAMP", Figure.panels(2, bound, kl2), 2)
                .writePng(dir.resolve("curves-640x400.png"));

        // a few points (markers), a gap of NaNs, a constant series, a single point, small values
        double[] few = {-95.3, -94.1, Double.NaN, -93.2, -92.9};
        double[] gap = new double[200];
        for (int i = 0; i < gap.length; i++) {
            gap[i] = i >= 80 && i < 110 ? Double.NaN : 1e-3 * Math.sin(i / 15.0) + 2e-3;
        }
        Canvas a = LineChart.chart(360, 240, "FEW POINTS WITH A NAN", "EPOCH", "NATS",
                List.of(LineChart.Series.of("ELBO", few, Canvas.category(2))));
        Canvas b = LineChart.chart(360, 240, "200 POINTS, NAN GAP", "STEP", "LOSS",
                List.of(LineChart.Series.of("GRAD NORM", gap, Canvas.category(3))));
        Canvas c = LineChart.chart(360, 240, "CONSTANT AND SINGLE", "X", "Y", List.of(
                LineChart.Series.of("CONSTANT", new double[] {5, 5, 5}, Canvas.category(4)),
                new LineChart.Series("SINGLE", new double[] {2}, new double[] {5.2}, Canvas.category(5)),
                LineChart.Series.of("EMPTY", new double[0], Canvas.category(6))));
        Canvas d = LineChart.chart(360, 240, "NO DATA AT ALL", "X", "Y", List.of());
        Canvas big = LineChart.chart(1200, 400, "LARGE VALUES (TEXT SCALE 2)", "STEP", "TOKENS", List.of(
                new LineChart.Series("SEEN", new double[] {0, 2500, 5000, 7500, 10000},
                        new double[] {0, 1.2e6, 2.6e6, 3.1e6, 4.9e6}, Canvas.category(0))));
        Figure.panels(2, a, b, c, d).writePng(dir.resolve("edge-cases.png"));
        big.writePng(dir.resolve("large.png"));

        // latent space: 10 clusters around a circle over a standard normal prior
        int m = 2000;
        double[] zx = new double[m], zy = new double[m];
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) {
            int k = rng.nextInt(10);
            double angle = 2 * Math.PI * k / 10;
            labels[i] = k;
            zx[i] = 1.5 * Math.cos(angle) + 0.35 * rng.nextGaussian();
            zy[i] = 1.5 * Math.sin(angle) + 0.35 * rng.nextGaussian();
        }
        LatentScatter.plot(520, 440, "TEST SET: POSTERIOR MEANS E[Z|X]", zx, zy, labels,
                (x, y) -> -0.5 * (x * x + y * y) - Math.log(2 * Math.PI), new double[] {-3.5, 3.5, -3.5, 3.5})
                .writePng(dir.resolve("latent.png"));
        LatentScatter.plot(760, 620, "TEST SET: POSTERIOR MEANS, MIXTURE PRIOR", zx, zy, labels,
                (x, y) -> mixture(x, y), null).writePng(dir.resolve("latent-mixture.png"));
        LatentScatter.plot(720, 640, "LATENT SPACE: VALIDATION CODES Z ~ Q(Z|X) OVER VAMPPRIOR PRIOR DENSITY, "
                + "A TITLE LONG ENOUGH TO WRAP", zx, zy, labels, (x, y) -> mixture(x, y), null)
                .writePng(dir.resolve("latent-long-title.png"));
        LatentScatter.plot(400, 320, "UNLABELLED, NO PRIOR", zx, zy, null, null, null)
                .writePng(dir.resolve("latent-plain.png"));
        try (var files = Files.list(dir)) {
            assertTrue(files.count() >= 12);
        }
    }

    private static double mixture(double x, double y) {
        double s = 0;
        for (int k = 0; k < 10; k++) {
            double a = 2 * Math.PI * k / 10;
            double dx = x - 1.5 * Math.cos(a), dy = y - 1.5 * Math.sin(a);
            s += Math.exp(-(dx * dx + dy * dy) / (2 * 0.16));
        }
        return Math.log(s);
    }

    /** Digit-like images: the font's digits, jittered and blurred, MNIST-style white on black. */
    static float[] digits(int n, int size, Random rng) {
        float[] out = new float[n * size * size];
        int scale = size >= 20 ? 3 : 1;
        for (int k = 0; k < n; k++) {
            Canvas c = new Canvas(size, size, 0);
            int ox = (size - 5 * scale) / 2 + (size >= 20 ? rng.nextInt(5) - 2 : rng.nextInt(2));
            int oy = (size - 7 * scale) / 2 + (size >= 20 ? rng.nextInt(3) - 1 : 0);
            c.text(ox, oy, Integer.toString(k % 10), 0xFFFFFF, scale);
            for (int i = 0; i < size * size; i++) {
                out[k * size * size + i] = (c.get(i % size, i / size) & 255) / 255f;
            }
        }
        return size >= 20 ? blur(out, n, size) : out;
    }

    /** A 3×3 box blur of each image, brightened a little (a stand-in for reconstructions). */
    static float[] blur(float[] images, int n, int size) {
        float[] out = new float[images.length];
        for (int k = 0; k < n; k++) {
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    float s = 0;
                    for (int dr = -1; dr <= 1; dr++) {
                        for (int dc = -1; dc <= 1; dc++) {
                            int rr = r + dr, cc = c + dc;
                            if (rr >= 0 && cc >= 0 && rr < size && cc < size) {
                                s += images[(k * size + rr) * size + cc];
                            }
                        }
                    }
                    out[(k * size + r) * size + c] = Math.min(1f, 1.6f * s / 9f);
                }
            }
        }
        return out;
    }
}
