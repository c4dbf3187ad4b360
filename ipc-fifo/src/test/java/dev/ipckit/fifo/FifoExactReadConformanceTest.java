package dev.ipckit.fifo;

/**
 * The conformance kit on a FIFO whose receiver reads no further than the frames a poll may deliver
 * ({@code readahead=false}): the same contract, read a frame at a time.
 */
class FifoExactReadConformanceTest extends FifoConformanceTest {
    @Override
    protected String receiverOptions() {
        return "&readahead=false";
    }
}
