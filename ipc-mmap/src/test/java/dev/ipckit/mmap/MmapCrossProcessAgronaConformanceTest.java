package dev.ipckit.mmap;

/**
 * {@link MmapCrossProcessConformanceTest} on a ring of Agrona's record format ({@code format=agrona}).
 */
class MmapCrossProcessAgronaConformanceTest extends MmapCrossProcessConformanceTest {
    @Override
    protected String options() {
        return super.options() + "&format=agrona";
    }
}
