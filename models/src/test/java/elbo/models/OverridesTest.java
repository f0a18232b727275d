package elbo.models;

import elbo.models.config.Overrides;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class OverridesTest {
    public enum Mode { FAST, SLOW }

    public record Settings(int steps, double lr, boolean verbose, String name, Mode mode, long seed) {
        public Settings {
            if (steps <= 0) {
                throw new IllegalArgumentException("--steps must be positive, got " + steps);
            }
        }
    }

    private static final Settings DEFAULTS = new Settings(10, 1e-3, false, "a", Mode.FAST, 7L);

    @Test
    void overridesReplaceOnlyTheNamedComponents() {
        Settings s = Overrides.apply(DEFAULTS, List.of("--steps=3", "--lr=0.5", "--verbose=true", "--mode=slow",
                "--name=x=y"));
        assertEquals(new Settings(3, 0.5, true, "x=y", Mode.SLOW, 7L), s);
        assertEquals(DEFAULTS, Overrides.apply(DEFAULTS, List.of()));
    }

    @Test
    void badArgumentsNameTheProblem() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("--stepz=3")));
        assertTrue(unknown.getMessage().contains("unknown setting '--stepz'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("steps, lr, verbose, name, mode, seed"), unknown.getMessage());
        assertEquals("--steps=three: expected an integer", assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("--steps=three"))).getMessage());
        assertEquals("argument 'steps=3' is not of the form --key=value", assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("steps=3"))).getMessage());
        assertEquals("--verbose=yes: expected true or false", assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("--verbose=yes"))).getMessage());
        assertEquals("--mode=medium: expected one of [fast, slow]", assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("--mode=medium"))).getMessage());
        assertEquals("--steps must be positive, got 0", assertThrows(IllegalArgumentException.class,
                () -> Overrides.apply(DEFAULTS, List.of("--steps=0"))).getMessage());
    }

    @Test
    void describeAndJsonListEverySetting() {
        String text = Overrides.describe(DEFAULTS);
        assertTrue(text.startsWith("Settings:\n"), text);
        assertTrue(text.contains("lr                     = 0.001"), text);
        assertEquals("{\"steps\": 10, \"lr\": 0.001, \"verbose\": false, \"name\": \"a\", \"mode\": \"FAST\", \"seed\": 7}",
                Overrides.toJson(DEFAULTS));
    }
}
