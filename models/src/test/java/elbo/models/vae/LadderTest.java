package elbo.models.vae;

import elbo.models.vae.eval.ImportanceSampling;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The default ladder of {@code ./elbo eval}: 1-2-5 rungs below K, then K. */
class LadderTest {
    @Test
    void rungsAreOneTwoFiveBelowKThenK() {
        assertArrayEquals(new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000}, ImportanceSampling.ladder(5000));
        assertArrayEquals(new int[] {1, 2, 5, 10, 20}, ImportanceSampling.ladder(20));
        assertArrayEquals(new int[] {1, 2, 3}, ImportanceSampling.ladder(3));
        assertArrayEquals(new int[] {1}, ImportanceSampling.ladder(1));
        assertThrows(IllegalArgumentException.class, () -> ImportanceSampling.ladder(0));
    }
}
