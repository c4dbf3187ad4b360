package dev.ipckit.mmap;

/**
 * {@link MmapOneToOneFutexConformanceTest} on a ring of Agrona's record format ({@code format=agrona}).
 */
class MmapOneToOneFutexAgronaConformanceTest extends MmapOneToOneFutexConformanceTest {
    @Override
    protected String options() {
        return super.options() + "&format=agrona";
    }
}
