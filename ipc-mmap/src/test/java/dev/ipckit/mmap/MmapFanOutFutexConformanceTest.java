package dev.ipckit.mmap;

/**
 * The conformance kit in one process for one subscriber of a subscribers=3 ring whose subscribers sleep on the
 * futex word (its waiting word a bit per subscriber).
 */
class MmapFanOutFutexConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&subscribers=3&wait=futex";
    }
}
