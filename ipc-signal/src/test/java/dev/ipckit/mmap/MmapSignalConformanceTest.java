package dev.ipckit.mmap;

/**
 * The conformance kit in one process on an mmap ring whose idle receiver sleeps in sigtimedwait and is woken
 * by its sender's signal ({@code wait=signal}, through the WakeupProvider SPI).
 */
class MmapSignalConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&wait=signal";
    }
}
