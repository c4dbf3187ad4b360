package dev.ipckit.bench.jmh;

/**
 * {@link ThroughputBenchmark} over one anonymous pipe.
 */
public class PipeThroughputBenchmark extends ThroughputBenchmark {
    @Override
    protected String transport() {
        return "pipe";
    }
}
