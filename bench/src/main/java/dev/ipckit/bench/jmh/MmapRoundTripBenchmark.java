package dev.ipckit.bench.jmh;

import org.openjdk.jmh.annotations.Param;

/**
 * {@link RoundTripBenchmark} over an mmap ring; {@code wait=signal} needs ipckit-signal on the class path.
 */
public class MmapRoundTripBenchmark extends RoundTripBenchmark {
    /** How both sides wait: the URI's {@code wait=} option. */
    @Param({"spin", "backoff", "signal", "futex"})
    public String wait;

    @Override
    protected String transport() {
        return "mmap/" + wait;
    }
}
