package elbo.nn.flow;

import elbo.core.Rng;
import elbo.core.Tensor;
import elbo.nn.Activation;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static elbo.nn.flow.FlowTesting.F64;
import static elbo.nn.flow.FlowTesting.jacobian;
import static elbo.nn.flow.FlowTesting.randomize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MADE's autoregressive property, checked by autodiff: {@code ∂out_b[i]/∂x_j = 0} unless
 * {@code ordering[j] < ordering[i]}, for random sizes, depths, widths, orderings and weights, and (so the
 * check is not vacuous) every allowed dependency is really there when the layers are wide enough.
 */
class MadeTest {

    enum OrderKind { NATURAL, REVERSED, RANDOM }

    static int[] ordering(OrderKind kind, int d, long seed) {
        return switch (kind) {
            case NATURAL -> Made.naturalOrder(d);
            case REVERSED -> Made.reversedOrder(d);
            case RANDOM -> Made.randomOrder(d, seed);
        };
    }

    /** {@code J[b][i][j] = ∂out_b[i]/∂x_j} at {@code x}. */
    static double[][][] jacobians(Made made, Tensor x) {
        double[][][] j = new double[made.outputsPerDimension()][][];
        for (int b = 0; b < j.length; b++) {
            int block = b;
            j[b] = jacobian(t -> made.forward(t)[block], x);
        }
        return j;
    }

    @Property(tries = 120)
    void outputsDependOnlyOnEarlierInputs(@ForAll @IntRange(min = 1, max = 7) int d,
                                          @ForAll @IntRange(min = 0, max = 3) int depth,
                                          @ForAll @IntRange(min = 1, max = 12) int width,
                                          @ForAll @IntRange(min = 1, max = 3) int outputs,
                                          @ForAll OrderKind orderKind, @ForAll boolean relu, @ForAll long seed) {
        Rng rng = new Rng(seed);
        int[] order = ordering(orderKind, d, seed);
        int[] hidden = new int[depth];
        Arrays.fill(hidden, width);
        Made made = randomize(new Made(order, hidden, outputs, relu ? Activation.Kind.RELU : Activation.Kind.TANH,
                F64, rng), 1.0, rng);
        for (int trial = 0; trial < 2; trial++) {
            double[][][] jac = jacobians(made, rng.normal(F64, d).mul(2.0));
            for (int b = 0; b < outputs; b++) {
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        if (order[j] >= order[i]) {
                            assertTrue(jac[b][i][j] == 0.0, "∂out" + b + "[" + i + "]/∂x" + j + " with ordering "
                                    + Arrays.toString(order) + " and hidden " + Arrays.toString(hidden));
                        }
                    }
                }
            }
        }
    }

    @Property(tries = 60)
    void everyAllowedDependencyIsPresentWhenLayersAreWideEnough(@ForAll @IntRange(min = 2, max = 7) int d,
                                                                @ForAll @IntRange(min = 0, max = 2) int depth,
                                                                @ForAll @IntRange(min = 0, max = 5) int extra,
                                                                @ForAll OrderKind orderKind, @ForAll long seed) {
        Rng rng = new Rng(seed);
        int[] order = ordering(orderKind, d, seed);
        int[] hidden = new int[depth];
        Arrays.fill(hidden, d - 1 + extra);
        Made made = randomize(new Made(order, hidden, 2, Activation.Kind.TANH, F64, rng), 1.0, rng);
        double[][][] jac = jacobians(made, rng.normal(F64, d));
        int allowed = 0;
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    if (order[j] < order[i]) {
                        allowed++;
                        assertNotEquals(0.0, jac[b][i][j], "allowed dependency ∂out" + b + "[" + i + "]/∂x" + j
                                + " is missing; ordering " + Arrays.toString(order) + ", hidden " + Arrays.toString(hidden));
                    }
                }
            }
        }
        assertEquals(2 * d * (d - 1) / 2, allowed);
    }

    @Test
    void masksAreBuffersAndMaskedWeightsGetNoGradient() {
        Rng rng = new Rng(3);
        Made made = randomize(new Made(Made.naturalOrder(4), new int[] {5}, 2, Activation.Kind.RELU, F64, rng), 1, rng);
        assertTrue(made.stateDict().containsKey("0.mask"));
        assertTrue(made.stateDict().containsKey("1.mask"));
        assertTrue(!made.namedParameters().containsKey("0.mask"));
        Tensor x = rng.normal(F64, 3, 4);
        Tensor[] out = made.forward(x);
        out[0].add(out[1]).sum().backward();
        for (MaskedLinear layer : made.layers()) {
            for (int k = 0; k < layer.mask().numel(); k++) {
                if (layer.mask().getFlat(k) == 0.0) {
                    assertTrue(layer.weight().grad().getFlat(k) == 0.0, "gradient of a masked-out weight");
                }
            }
        }
    }

    @Test
    void orderingsAndArgumentChecks() {
        assertArrayEquals(new int[] {0, 1, 2}, Made.naturalOrder(3));
        assertArrayEquals(new int[] {2, 1, 0}, Made.reversedOrder(3));
        assertArrayEquals(Made.randomOrder(6, 42), Made.randomOrder(6, 42));
        Rng rng = new Rng(1);
        assertThrows(IllegalArgumentException.class,
                () -> new Made(new int[] {0, 0}, new int[] {3}, 2, Activation.Kind.RELU, F64, rng));
        assertThrows(IllegalArgumentException.class,
                () -> new Made(new int[] {0, 1}, new int[] {0}, 2, Activation.Kind.RELU, F64, rng));
        assertThrows(IllegalArgumentException.class,
                () -> new Made(new int[] {0, 1}, new int[] {3}, 0, Activation.Kind.RELU, F64, rng));
    }
}
