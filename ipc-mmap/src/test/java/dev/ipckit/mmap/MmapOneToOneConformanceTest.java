package dev.ipckit.mmap;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Channels;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit in one process on a producers=one ring with the default wait (backoff).
 */
class MmapOneToOneConformanceTest extends ChannelConformanceTest {
    private final List<String> names = new ArrayList<>();

    @Override
    protected Pair openPair() {
        final String name = TestRings.uniqueName("o2o");
        names.add(name);
        final String uri = "mmap:" + name + "?capacity=64k&maxMessage=4k";
        return new Pair(Channels.openSender(uri), Channels.openReceiver(uri));
    }

    @Override
    protected void cleanUp() {
        names.forEach(TestRings::remove);
        names.clear();
    }
}
