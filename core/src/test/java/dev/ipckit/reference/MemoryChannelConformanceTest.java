package dev.ipckit.reference;

import java.util.concurrent.atomic.AtomicInteger;

import dev.ipckit.Channels;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit on the in-process reference channel.
 */
class MemoryChannelConformanceTest extends ChannelConformanceTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Override
    protected Pair openPair() {
        final String uri = "mem:conformance-" + NAMES.incrementAndGet() + "?capacity=64k&maxMessage=4k";
        return new Pair(Channels.openSender(uri), Channels.openReceiver(uri));
    }
}
