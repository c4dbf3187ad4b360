package dev.ipckit.bench.jmh;

/**
 * {@link ThroughputBenchmark} over one named FIFO.
 */
public class FifoThroughputBenchmark extends ThroughputBenchmark {
    @Override
    protected String transport() {
        return "fifo";
    }
}
