package elbo.models;

import elbo.models.experiments.FlowFit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short end-to-end fit: the flow learns more than a Gaussian, and the figure and summary are written. */
class FlowFitTest {

    @Test
    void shortRealNvpFitBeatsTheGaussianAndWritesItsOutputs(@TempDir Path dir) throws Exception {
        FlowFit.Config c = new FlowFit.Config("gaussians", "realnvp", 4, 32, 400, 128, 5e-3, 4000, 2000, 1L,
                dir.toString());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FlowFit.Summary s = FlowFit.run(c, new PrintStream(log, true));
        assertTrue(s.testLoglik() > s.baselineGaussianLoglik() + 0.3,
                "eight Gaussians: flow " + s.testLoglik() + " vs Gaussian " + s.baselineGaussianLoglik());
        assertTrue(s.secondsPerStep() > 0);
        String json = Files.readString(dir.resolve("summary.json"));
        assertTrue(json.contains("\"test_loglik\": ") && json.contains("\"baseline_gaussian_loglik\": ")
                && json.contains("\"seconds_per_step\": "), json);
        var img = ImageIO.read(dir.resolve("density.png").toFile());
        assertEquals(3 * 256 + 4 * 12, img.getWidth());
        assertTrue(log.toString().contains("test log-likelihood"), log.toString());
    }

    @Test
    void configRejectsBadSettings() {
        assertEquals("unknown flow 'glow'; expected realnvp, maf, iaf or planar", assertThrows(
                IllegalArgumentException.class, () -> new FlowFit.Config("moons", "glow", 0, 8, 1, 1, 1e-3, 10, 10, 0,
                        "")).getMessage());
        assertEquals("--lr must be positive, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new FlowFit.Config("moons", "maf", 0, 8, 1, 1, 0.0, 10, 10, 0, "")).getMessage());
    }
}
