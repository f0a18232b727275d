package elbo.models.cli;

import elbo.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./elbo lecture --part=theory --quick} writes every figure and the keys of theory.json. */
class LectureCommandTest {
    @Test
    void theoryPartWritesFiguresAndNumbers(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("lecture");
        LectureCommand.run(List.of("--part=theory", "--quick", "--out=" + out));
        for (String png : List.of("ladder.png", "iwae_posterior.png", "snr.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
        assertTrue(Files.readString(out.resolve("ladder.md")).contains("| 5000 |"));
        assertTrue(Files.readString(out.resolve("surgery.md")).contains("mutual information"));
        Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(out.resolve("theory.json")));
        for (String key : List.of("snr_slope_theta", "snr_slope_phi_iwae", "snr_slope_phi_stl", "snr_slope_phi_dreg",
                "ladder", "surgery", "iwae_posterior_total_variation")) {
            assertTrue(json.containsKey(key), key);
        }
        Map<?, ?> ladder = (Map<?, ?>) json.get("ladder");
        assertTrue(ladder.containsKey("log_px"));
        assertTrue(((Number) json.get("snr_slope_theta")).doubleValue() > 0.2, "θ's SNR grows with K");
    }
}
