package dev.ipckit.mmap;

/**
 * The cross-process conformance kit on an mmap ring with {@code wait=signal}: the child JVM is the sender or
 * the receiver, and the wake-ups cross the process boundary as thread-directed real-time signals.
 */
class MmapSignalCrossProcessConformanceTest extends MmapCrossProcessConformanceTest {
    @Override
    protected String options() {
        return "?capacity=64k&maxMessage=4k&wait=signal&signal=SIGRTMIN+5";
    }
}
