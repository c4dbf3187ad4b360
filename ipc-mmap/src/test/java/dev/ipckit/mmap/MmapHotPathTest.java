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
    /** The most a read-only segment view takes on the heap (HotSpot, compressed class pointers). */
    private static final int VIEW_BYTES = 48;

    @TempDir
    Path dir;

    private long received;
    private final MessageHandler handler = (buffer, offset, length) -> received += buffer.getLong(offset);

    @ParameterizedTest
    @ValueSource(strings = {"capacity=64k", "capacity=64k&wait=futex", "capacity=64k&producers=many&wait=futex",
        "capacity=64k&format=agrona", "capacity=64k&producers=many&wait=futex&format=agrona"})
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

    /**
     * The {@code MemorySegment} forms: {@code offer(MemorySegment)} copies with nothing allocated, and each message
     * reaches the {@link dev.ipckit.SegmentHandler} as a read-only slice of the mapping: one small view object per
     * message, which C2's escape analysis removes once the handler is inlined (a longer warm-up showed 0 bytes), but
     * which a short run like this one still counts. Nothing else may be allocated: no Agrona view, no copy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"capacity=64k", "capacity=64k&format=agrona", "capacity=64k&producers=many&wait=futex"})
    void shouldAllocateNothingPerMessageOnTheSegmentForms(final String options) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final String uri = "mmap:" + dir.resolve("hot-segments") + "?" + options;
        final dev.ipckit.SegmentHandler segments =
            message -> received += message.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
        try (Sender sender = Channels.openSender(uri); Receiver receiver = Channels.openReceiver(uri);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final java.lang.foreign.MemorySegment message = arena.allocate(32, 8);
            for (int round = 0; round < 2; round++) { // the first round warms up
                received = 0;
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUNDS; i++) {
                    message.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, i);
                    assertTrue(sender.offer(message));
                    int polled = receiver.poll(segments, 10);
                    for (int tries = 0; polled == 0 && tries < 3; tries++) {
                        polled = receiver.poll(segments, 10); // Agrona's read stops after padding at the wrap
                    }
                    assertEquals(1, polled);
                }
                final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertEquals((long) ROUNDS * (ROUNDS - 1) / 2, received);
                if (round == 1) {
                    assertTrue(allocated <= (long) ROUNDS * VIEW_BYTES, allocated + " bytes allocated over " + ROUNDS
                        + " messages with " + options + ": more than one " + VIEW_BYTES + "-byte view per message");
                }
            }
        }
    }
}
