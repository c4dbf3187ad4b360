package dev.ipckit.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ipckit.Channel;
import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.SegmentHandler;
import dev.ipckit.Sender;

/**
 * The Channel contract, checked in one process. Each transport subclasses this once and says how to open a
 * connected pair; the kit closes both ends after each test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ChannelConformanceTest {
    /** How long the kit waits for anything that should happen. */
    protected static final Duration DEADLINE = Duration.ofSeconds(30);

    /**
     * A connected pair of ends.
     *
     * @param sender the sending end.
     * @param receiver the receiving end.
     */
    public record Pair(Sender sender, Receiver receiver) {
    }

    private Pair pair;
    private UnsafeBuffer buffer;

    /**
     * Opens a fresh pair for one test, on unique names; both ends must be ready to use.
     *
     * @return the pair.
     */
    protected abstract Pair openPair();

    /**
     * Whether a sender learns how its receiver left. A transport that cannot know (an Aeron publication sees the
     * image go either way) overrides this with false; the kit then holds the sender's reason only to
     * {@code CLOSED} or {@code DIED}, never {@code CUT}.
     *
     * @return true when the kit checks that a sender whose receiver closed is told {@code CLOSED}.
     */
    protected boolean senderLearnsHowReceiverLeft() {
        return true;
    }

    /**
     * Removes anything the pair left behind (files), after both ends were closed.
     */
    protected void cleanUp() {
    }

    @BeforeEach
    final void openChannel() {
        pair = openPair();
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(pair.sender().maxMessageLength() + 64));
    }

    @AfterEach
    final void closeChannel() {
        if (pair != null) {
            pair.sender().close();
            pair.receiver().close();
        }
        cleanUp();
    }

    /**
     * @return the sending end of this test's pair.
     */
    protected Sender sender() {
        return pair.sender();
    }

    /**
     * @return the receiving end of this test's pair.
     */
    protected Receiver receiver() {
        return pair.receiver();
    }

    private void send(final long seed, final long index, final int max) {
        final int length = Payloads.length(seed, index, max);
        Payloads.fill(buffer, 0, seed, index, length);
        assertTrue(sender().offer(buffer, 0, length, DEADLINE), "offer of message " + index + " timed out");
    }

    /**
     * Receives {@code count} messages, checking each, while the sender works on another thread.
     */
    private void receiveAll(final long seed, final long count, final int max) {
        final long[] next = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (next[0] < count) {
            assertTrue(System.nanoTime() - deadline < 0, "received only " + next[0] + " of " + count);
            receiver().poll((b, o, l) -> {
                assertNull(Payloads.verify(b, o, l, seed, next[0], max));
                next[0]++;
            }, 100, Duration.ofMillis(100));
        }
    }

    @Test
    void shouldDeliverMessagesInOrderAndIntact() throws Exception {
        final int max = Math.min(sender().maxMessageLength(), 64 * 1024);
        final long count = 5_000;
        final CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (long i = 0; i < count; i++) {
                send(42, i, max);
            }
        });
        receiveAll(42, count, max);
        producer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, receiver().poll((b, o, l) -> fail("no message was left"), 10));
    }

    @Test
    void shouldDeliverEmptyAndMaxLengthMessages() throws Exception {
        final int max = sender().maxMessageLength();
        final UnsafeBuffer big = new UnsafeBuffer(ByteBuffer.allocateDirect(max));
        for (int i = 0; i < max; i++) {
            big.putByte(i, (byte) (i * 31 + 7));
        }
        final List<Integer> lengths = new ArrayList<>();
        final CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            assertTrue(sender().offer(big, 0, 0, DEADLINE));
            assertTrue(sender().offer(big, 0, max, DEADLINE));
            assertTrue(sender().offer(big, 0, 1, DEADLINE));
        });
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (lengths.size() < 3 && System.nanoTime() - deadline < 0) {
            receiver().poll((b, o, l) -> {
                for (int i = 0; i < l; i++) {
                    if (b.getByte(o + i) != (byte) (i * 31 + 7)) {
                        fail("byte " + i + " of a " + l + "-byte message differs");
                    }
                }
                lengths.add(l);
            }, 10, Duration.ofMillis(100));
        }
        producer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of(0, max, 1), lengths);
    }

    @Test
    void shouldRejectTooLongMessageNamingBothLengthsAndWriteNothing() {
        final int max = sender().maxMessageLength();
        final UnsafeBuffer big = new UnsafeBuffer(ByteBuffer.allocateDirect(max + 1));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sender().offer(big, 0, max + 1));
        assertTrue(e.getMessage().contains(Integer.toString(max + 1)), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(max)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sender().offer(big, 0, max + 1, Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> sender().offer(big, 0, -1));
        assertEquals(0, receiver().poll((b, o, l) -> fail("nothing was sent"), 10));
        buffer.putByte(0, (byte) 9);
        assertTrue(sender().offer(buffer, 0, 1, DEADLINE));
        final int[] got = {-1};
        assertEquals(1, receiver().poll((b, o, l) -> got[0] = l == 1 ? b.getByte(o) : -l, 10, DEADLINE));
        assertEquals(9, got[0]);
    }

    @Test
    void shouldReturnFalseWhenFullAndLoseNothing() {
        final int length = Math.min(sender().maxMessageLength(), 1024);
        long offered = 0;
        while (sender().offer(buffer, 0, length)) {
            offered++;
            assertTrue(offered < 10_000_000, "the channel never filled up");
        }
        assertTrue(offered > 0, "not one message fitted");
        assertFalse(sender().offer(buffer, 0, length, Duration.ofMillis(20)), "a timed offer to a full channel returns false");
        final long[] received = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (received[0] < offered && System.nanoTime() - deadline < 0) {
            receiver().poll((b, o, l) -> {
                assertEquals(length, l);
                received[0]++;
            }, 1000, Duration.ofMillis(100));
        }
        assertEquals(offered, received[0]);
        assertTrue(sender().offer(buffer, 0, length), "room again after draining");
    }

    @Test
    void shouldReturnZeroWhenTimedPollFindsNothing() {
        assertEquals(0, receiver().poll((b, o, l) -> fail("nothing was sent"), 10));
        assertEquals(0, receiver().poll((b, o, l) -> fail("nothing was sent"), 10, Duration.ofMillis(30)));
    }

    @Test
    void shouldWakeTimedPollWhenAMessageArrives() throws Exception {
        final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> receiver().poll((b, o, l) -> { }, 10, DEADLINE));
        buffer.putInt(0, 7);
        assertTrue(sender().offer(buffer, 0, 4));
        assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void shouldDrainThenReportPeerGoneWhenSenderCloses() {
        final int max = Math.min(sender().maxMessageLength(), 256);
        for (long i = 0; i < 10; i++) {
            send(7, i, max);
        }
        sender().close();
        final long[] next = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                receiver().poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, 7, next[0], max));
                    next[0]++;
                }, 3, Duration.ofMillis(50));
            }
        });
        assertEquals(10, next[0], "every message sent before close is delivered before PeerGoneException");
        assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
        assertTrue(gone.getMessage().contains(receiver().uri()) || gone.getMessage().length() > 20, gone.getMessage());
        assertFalse(receiver().isPeerAlive());
    }

    @Test
    void shouldReportPeerGoneToSenderWhenReceiverCloses() {
        assertTrue(sender().isPeerAlive());
        receiver().close();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                sender().offer(buffer, 0, 8, Duration.ofMillis(50));
            }
        });
        if (senderLearnsHowReceiverLeft()) {
            assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
        } else {
            assertTrue(gone.reason() != PeerGoneException.Reason.CUT, gone.getMessage());
        }
        assertFalse(sender().isPeerAlive());
    }

    @Test
    void shouldCloseIdempotentlyAndFailClearlyAfterClose() {
        sender().close();
        sender().close();
        receiver().close();
        receiver().close();
        assertTrue(sender().isClosed());
        assertTrue(receiver().isClosed());
        final ChannelClosedException sent = assertThrows(ChannelClosedException.class, () -> sender().offer(buffer, 0, 1));
        assertTrue(sent.getMessage().contains("closed"), sent.getMessage());
        assertThrows(ChannelClosedException.class, () -> sender().offer(buffer, 0, 1, Duration.ofMillis(1)));
        assertThrows(ChannelClosedException.class, () -> receiver().poll((b, o, l) -> { }, 1));
        assertThrows(ChannelClosedException.class, () -> receiver().poll((b, o, l) -> { }, 1, Duration.ofMillis(1)));
    }

    @Test
    void shouldCarryMessagesThroughTheSegmentFormsFromHeapAndNativeMemory() throws Exception {
        final int length = Math.min(sender().maxMessageLength(), 300);
        final byte[] heap = new byte[length];
        for (int i = 0; i < length; i++) {
            heap[i] = (byte) (i * 7 + 1);
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final MemorySegment nativeMessage = arena.allocate(length);
            MemorySegment.copy(MemorySegment.ofArray(heap), 0, nativeMessage, 0, length);
            assertTrue(sender().offer(MemorySegment.ofArray(heap), DEADLINE));
            assertTrue(sender().offer(nativeMessage.asSlice(0, length / 2)));
            assertTrue(sender().offer(MemorySegment.ofArray(new byte[0]), DEADLINE));
        }
        final List<byte[]> got = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.size() < 3 && System.nanoTime() - deadline < 0) {
            receiver().poll(message -> {
                assertTrue(message.isReadOnly(), "a handler's view is read-only");
                got.add(message.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }, 10, Duration.ofMillis(100));
        }
        assertEquals(3, got.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(heap, got.get(0));
        org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(heap, length / 2), got.get(1));
        assertEquals(0, got.get(2).length);
        final int max = sender().maxMessageLength();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> sender().offer(MemorySegment.ofArray(new byte[max + 1])));
        assertTrue(e.getMessage().contains(Integer.toString(max + 1)), e.getMessage());
    }

    @Test
    void shouldThrowChannelClosedFromEveryMethodOfAClosedSender() {
        final String uri = sender().uri();
        final int max = sender().maxMessageLength();
        sender().close();
        assertClosedEnd(sender(), uri, max);
        final Sender closed = sender();
        assertClosed("offer(DirectBuffer, int, int)", () -> closed.offer(buffer, 0, 1));
        assertClosed("offer(DirectBuffer, int, int, Duration)", () -> closed.offer(buffer, 0, 1, Duration.ofMillis(1)));
        assertClosed("offer(byte[])", () -> closed.offer(new byte[1]));
        assertClosed("offer(byte[], Duration)", () -> closed.offer(new byte[1], Duration.ofMillis(1)));
        assertClosed("offer(MemorySegment)", () -> closed.offer(MemorySegment.ofArray(new byte[1])));
        assertClosed("offer(MemorySegment, Duration)",
            () -> closed.offer(MemorySegment.ofArray(new byte[1]), Duration.ofMillis(1)));
        assertClosed("offer of a too long message", () -> closed.offer(buffer, 0, max + 1));
    }

    @Test
    void shouldThrowChannelClosedFromEveryMethodOfAClosedReceiver() {
        final String uri = receiver().uri();
        final int max = receiver().maxMessageLength();
        buffer.putInt(0, 5);
        assertTrue(sender().offer(buffer, 0, 4, DEADLINE));
        receiver().close();
        assertClosedEnd(receiver(), uri, max);
        final Receiver closed = receiver();
        final MessageHandler handler = (b, o, l) -> fail("a closed receiver delivered a message");
        final SegmentHandler segmentHandler = m -> fail("a closed receiver delivered a message");
        assertClosed("poll(MessageHandler, int)", () -> closed.poll(handler, 1));
        assertClosed("poll(MessageHandler, int, Duration)", () -> closed.poll(handler, 1, Duration.ofMillis(1)));
        assertClosed("poll(SegmentHandler, int)", () -> closed.poll(segmentHandler, 1));
        assertClosed("poll(SegmentHandler, int, Duration)", () -> closed.poll(segmentHandler, 1, Duration.ofMillis(1)));
        assertClosed("poll with limit 0", () -> closed.poll(handler, 0));
    }

    /**
     * What every closed end answers: its URI, its maximum length and isClosed() keep answering (they are fixed
     * properties and touch nothing close released), close() stays a no-op, isPeerAlive() throws.
     */
    private static void assertClosedEnd(final Channel end, final String uri, final int max) {
        end.close();
        assertTrue(end.isClosed(), "isClosed() after close");
        assertEquals(uri, end.uri(), "uri() after close");
        assertEquals(max, end.maxMessageLength(), "maxMessageLength() after close");
        assertClosed("isPeerAlive()", end::isPeerAlive);
    }

    private static void assertClosed(final String call, final org.junit.jupiter.api.function.Executable executable) {
        final ChannelClosedException e = assertThrows(ChannelClosedException.class, executable,
            call + " after close throws ChannelClosedException");
        assertTrue(e.getMessage().contains("closed"), call + ": " + e.getMessage());
    }

    @Test
    void shouldEndAnInterruptedTimedPollPromptlyKeepingTheInterruptAndTheEnd() throws Exception {
        final Interrupted outcome = interruptedCall(() -> receiver().poll((b, o, l) -> fail("nothing was sent"), 1,
            Duration.ofSeconds(120)));
        outcome.assertPrompt("poll(MessageHandler, int, Duration)");
        final Interrupted segment = interruptedCall(() -> receiver().poll(m -> fail("nothing was sent"), 1,
            Duration.ofSeconds(120)));
        segment.assertPrompt("poll(SegmentHandler, int, Duration)");
        assertFalse(receiver().isClosed(), "an interrupted poll leaves the end open");
        buffer.putInt(0, 3);
        assertTrue(sender().offer(buffer, 0, 4, DEADLINE));
        assertEquals(1, receiver().poll((b, o, l) -> assertEquals(3, b.getInt(o)), 1, DEADLINE),
            "the end works once the interrupt is cleared");
    }

    @Test
    void shouldEndAnInterruptedTimedOfferPromptlyKeepingTheInterruptAndTheEnd() throws Exception {
        final int length = Math.min(sender().maxMessageLength(), 1024);
        long offered = 0;
        while (sender().offer(buffer, 0, length)) {
            offered++;
            assertTrue(offered < 10_000_000, "the channel never filled up");
        }
        final Interrupted outcome = interruptedCall(() -> sender().offer(buffer, 0, length, Duration.ofSeconds(120)));
        outcome.assertPrompt("offer(DirectBuffer, int, int, Duration)");
        assertFalse(sender().isClosed(), "an interrupted offer leaves the end open");
        final long[] received = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (received[0] < offered && System.nanoTime() - deadline < 0) {
            receiver().poll((b, o, l) -> received[0]++, 1000, Duration.ofMillis(100));
        }
        assertEquals(offered, received[0], "the interrupted offer wrote nothing and lost nothing");
        assertTrue(sender().offer(buffer, 0, length, DEADLINE), "the end works once the interrupt is cleared");
    }

    /**
     * What a timed call did on a thread interrupted while it waited: what it threw, whether the interrupt status
     * was still set, and the CPU time the thread spent in it.
     */
    private record Interrupted(Throwable thrown, boolean stillInterrupted, long cpuNanos) {
        void assertPrompt(final String call) {
            assertTrue(thrown instanceof ChannelInterruptedException, call + " threw " + thrown);
            assertTrue(thrown.getMessage().contains("interrupt"), thrown.getMessage());
            assertTrue(stillInterrupted, call + " kept the interrupt status");
            // A call that spun until its 120 s deadline would have burnt its CPU for much longer than this.
            assertTrue(cpuNanos < TimeUnit.SECONDS.toNanos(5), call + " spent " + cpuNanos / 1_000_000
                + " ms of CPU after the interrupt");
        }
    }

    /**
     * Runs a timed call on a fresh thread, interrupts it once the thread is inside the call, and waits for the call
     * to end within {@link #DEADLINE} (well before the call's own timeout of 120 s).
     */
    private static Interrupted interruptedCall(final org.junit.jupiter.api.function.Executable call) throws Exception {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final CompletableFuture<Interrupted> outcome = new CompletableFuture<>();
        final CompletableFuture<Void> entering = new CompletableFuture<>();
        final Thread worker = Thread.ofPlatform().name("interrupted-call").start(() -> {
            entering.complete(null);
            long cpu = 0;
            Throwable thrown = null;
            try {
                call.execute();
            } catch (final Throwable t) {
                thrown = t;
            } finally {
                cpu = threads.getCurrentThreadCpuTime();
            }
            outcome.complete(new Interrupted(thrown, Thread.interrupted(), cpu));
        });
        entering.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        final long waitingSince = System.nanoTime();
        while (worker.getState() == Thread.State.RUNNABLE && System.nanoTime() - waitingSince < 200_000_000L) {
            Thread.onSpinWait(); // give the call a moment to reach its wait: a native wait still reads RUNNABLE
        }
        final long cpuBefore = threads.getThreadCpuTime(worker.threadId());
        worker.interrupt();
        final Interrupted result;
        try {
            result = outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (final java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a timed call (timeout 120 s) interrupted while it waited had not returned "
                + DEADLINE.toSeconds() + " s later; it must end promptly with ChannelInterruptedException", e);
        }
        worker.join();
        return new Interrupted(result.thrown(), result.stillInterrupted(), result.cpuNanos() - Math.max(0, cpuBefore));
    }

    @Test
    void shouldLeaveNoFileDescriptorOpenAfterClose() throws IOException {
        sender().close();
        receiver().close();
        final long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            final Pair another = openPair();
            another.sender().close();
            another.receiver().close();
            cleanUp();
        }
        assertEquals(before, openDescriptors(), "open descriptors after 20 open/close rounds");
    }

    /**
     * @return how many descriptors this process has open.
     * @throws IOException when /proc cannot be read.
     */
    protected static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
