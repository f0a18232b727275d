package elbo.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The kernels use vectors of one shape only, the preferred one (VectorKernels' compile rule 4): their
 * species, masks and shuffle constants. A second shape of the same element type shares the Vector
 * API's methods, and so their type profiles, with the first: C2 then finds two vector classes where
 * it needs one and, now and then, boxes every vector of another kernel's loop.
 */
class VectorShapeTest {
    private static final List<Class<?>> KERNEL_CLASSES =
            List.of(VectorKernels.class, VectorMath.class, GemmFloat.class, GemmDouble.class);

    @Test
    void everyVectorConstantHasThePreferredShape() throws IllegalAccessException {
        assumeTrue(KernelProvider.get() instanceof VectorKernels, "needs the Vector API");
        VectorShape preferred = VectorShape.preferredShape();
        List<String> checked = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Class<?> c : KERNEL_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object value = f.get(null);
                List<Object> values = value instanceof Object[] array ? Arrays.asList(array) : Arrays.asList(value);
                for (Object v : values) {
                    VectorShape shape = shape(v);
                    if (shape != null) {
                        checked.add(c.getSimpleName() + "." + f.getName());
                        if (shape != preferred) {
                            wrong.add(c.getSimpleName() + "." + f.getName() + " is " + shape);
                        }
                    }
                }
            }
        }
        assertTrue(checked.size() >= 4, "too few vector constants found: " + checked);
        assertEquals(List.of(), wrong, "vector constants of a shape other than the preferred " + preferred);
    }

    /** The shape of a species, vector, mask or shuffle; null for anything else. */
    private static VectorShape shape(Object v) {
        return switch (v) {
            case null -> null;
            case VectorSpecies<?> s -> s.vectorShape();
            case Vector<?> x -> x.shape();
            case VectorMask<?> m -> m.vectorSpecies().vectorShape();
            case VectorShuffle<?> s -> s.vectorSpecies().vectorShape();
            default -> null;
        };
    }
}
