package dev.ipckit.mmap;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Channels;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit in one process on a producers=many ring (ManyToOneRingBuffer) with futex wake-ups.
 */
class MmapManyToOneConformanceTest extends ChannelConformanceTest {
    private final List<String> names = new ArrayList<>();

    /**
     * @return the options after the ring name.
     */
    protected String options() {
        return "?capacity=64k&maxMessage=4k&producers=many&wait=futex&unlinkOnClose=true";
    }

    @Override
    protected Pair openPair() {
        final String name = TestRings.uniqueName("m2o");
        names.add(name);
        final String uri = "mmap:" + name + options();
        return new Pair(Channels.openSender(uri), Channels.openReceiver(uri));
    }

    @Override
    protected void cleanUp() {
        names.forEach(TestRings::remove);
        names.clear();
    }
}
