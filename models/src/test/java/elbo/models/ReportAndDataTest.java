package elbo.models;

import elbo.core.DType;
import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.models.experiments.GaussianBaseline;
import elbo.models.experiments.ToyDensity;
import elbo.models.report.Canvas;
import elbo.models.report.Png;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportAndDataTest {

    @Test
    void pngDecodesToTheSamePixels(@TempDir Path dir) throws IOException {
        int w = 7, h = 5;
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i * 0x10305) & 0xFFFFFF;
        }
        Path file = dir.resolve("x.png");
        Png.write(file, w, h, rgb);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertEquals(rgb[y * w + x], img.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        assertThrows(IllegalArgumentException.class, () -> Png.write(file, 2, 2, new int[3]));
    }

    @Test
    void canvasDrawsTextAndHeatMaps(@TempDir Path dir) throws IOException {
        Canvas c = new Canvas(40, 20, 0xFFFFFF);
        c.text(1, 1, "AB1", 0x000000, 1);
        c.heatMap(20, 0, new double[] {0, 1, 2, 3}, 2, 2, 5);
        Path file = dir.resolve("c.png");
        c.writePng(file);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(0x000000, img.getRGB(1 + 1, 1) & 0xFFFFFF, "top bar of 'A' is inked");
        assertEquals(0xFFFFFF, img.getRGB(1, 1) & 0xFFFFFF, "corner of 'A' is blank");
        assertEquals(Canvas.viridis(0), img.getRGB(20, 0) & 0xFFFFFF);
        assertEquals(Canvas.viridis(1), img.getRGB(29, 9) & 0xFFFFFF);
    }

    @Test
    void toyDensitiesAreSeededAndInsideTheBox() {
        for (ToyDensity d : ToyDensity.values()) {
            Tensor a = d.sample(new Rng(3), 2000, DType.FLOAT64);
            Tensor b = d.sample(new Rng(3), 2000, DType.FLOAT64);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), d + " is reproducible");
            int outside = 0;
            for (double v : a.toDoubleArray()) {
                outside += Math.abs(v) > 4.5 ? 1 : 0;
            }
            assertTrue(outside < 10, d + ": " + outside + " coordinates outside [-4.5, 4.5]");
        }
        assertEquals("unknown density 'swirl'; expected moons, gaussians, rings or checkerboard",
                assertThrows(IllegalArgumentException.class, () -> ToyDensity.parse("swirl")).getMessage());
    }

    @Test
    void gaussianBaselineIsTheClosedFormMle() {
        // points of a known 2-D Gaussian: the fitted log-density at the mean is -log(2π) - ½ log det Σ
        Rng rng = new Rng(5);
        int n = 200_000;
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextGaussian(), v = rng.nextGaussian();
            xy[2 * i] = 1 + 2 * u;              // σx = 2
            xy[2 * i + 1] = -1 + 0.5 * u + v;   // cov(x, y) = 1, var(y) = 1.25
        }
        GaussianBaseline g = GaussianBaseline.fit(xy);
        double se = 5 * 2 * 2 / Math.sqrt(n); // z = 5 standard errors of the variance estimate
        assertEquals(4.0, g.sxx(), 2 * se);
        assertEquals(1.0, g.sxy(), se);
        assertEquals(1.25, g.syy(), se);
        double det = g.sxx() * g.syy() - g.sxy() * g.sxy();
        assertEquals(-Math.log(2 * Math.PI) - 0.5 * Math.log(det), g.logDensity(g.mx(), g.my()), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> GaussianBaseline.fit(new double[] {1, 1, 2, 2, 3, 3}));
    }
}
