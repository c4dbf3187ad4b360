package dev.ipckit.fifo;

import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit on an anonymous pipe between two threads.
 */
class PipeConformanceTest extends ChannelConformanceTest {
    @Override
    protected Pair openPair() {
        final Pipes.Pair pipe = Pipes.open();
        return new Pair(pipe.sender(), pipe.receiver());
    }
}
