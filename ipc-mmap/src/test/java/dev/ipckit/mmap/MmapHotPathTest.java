package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The message path allocates nothing: offer, zero-copy claim and commit, and polls that deliver, measured with the
 * thread's allocation counter. (Empty polls add a liveness check at most every millisecond; its FFM downcalls
 * allocate a few bytes only until the JIT compiles them, so they are left out of this count.)
 */
class MmapHotPathTest {
    private static final int ROUNDS = 200_000;

    @TempDir
    Path dir;

    private long received;
    private final MessageHandler handler = (buffer, offset, length) -> received += buffer.getLong(offset);

    @ParameterizedTest
    @ValueSource(strings = {"capacity=64k", "capacity=64k&wait=futex", "capacity=64k&producers=many&wait=futex"})
    void shouldAllocateNothingPerMessage(final String options) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final String uri = "mmap:" + dir.resolve("hot") + "?" + options;
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        try (MmapSender sender = (MmapSender) Channels.openSender(uri);
             Receiver receiver = Channels.openReceiver(uri)) {
            exchange(sender, receiver, message, ROUNDS); // warm up: links, class loading, compilation
            received = 0;
            final long before = threads.getCurrentThreadAllocatedBytes();
            exchange(sender, receiver, message, ROUNDS);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals((long) ROUNDS * (ROUNDS - 1) / 2 + (long) ROUNDS * (ROUNDS - 1) / 2, received);
            assertEquals(0, allocated, "bytes allocated over " + ROUNDS + " messages with " + options);
        }
    }

    private void exchange(final MmapSender sender, final Receiver receiver, final UnsafeBuffer message,
                          final int rounds) {
        for (int i = 0; i < rounds; i++) {
            message.putLong(0, i);
            assertTrue(sender.offer(message, 0, 8));
            final int index = sender.tryClaim(8);
            sender.buffer().putLong(index, i);
            sender.commit(index);
            if (receiver.poll(handler, 10) != 2) {
                throw new AssertionError("both messages were committed before the poll");
            }
        }
    }
}
