package dev.ipckit.mmap;

/**
 * The conformance kit in one process for one subscriber of a producers=many, subscribers=3 ring (N x M), with futex
 * wake-ups.
 */
class MmapFanOutManyToOneConformanceTest extends MmapManyToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&producers=many&subscribers=3&wait=futex&unlinkOnClose=true";
    }
}
