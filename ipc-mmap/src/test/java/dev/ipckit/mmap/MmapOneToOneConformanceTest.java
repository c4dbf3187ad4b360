package dev.ipckit.mmap;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Channels;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit in one process on a producers=one ring with the default wait (backoff). The receiver
 * opens first and creates the file; the sender gives no options and adopts the file's.
 */
class MmapOneToOneConformanceTest extends ChannelConformanceTest {
    private final List<String> names = new ArrayList<>();

    /**
     * @return the receiver's options after the ring name.
     */
    protected String options() {
        return "?capacity=64k&maxMessage=4k";
    }

    @Override
    protected Pair openPair() {
        final String name = TestRings.uniqueName("o2o");
        names.add(name);
        final var receiver = Channels.openReceiver("mmap:" + name + options());
        return new Pair(Channels.openSender("mmap:" + name), receiver);
    }

    @Override
    protected void cleanUp() {
        names.forEach(TestRings::remove);
        names.clear();
    }
}
