package elbo.bench;

import java.util.Arrays;

/** How the bench commands time a step: call by call, and the median of the calls. */
final class StepTimes {
    private StepTimes() {
    }

    /**
     * The milliseconds of each call of {@code step}, timed one by one until both {@code minSteps} calls and
     * {@code seconds} have passed.
     */
    static double[] time(Runnable step, int minSteps, double seconds) {
        double[] ms = new double[16];
        int n = 0;
        long start = System.nanoTime();
        while (n < minSteps || System.nanoTime() - start < seconds * 1e9) {
            long t0 = System.nanoTime();
            step.run();
            if (n == ms.length) {
                ms = Arrays.copyOf(ms, 2 * n);
            }
            ms[n++] = (System.nanoTime() - t0) / 1e6;
        }
        return Arrays.copyOf(ms, n);
    }

    /** The median of {@code v} (of an even count, the mean of the middle two), as every bench figure here. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
