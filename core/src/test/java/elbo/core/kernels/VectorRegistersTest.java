package elbo.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The register count that picks the GEMM's tile: the override, its typed error, and the guess. */
class VectorRegistersTest {
    @AfterEach
    void clearOverride() {
        System.clearProperty(VectorRegisters.PROPERTY);
    }

    @Test
    void theOverrideWins() {
        System.setProperty(VectorRegisters.PROPERTY, "16");
        assertEquals(16, VectorRegisters.count(512));
        System.setProperty(VectorRegisters.PROPERTY, " 32 ");
        assertEquals(32, VectorRegisters.count(128));
    }

    @Test
    void aBadOverrideNamesTheProperty() {
        System.setProperty(VectorRegisters.PROPERTY, "24");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorRegisters.count(256));
        assertTrue(e.getMessage().contains(VectorRegisters.PROPERTY) && e.getMessage().contains("'24'"), e.getMessage());
    }

    @Test
    void theGuessMatchesThisJvm() {
        int count = VectorRegisters.count(256);
        assertTrue(count == 16 || count == 32, "count " + count);
        String arch = System.getProperty("os.arch");
        if (arch.equals("aarch64")) {
            assertEquals(32, count);
        }
        // the tile the GEMM took is the one this count selects (GemmFloat needs the Vector API)
        assumeTrue(KernelProvider.vectorApiAvailable(), "run with --add-modules jdk.incubator.vector");
        assertEquals(VectorRegisters.count(GemmFloat.NR / GemmFloat.VECTORS * Float.SIZE) >= 32 ? 8 : 3, GemmFloat.MR);
    }
}
