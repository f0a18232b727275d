package elbo.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * A warm-up that lasts until the JIT has settled, so that a step timed afterwards runs compiled code:
 * at least {@code minSteps} steps and {@code minSeconds}, then on in blocks of at least
 * {@value #BLOCK_SECONDS} s until {@value #QUIET_BLOCKS} blocks in a row spent less than
 * {@value #QUIET_SHARE} of their time compiling (the JVM's total compilation time, summed over its
 * compiler threads), or until {@code maxSeconds}.
 *
 * <p>Why: a fixed count of warm-up steps is too few on a slow or busy machine, where C2 takes longer.
 * With two CPUs the compiler threads also take CPU time from the step's own two threads. The VAE step
 * of {@link VaeStep} read 2.75 ms after 300 steps and 2.57 ms from 1,500 steps on (blocks of 100 steps;
 * compilation still took 14-182 ms per block up to step 1,100 and 0-33 ms from 1,300 on; AMD EPYC
 * Zen 5, two threads, 2026-12-04).
 */
final class JitWarmup {
    static final double BLOCK_SECONDS = 0.25;
    static final int QUIET_BLOCKS = 2;
    static final double QUIET_SHARE = 0.02;

    /** How a warm-up ended. */
    record Result(int steps, double seconds, boolean settled) {
        /** One line for standard error, e.g. {@code warm-up: 1400 steps, 3.9 s, JIT settled}. */
        String describe() {
            return String.format(Locale.ROOT, "warm-up: %d steps, %.1f s, JIT %s", steps, seconds,
                    settled ? "settled" : "still compiling (time limit reached)");
        }
    }

    private JitWarmup() {
    }

    /**
     * Runs {@code step} until the JIT has settled (see the class comment).
     *
     * @throws IllegalArgumentException if {@code minSteps < 0} or the times are negative or out of order
     */
    static Result run(Runnable step, int minSteps, double minSeconds, double maxSeconds) {
        if (minSteps < 0 || minSeconds < 0 || maxSeconds < minSeconds) {
            throw new IllegalArgumentException("warm-up: need minSteps >= 0 and 0 <= minSeconds <= maxSeconds, got "
                    + minSteps + ", " + minSeconds + ", " + maxSeconds);
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        int steps = 0;
        while (steps < minSteps || seconds(start) < minSeconds) {
            step.run();
            steps++;
        }
        int quiet = 0;
        while (measurable && quiet < QUIET_BLOCKS && seconds(start) < maxSeconds) {
            long compiling0 = jit.getTotalCompilationTime();
            long block0 = System.nanoTime();
            do {
                step.run();
                steps++;
            } while (seconds(block0) < BLOCK_SECONDS);
            double compiling = (jit.getTotalCompilationTime() - compiling0) / 1e3;
            quiet = compiling < QUIET_SHARE * seconds(block0) ? quiet + 1 : 0;
        }
        return new Result(steps, seconds(start), !measurable || quiet >= QUIET_BLOCKS);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
