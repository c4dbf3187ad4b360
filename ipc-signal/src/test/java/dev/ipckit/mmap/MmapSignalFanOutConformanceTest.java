package dev.ipckit.mmap;

/**
 * The conformance kit in one process for one subscriber of a subscribers=3 ring whose idle subscribers sleep in
 * sigtimedwait and are woken one by one by the sender's signal ({@code wait=signal}).
 */
class MmapSignalFanOutConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&subscribers=3&wait=signal";
    }
}
