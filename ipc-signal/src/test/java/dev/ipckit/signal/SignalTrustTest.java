package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.mmap.RingFileDescriptor;
import dev.ipckit.mmap.RingFileInspector;
import dev.ipckit.mmap.TrustPeer;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.JavaCommand;

/**
 * The trust issue's signal items with real signals and real child JVMs: a wake-up signal goes only to the live
 * receiver (item 5), a closing sender's wake-up is one the receiver takes (item 6), and an interrupted doorbell
 * wait returns promptly (item 4).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalTrustTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));

    @AfterEach
    void stopReceiverThread() throws InterruptedException {
        receiverThread.shutdownNow();
        assertTrue(receiverThread.awaitTermination(30, TimeUnit.SECONDS));
    }

    private Process startTrustPeer(final List<String> args) throws IOException {
        return new ProcessBuilder(JavaCommand.of(TrustPeer.class, args)).directory(dir.toFile()).inheritIO().start();
    }

    /** A process that a wake-up signal would terminate (SIGRTMIN+4's default action), standing in for pid reuse. */
    private static Process startStandIn() throws IOException {
        return new ProcessBuilder("sleep", "120").start();
    }

    private static void writeInt(final Path file, final long offset, final int value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value);
            assertEquals(4, channel.write(word, offset));
        }
    }

    private static int readInt(final Path file, final long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            assertEquals(4, channel.read(word, offset));
            return word.getInt(0);
        }
    }

    /** The wake-ups every sender slot of a ring counts (a slot keeps its count after its sender left). */
    private static long wakeupsSent(final Path ring) throws IOException {
        long sum = 0;
        try (FileChannel channel = FileChannel.open(ring)) {
            final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            for (int slot = 0; slot < RingFileDescriptor.MAX_SENDERS; slot++) {
                word.clear();
                final long offset = RingFileDescriptor.slotOffset(slot) + RingFileDescriptor.SLOT_WAKEUPS;
                assertEquals(8, channel.read(word, offset));
                sum += word.getLong(0);
            }
        }
        return sum;
    }

    private static RingFileInspector.Stat awaitStat(final Path ring,
                                                    final java.util.function.Predicate<RingFileInspector.Stat> test,
                                                    final String what) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
            while (true) {
                final RingFileInspector.Stat stat = inspector.stat();
                if (test.test(stat)) {
                    return stat;
                }
                assertTrue(System.nanoTime() - deadline < 0, "never saw " + what + ": " + stat);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void shouldSendNoSignalAfterTheReceiverWasKilledAsleepEvenToAProcessNowAtItsIds() throws Exception {
        final Path ring = dir.resolve("asleep");
        final String uri = "mmap:" + ring + "?capacity=4k&wait=signal";
        final Path ready = dir.resolve("ready");
        final Process receiver = startTrustPeer(List.of("sleep-recv", uri, ready.toString()));
        Process standIn = null;
        try {
            Children.awaitFile(ready, receiver);
            try (Sender sender = Channels.openSender("mmap:" + ring + "?create=false")) {
                awaitStat(ring, RingFileInspector.Stat::receiverWaiting, "the receiver asleep");
                Children.kill(receiver);
                standIn = startStandIn();
                final int pid = (int) standIn.pid();
                // pid reuse, as containers and restarts bring it: the dead receiver's ids now name another process
                writeInt(ring, RingFileDescriptor.RECEIVER_PID_OFFSET, pid);
                writeInt(ring, RingFileDescriptor.WAKE_TID_OFFSET, pid);
                assertEquals(1, readInt(ring, RingFileDescriptor.WAITING_OFFSET), "it died asleep");
                assertTrue(sender.offer(buffer, 0, 8), "the commit after the receiver died");
                assertEquals(0, awaitStat(ring, s -> true, "a snapshot").wakeupsSent(), "no signal was sent");
                assertFalse(standIn.waitFor(500, TimeUnit.MILLISECONDS), "the process at the old ids lives");
            }
        } finally {
            receiver.destroyForcibly();
            if (standIn != null) {
                standIn.destroyForcibly();
            }
        }
    }

    @Test
    void shouldBlockTheSignalBeforePublishingTheThreadThatSleeps() throws Exception {
        final Path ring = dir.resolve("blocked");
        final String uri = "mmap:" + ring + "?capacity=4k&wait=signal";
        try (Receiver receiver = receiverThread.submit(() -> Channels.openReceiver(uri)).get();
             Sender sender = Channels.openSender(uri)) {
            assertEquals(0, readInt(ring, RingFileDescriptor.WAKE_TID_OFFSET), "nothing to signal before it sleeps");
            final AtomicReference<Integer> tid = new AtomicReference<>();
            final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                tid.set(PosixProcess.gettid());
                return receiver.poll((b, o, l) -> { }, 1, DEADLINE);
            }, receiverThread);
            awaitStat(ring, RingFileInspector.Stat::receiverWaiting, "the receiver asleep");
            final int published = readInt(ring, RingFileDescriptor.WAKE_TID_OFFSET);
            assertEquals(tid.get(), published, "the sleeping thread");
            final int signal = readInt(ring, RingFileDescriptor.WAKE_TOKEN_OFFSET);
            // sigtimedwait unblocks the signals it takes while it sleeps, so the mask is looked at after it returns;
            // a stray of the signal is ignored by the process from before the ids were published
            final String status = Files.readString(Path.of("/proc/self/status"));
            final String ignored = status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow();
            assertEquals(1, Long.parseUnsignedLong(ignored.substring(7).trim(), 16) >>> (signal - 1) & 1,
                "signal " + signal + " is ignored: " + ignored);
            assertTrue(sender.offer(buffer, 0, 8));
            assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            final String blocked = receiverThread.submit(() -> Files.readString(Path.of("/proc/thread-self/status"))
                .lines().filter(l -> l.startsWith("SigBlk:")).findFirst().orElseThrow()).get();
            assertEquals(1, Long.parseUnsignedLong(blocked.substring(7).trim(), 16) >>> (signal - 1) & 1,
                "signal " + signal + " stays blocked in the thread that published its tid: " + blocked);
            receiverThread.submit(receiver::close).get();
        }
    }

    @Test
    void shouldTakeTheWakeupOfASenderThatClosesWhileOthersStayOpen() throws Exception {
        final Path ring = dir.resolve("leaving");
        final String uri = "mmap:" + ring + "?capacity=4k&producers=many&wait=recsignal";
        final Path ready = dir.resolve("ready");
        final Path go = dir.resolve("go");
        try (Receiver receiver = receiverThread.submit(() -> Channels.openReceiver(uri)).get();
             Sender staying = Channels.openSender(uri)) {
            final Process leaving = startTrustPeer(List.of("send", uri, "1", ready.toString(), go.toString()));
            try {
                Children.awaitFile(ready, leaving);
                final CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                    () -> receiver.poll((b, o, l) -> { }, 10, DEADLINE), receiverThread);
                assertEquals(1, first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                // The close lands either while the receiver sleeps (the sender sees WAITING and signals; the
                // receiver must take that wake-up as its sender's, not drop it as a stranger's), or while it is about
                // to sleep or between two sleeps: then the receiver sees the sender event and does not sleep, and a
                // wake-up the sender sent in that window arrives for a sleep that never happened. The receiver polls
                // until it took a wake-up, or until a whole poll ran after the sender had gone.
                final AtomicBoolean left = new AtomicBoolean();
                final CompletableFuture<Integer> asleep = CompletableFuture.supplyAsync(() -> {
                    final int before = RecordingSignalProvider.WOKEN.get();
                    final long deadline = System.nanoTime() + DEADLINE.toNanos();
                    while (RecordingSignalProvider.WOKEN.get() == before && System.nanoTime() - deadline < 0) {
                        final boolean gone = left.get();
                        receiver.poll((b, o, l) -> { }, 10, Duration.ofMillis(200));
                        if (gone) {
                            break;
                        }
                    }
                    return RecordingSignalProvider.WOKEN.get() - before;
                }, receiverThread);
                awaitStat(ring, RingFileInspector.Stat::receiverWaiting, "the receiver asleep");
                final int strangers = RecordingSignalProvider.STRANGERS.get();
                final long sentBefore = wakeupsSent(ring);
                TrustPeer.ready(go, "");
                assertEquals(0, leaving.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS) ? leaving.exitValue() : -1);
                left.set(true);
                final int taken = asleep.get(DEADLINE.toSeconds() * 2, TimeUnit.SECONDS);
                final long sent = wakeupsSent(ring) - sentBefore; // the staying sender sends nothing
                assertTrue(sent <= 1, "one close, at most one wake-up: " + sent);
                if (taken > 0) {
                    assertEquals(1, sent, "the wake-up taken is the one the closing sender sent");
                    assertEquals(strangers, RecordingSignalProvider.STRANGERS.get(),
                        "and not dropped as a stranger's: its pid was still in its slot when it was sent");
                } else {
                    assertTrue(RecordingSignalProvider.STRANGERS.get() - strangers <= sent,
                        "only a wake-up that came for a sleep the receiver skipped may be dropped");
                }
                assertTrue(staying.isPeerAlive());
            } finally {
                leaving.destroyForcibly();
            }
            receiverThread.submit(receiver::close).get();
        }
    }

    @Test
    void shouldSendNoSignalAndSayDiedWhenTheDoorbellWaiterWasKilledAsleep() throws Exception {
        final Path path = dir.resolve("bell");
        final Path ready = dir.resolve("bell.ready");
        final Process waiter = Children.startPeer(List.of("sleep", path.toString(), ready.toString()));
        Process standIn = null;
        try {
            Children.awaitFile(ready, waiter);
            try (Doorbell bell = Doorbell.open(path)) {
                Children.awaitCondition(() -> bell.lvWaiting() == 1, "the waiter asleep");
                Children.kill(waiter);
                standIn = startStandIn();
                final int pid = (int) standIn.pid();
                writeInt(path, DoorbellDescriptor.WAITER_PID_OFFSET, pid);
                writeInt(path, DoorbellDescriptor.WAITER_TID_OFFSET, pid);
                final PeerGoneException gone = assertThrows(PeerGoneException.class, bell::ring);
                assertEquals(PeerGoneException.Reason.DIED, gone.reason(), gone.getMessage());
                assertEquals(0, bell.signalsSent(), "no signal was sent");
                assertFalse(standIn.waitFor(500, TimeUnit.MILLISECONDS), "the process at the old ids lives");
            }
        } finally {
            waiter.destroyForcibly();
            if (standIn != null) {
                standIn.destroyForcibly();
            }
        }
    }

    @Test
    void shouldReturnPromptlyWithChannelInterruptedWhenASignalReceiverIsInterruptedAsleep() throws Exception {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Path ring = dir.resolve("interrupted-ring");
        final String uri = "mmap:" + ring + "?capacity=4k&wait=signal";
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final long[] cpuAtEnd = new long[1];
        final boolean[] kept = new boolean[1];
        final Thread polling = new Thread(() -> {
            Object result;
            try (Receiver receiver = Channels.openReceiver(uri)) {
                try {
                    result = receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(20));
                } catch (final RuntimeException e) {
                    result = e;
                }
                kept[0] = Thread.currentThread().isInterrupted();
                cpuAtEnd[0] = threads.getCurrentThreadCpuTime();
            }
            outcome.set(result);
        });
        polling.start();
        Children.awaitCondition(() -> Files.exists(ring)
            && awaitStat(ring, s -> true, "a snapshot").receiverWaiting(), "the receiver asleep");
        final long cpuBefore = threads.getThreadCpuTime(polling.threadId());
        polling.interrupt();
        polling.join(DEADLINE.toMillis());
        assertFalse(polling.isAlive(), "the poll returned");
        assertInstanceOf(ChannelInterruptedException.class, outcome.get(), String.valueOf(outcome.get()));
        assertTrue(kept[0], "the interrupt status is kept");
        assertTrue(cpuAtEnd[0] - cpuBefore < 500_000_000L, "CPU after the interrupt: " + (cpuAtEnd[0] - cpuBefore));
    }

    @Test
    void shouldReturnPromptlyWithChannelInterruptedWhenADoorbellWaitIsInterrupted() throws Exception {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Doorbell bell = Doorbell.create(dir.resolve("interrupted"))) {
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final long[] cpuAtEnd = new long[1];
            final boolean[] kept = new boolean[1];
            final Thread waiting = new Thread(() -> {
                Object result;
                try {
                    result = bell.await(Duration.ofSeconds(20));
                } catch (final RuntimeException e) {
                    result = e;
                }
                kept[0] = Thread.currentThread().isInterrupted();
                cpuAtEnd[0] = threads.getCurrentThreadCpuTime();
                outcome.set(result);
            });
            waiting.start();
            Children.awaitCondition(() -> bell.lvWaiting() == 1, "the waiter asleep");
            final long cpuBefore = threads.getThreadCpuTime(waiting.threadId());
            waiting.interrupt();
            waiting.join(DEADLINE.toMillis());
            assertFalse(waiting.isAlive(), "the wait returned");
            assertInstanceOf(ChannelInterruptedException.class, outcome.get(), String.valueOf(outcome.get()));
            assertTrue(kept[0], "the interrupt status is kept");
            assertTrue(cpuAtEnd[0] - cpuBefore < 500_000_000L, "CPU after the interrupt: " + (cpuAtEnd[0] - cpuBefore));
            assertTrue(bell.ring() || bell.lvRings() > 0, "the doorbell stays open");
        }
    }
}
