package dev.ipckit.mmap;

/**
 * The conformance kit in one process for one subscriber of a subscribers=3 ring: the receiver takes a subscriber
 * slot (its own lock, position and counters), and the sender's flow control reads the slots.
 */
class MmapFanOutConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&subscribers=3";
    }
}
