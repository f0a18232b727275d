package elbo.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compiled vector kernels allocate nothing, even when C2 inlines less than it does by default.
 *
 * <p>A Vector API call that C2 does not inline falls back to code that allocates every vector. A loop
 * that calls a helper of ours taking vectors gets that helper inlined only if the helper has not already
 * been compiled on its own to more than {@code -XX:InlineSmallCode} bytes (2500 by default); whether it
 * has depends on compile timing, so a big helper slows a run now and then (it did: 6 of 40 VAE-step
 * runs in one batch took twice the step time, with 26 MB of garbage a step). The probe runs in a JVM with the threshold cut
 * to 1500 bytes, where a helper too big for comfort is refused every time and the failure is certain
 * (the kernels stay allocation-free down to 1000 bytes).
 *
 * <p>A kernel that allocates is probed once more, in a fresh JVM, and the test fails for the kernels that
 * allocated in both. A helper too big fails in every JVM; a compile-order accident (a call site C2
 * compiled before it had a type profile, or with a profile that saw two vector classes) seldom repeats.
 * Such accidents were seen in CI and by hand in December 2026 (AMD EPYC Zen 5) in
 * {@code bernoulliLogProbRows}, {@code max}, {@code logSumExpRows} and the row sums of
 * {@code zipRows}; VectorKernels' rules 3 and 4 remove their two causes. The test still fails when
 * every helper is refused ({@code -XX:InlineSmallCode=100}: 9 and 10 kernels allocated in both JVMs in
 * two runs).
 */
class KernelAllocationTest {

    @Test
    void compiledKernelsDoNotAllocateWithASmallInliningThreshold() throws Exception {
        assumeTrue(KernelProvider.get() instanceof VectorKernels, "needs the Vector API");
        Map<String, Long> first = allocatingKernels();
        if (first.isEmpty()) {
            return;
        }
        Map<String, Long> again = allocatingKernels();
        List<String> both = first.keySet().stream().filter(again::containsKey)
                .map(k -> k + " " + first.get(k) + " then " + again.get(k)).toList();
        if (both.isEmpty()) { // passes, but say so: a new cause of such accidents shows up here first
            System.err.println("KernelAllocationTest: allocated in the first probe only (bytes per call): " + first);
        }
        assertEquals(List.of(), both, "kernels that allocate in two JVMs (bytes per call); in the first: " + first);
    }

    /** One probe in a JVM of its own: the kernels that still allocate (bytes per call) when its time is up. */
    private static Map<String, Long> allocatingKernels() throws Exception {
        String classPath = location(VectorKernels.class) + File.pathSeparator + location(AllocationProbe.class);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "--add-modules=jdk.incubator.vector",
                "-XX:InlineSmallCode=1500", "-XX:+UseParallelGC", "-cp", classPath,
                AllocationProbe.class.getName(), "30000000000")
                .redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, process.exitValue(), output);
        List<String> results = output.lines().filter(l -> l.startsWith("alloc ")).toList();
        assertTrue(results.size() > 30, "too few results in the probe's output:\n" + output);
        // a boxed loop allocates about 12 KB per call over 1000 elements, for ever
        Map<String, Long> allocating = new TreeMap<>();
        for (String line : results) {
            String[] parts = line.split(" ");
            long bytes = Long.parseLong(parts[2]);
            if (bytes >= 64) {
                allocating.put(parts[1], bytes);
            }
        }
        return allocating;
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
