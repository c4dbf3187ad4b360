package dev.ipckit.mmap;

/**
 * The cross-process conformance kit on a producers=many ring whose receiver sleeps on the futex word.
 */
class MmapManyToOneCrossProcessConformanceTest extends MmapCrossProcessConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&producers=many&wait=futex";
    }
}
