package dev.ipckit.mmap;

/**
 * {@link MmapOneToOneConformanceTest} on a ring of Agrona's record format ({@code format=agrona}).
 */
class MmapOneToOneAgronaConformanceTest extends MmapOneToOneConformanceTest {
    @Override
    protected String options() {
        return super.options() + "&format=agrona";
    }
}
