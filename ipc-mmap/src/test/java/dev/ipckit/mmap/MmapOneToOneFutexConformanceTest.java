package dev.ipckit.mmap;

/**
 * The conformance kit in one process on a producers=one ring whose receiver sleeps on the futex word.
 */
class MmapOneToOneFutexConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&wait=futex";
    }
}
