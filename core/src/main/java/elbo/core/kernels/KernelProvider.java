package elbo.core.kernels;

/**
 * Chooses the kernel implementation once, at class initialisation.
 *
 * <p>The vector kernels are used when the {@code jdk.incubator.vector} module is resolved (run with
 * {@code --add-modules jdk.incubator.vector}); otherwise the scalar ones. The system property
 * {@code elbo.kernels} overrides the choice: {@code scalar} or {@code vector} (the latter fails with a
 * clear message if the module is absent).
 */
public final class KernelProvider {
    /** System property that forces a kernel implementation: {@code scalar} or {@code vector}. */
    public static final String PROPERTY = "elbo.kernels";

    private static final Kernels KERNELS = choose(System.getProperty(PROPERTY, "auto"));

    private KernelProvider() {
    }

    /** The kernels chosen at start-up. */
    public static Kernels get() {
        return KERNELS;
    }

    /** True if the Vector API module is resolved in this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static Kernels choose(String setting) {
        return switch (setting) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> {
                if (!vectorApiAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=vector needs the JVM option "
                            + "--add-modules jdk.incubator.vector");
                }
                yield loadVectorKernels();
            }
            case "auto" -> vectorApiAvailable() ? loadVectorKernels() : new ScalarKernels();
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + setting
                    + ": expected 'scalar', 'vector' or 'auto'");
        };
    }

    /** Loaded reflectively so that no Vector API class is linked when the module is absent. */
    private static Kernels loadVectorKernels() {
        try {
            Class<?> c = Class.forName("elbo.core.kernels.VectorKernels");
            return (Kernels) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new ScalarKernels(); // built without vector kernels
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the vector kernels", e);
        }
    }
}
