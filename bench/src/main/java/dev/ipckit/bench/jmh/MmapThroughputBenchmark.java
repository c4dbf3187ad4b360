package dev.ipckit.bench.jmh;

/**
 * {@link ThroughputBenchmark} over an mmap ring, both ends in this process.
 */
public class MmapThroughputBenchmark extends ThroughputBenchmark {
    @Override
    protected String transport() {
        return "mmap";
    }
}
