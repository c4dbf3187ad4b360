package dev.ipckit.mmap;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Channels;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit in one process on a producers=one ring whose receiver sleeps on the futex word; the
 * receiver opens first and creates the file, the sender adopts its options.
 */
class MmapOneToOneFutexConformanceTest extends ChannelConformanceTest {
    private final List<String> names = new ArrayList<>();

    @Override
    protected Pair openPair() {
        final String name = TestRings.uniqueName("o2o-futex");
        names.add(name);
        final var receiver = Channels.openReceiver("mmap:" + name + "?capacity=64k&maxMessage=4k&wait=futex");
        return new Pair(Channels.openSender("mmap:" + name), receiver);
    }

    @Override
    protected void cleanUp() {
        names.forEach(TestRings::remove);
        names.clear();
    }
}
