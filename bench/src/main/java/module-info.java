/**
 * ELBO benchmarks. Compiled as a module (so the JPMS boundaries are checked like every other module's);
 * run on the class path, as JMH's runner and forks expect (see bench/README.md).
 */
module elbo.bench {
    requires elbo.models;
    requires static jmh.core;
    requires jdk.management;
    requires jdk.incubator.vector; // PeakBench measures the FMA peak with it directly

    exports elbo.bench;
}
