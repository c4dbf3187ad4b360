package dev.ipckit.mmap;

/**
 * {@link MmapManyToOneConformanceTest} on a ring of Agrona's record format ({@code format=agrona}).
 */
class MmapManyToOneAgronaConformanceTest extends MmapManyToOneConformanceTest {
    @Override
    protected String options() {
        return super.options() + "&format=agrona";
    }
}
