package dev.ipckit.bench.jmh;

import org.openjdk.jmh.annotations.Param;

/**
 * {@link RoundTripBenchmark} over two anonymous pipes inherited by the echo process.
 */
public class PipeRoundTripBenchmark extends RoundTripBenchmark {
    /** How both sides wait: the URI's {@code wait=} option. */
    @Param({"block", "spin"})
    public String wait;

    @Override
    protected String transport() {
        return "pipe/" + wait;
    }
}
