package elbo.core.kernels;

import java.util.Locale;

/**
 * How many vector registers the JIT may allocate on this machine: it decides how large a register
 * tile {@link GemmFloat} can keep without spilling.
 *
 * <ul>
 *   <li>x86-64 has 16 (SSE, AVX, AVX2) or, with AVX-512 in use, 32. AVX-512 is in use when the JVM's
 *       {@code UseAVX} flag is 3 or more; {@code -XX:UseAVX=2} on an AVX-512 machine takes the 16
 *       extra registers away (a faithful AVX2 machine). When the flag cannot be read (no
 *       {@code jdk.management} module) a preferred vector of 512 bits stands for AVX-512.</li>
 *   <li>AArch64 (NEON, SVE) and RISC-V (V) have 32.</li>
 *   <li>Anything else: 16, the safe guess (too few registers assumed costs a little speed; too many,
 *       a spill every k-step).</li>
 * </ul>
 * The system property {@value #PROPERTY} ({@code 16} or {@code 32}) overrides the guess.
 */
final class VectorRegisters {
    /** System property that overrides the count: {@code 16} or {@code 32}. */
    static final String PROPERTY = "elbo.vector.registers";

    private VectorRegisters() {
    }

    /**
     * @param preferredBits the bit size of the preferred vector species
     * @throws IllegalArgumentException if {@value #PROPERTY} is set to anything but 16 or 32
     */
    static int count(int preferredBits) {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return switch (forced.trim()) {
                case "16" -> 16;
                case "32" -> 32;
                default -> throw new IllegalArgumentException(
                        "-D" + PROPERTY + " must be 16 or 32, got '" + forced + "'");
            };
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("aarch64") || arch.startsWith("riscv")) {
            return 32;
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            int useAvx = hotSpotFlag("UseAVX");
            if (useAvx >= 0) {
                return useAvx >= 3 ? 32 : 16;
            }
            return preferredBits >= 512 ? 32 : 16;
        }
        return 16;
    }

    /** The integer value of a HotSpot flag, or -1 if it cannot be read here. */
    private static int hotSpotFlag(String name) {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(bean.getVMOption(name).getValue());
        } catch (LinkageError | RuntimeException e) {
            // no jdk.management module, no HotSpot, or no such flag
            return -1;
        }
    }
}
