package dev.ipckit.bench.jmh;

import org.openjdk.jmh.annotations.Param;

/**
 * {@link RoundTripBenchmark} over two named FIFOs.
 */
public class FifoRoundTripBenchmark extends RoundTripBenchmark {
    /** How both sides wait: the URI's {@code wait=} option. */
    @Param({"block", "spin"})
    public String wait;

    @Override
    protected String transport() {
        return "fifo/" + wait;
    }
}
