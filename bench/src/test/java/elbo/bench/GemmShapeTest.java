package elbo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elbo.core.kernels.KernelProvider;
import org.junit.jupiter.api.Test;

class GemmShapeTest {
    @Test
    void parsesDimensionsAndTransposes() {
        GemmShape s = GemmShape.parse("784x128x300:TN");
        assertEquals(new GemmShape(784, 128, 300, true, false), s);
        assertEquals(784, s.lda()); // A stored K x M
        assertEquals(300, s.ldb());
        assertEquals(2.0 * 784 * 128 * 300, s.flops());
        assertEquals(new GemmShape(128, 300, 784, false, true), GemmShape.parse("128x300x784:NT"));
        assertEquals(new GemmShape(2, 3, 4, false, false), GemmShape.parse("2x3x4"));
        GemmShape.ALL.forEach(GemmShape::parse);
    }

    @Test
    void rejectsMalformedShapesNamingThem() {
        for (String bad : new String[] {"12x3", "1x2x3:TX", "axbxc", "1x2x3:T", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmShape.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    /** The stored operands and leading dimensions describe op(A)·op(B) for every transpose pair. */
    @Test
    void runComputesTheProductOfTheStoredOperands() {
        for (String t : new String[] {"", ":TN", ":NT", ":TT"}) {
            GemmShape s = GemmShape.parse("3x4x5" + t);
            GemmShape.Operands o = s.operands();
            s.run(KernelProvider.get(), o);
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double sum = 0;
                    for (int p = 0; p < s.k(); p++) {
                        float a = s.transA() ? o.a()[p * s.lda() + i] : o.a()[i * s.lda() + p];
                        float b = s.transB() ? o.b()[j * s.ldb() + p] : o.b()[p * s.ldb() + j];
                        sum += (double) a * b;
                    }
                    assertEquals(sum, o.c()[i * s.n() + j], 1e-5, s + " C(" + i + "," + j + ")");
                }
            }
        }
    }
}
