package dev.ipckit.mmap;

/**
 * {@link MmapManyToOneCrossProcessConformanceTest} on a ring of Agrona's record format ({@code format=agrona}).
 */
class MmapManyToOneCrossProcessAgronaConformanceTest extends MmapManyToOneCrossProcessConformanceTest {
    @Override
    protected String options() {
        return super.options() + "&format=agrona";
    }
}
