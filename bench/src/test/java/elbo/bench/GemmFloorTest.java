package elbo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GemmFloorTest {
    @Test
    void listsTheStepsProductsInTheirOrder() {
        List<GemmShape> p = GemmFloor.products(50);
        assertEquals(20, p.size()); // 7 layers x 3 products, less the encoder input's gradient
        assertEquals(new GemmShape(100, 784, 300, false, true), p.get(0));    // encoder forward, x·Wᵀ
        assertEquals(new GemmShape(5000, 300, 784, false, true), p.get(6));   // decoder output layer, forward
        assertEquals(new GemmShape(5000, 784, 300, false, false), p.get(7));  // its dx = dy·W, first backward
        assertEquals(new GemmShape(784, 5000, 300, true, false), p.get(8));   // its dW = dyᵀ·x
        assertEquals(new GemmShape(300, 100, 784, true, false), p.get(19));   // encoder input layer: dW only
        double macs = 100.0 * (784 * 300 + 300 * 300 + 2 * 300 * 40) + 5000.0 * (40 * 300 + 300 * 300 + 300 * 784);
        double flops = p.stream().mapToDouble(GemmShape::flops).sum();
        assertEquals(3 * 2 * macs - 2 * 100.0 * 784 * 300, flops, 1e-6 * flops);
    }

    @Test
    void rejectsAnUnknownWorkloadNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmFloor.samples("iwae7"));
        assertTrue(e.getMessage().contains("'iwae7'"), e.getMessage());
    }
}
