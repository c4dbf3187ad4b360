package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * Waiting: a futex receiver sleeps in the kernel and costs no CPU while idle, a sender makes the wake-up call only
 * while the receiver sleeps, and a wake-up provider from the class path is driven through the same protocol.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MmapWaitTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** One thread for the receiver, so that its CPU time is its own and a provider's waiter stays on it. */
    private final ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));

    @AfterEach
    void stopReceiverThread() throws InterruptedException {
        receiverThread.shutdownNow();
        assertTrue(receiverThread.awaitTermination(30, TimeUnit.SECONDS));
    }

    private RingFileInspector.Stat awaitStat(final String path, final Predicate<RingFileInspector.Stat> condition,
                                             final String what) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        try (RingFileInspector inspector = RingFileInspector.open(path)) {
            while (true) {
                final RingFileInspector.Stat stat = inspector.stat();
                if (condition.test(stat)) {
                    return stat;
                }
                assertTrue(System.nanoTime() - deadline < 0, "never saw " + what + ": " + stat);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void shouldUseAlmostNoCpuWhileAFutexReceiverWaitsForAMessage() throws Exception {
        final String uri = "mmap:" + dir.resolve("idle") + "?capacity=4k&wait=futex";
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assertTrue(threads.isCurrentThreadCpuTimeSupported());
        final long idleNanos = 1_500_000_000L;
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final long cpuNanos = receiverThread.submit(() -> {
                // warm up: first use links the futex call and loads classes on this thread
                assertEquals(0, receiver.poll((b, o, l) -> fail("nothing was sent"), 1, Duration.ofMillis(100)));
                final long before = threads.getCurrentThreadCpuTime();
                assertEquals(0, receiver.poll((b, o, l) -> fail("nothing was sent"), 1, Duration.ofNanos(idleNanos)));
                return threads.getCurrentThreadCpuTime() - before;
            }).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(cpuNanos < idleNanos / 20, "an idle futex receiver used " + cpuNanos / 1_000_000
                + " ms of CPU over " + idleNanos / 1_000_000 + " ms");
            assertTrue(sender.isPeerAlive() && receiver.isPeerAlive());
            try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("idle").toString())) {
                assertTrue(inspector.stat().receiverSleeps() > 0, "it slept in the kernel");
                assertEquals(0, inspector.stat().wakeupsSent());
            }
        }
    }

    @Test
    void shouldWakeASleepingFutexReceiverAndCallOnlyWhileItSleeps() throws Exception {
        final Path path = dir.resolve("wake");
        final String uri = "mmap:" + path + "?capacity=4k&wait=futex";
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            for (int i = 0; i < 100; i++) {
                assertTrue(sender.offer(buffer, 0, 8));
                assertEquals(1, receiver.poll((b, o, l) -> { }, 10));
            }
            try (RingFileInspector inspector = RingFileInspector.open(path.toString())) {
                assertEquals(0, inspector.stat().wakeupsSent(), "no wake-up call while the receiver is not sleeping");
            }
            final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(
                () -> receiver.poll((b, o, l) -> assertEquals(77, b.getInt(o)), 1, DEADLINE), receiverThread);
            awaitStat(path.toString(), RingFileInspector.Stat::receiverWaiting, "the receiver waiting");
            buffer.putInt(0, 77);
            assertTrue(sender.offer(buffer, 0, 4));
            assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            final RingFileInspector.Stat stat =
                awaitStat(path.toString(), s -> s.messagesReceived() == 101, "101 received");
            assertTrue(stat.wakeupsSent() >= 1, stat.toString());
            assertTrue(stat.wakeupsSent() <= stat.receiverSleeps(), "never more wake-ups than sleeps: " + stat);
        }
    }

    @Test
    void shouldDriveAWakeupProviderFromTheClassPathThroughTheWaitingWord() throws Exception {
        final Path path = dir.resolve("provider");
        final String uri = "mmap:" + path + "?capacity=4k&wait=testpark&parkToken=33";
        final int wakesBefore = TestParkWakeupProvider.WAKES.get();
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender("mmap:" + path)) {
            // A stat that says "waiting" may be taken just before the receiver ends one sleep slice and looks again;
            // a message sent then is found without a wake-up. Send until one lands in a sleep (each is delivered).
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (TestParkWakeupProvider.WAKES.get() == wakesBefore && System.nanoTime() - deadline < 0) {
                final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(
                    () -> receiver.poll((b, o, l) -> assertEquals(5, b.getInt(o)), 1, DEADLINE), receiverThread);
                awaitStat(path.toString(), RingFileInspector.Stat::receiverWaiting, "the receiver waiting");
                buffer.putInt(0, 5);
                assertTrue(sender.offer(buffer, 0, 4));
                assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            }
            assertTrue(TestParkWakeupProvider.WAKES.get() > wakesBefore, "the sender woke through the provider");
            assertEquals(33, TestParkWakeupProvider.LAST_TOKEN.get(), "with the token the waiter published");
            assertTrue(TestParkWakeupProvider.ACCEPTED_OWN_PID.get() > 0, "the sender's pid is accepted");
            // close the receiver on its waiter's thread, which releases the waiter
            receiverThread.submit(receiver::close).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(TestParkWakeupProvider.WAITERS.isEmpty());
        }
    }
}
