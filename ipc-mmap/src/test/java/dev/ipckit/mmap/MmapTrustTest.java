package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ProcessPeer;
import dev.ipckit.spi.JavaCommand;

/**
 * The trust issue's mmap items that need real peers: {@link PeerGoneException#reason()} on both ends (item 2), no
 * wake-up for a receiver that died and none before a new receiver can take it (item 5), and the wake-up an
 * {@code abort} owes a sleeping receiver (item 6).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapTrustTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));

    @AfterEach
    void stopReceiverThread() throws InterruptedException {
        receiverThread.shutdownNow();
        assertTrue(receiverThread.awaitTermination(30, TimeUnit.SECONDS));
    }

    static ProcessPeer startPeer(final Path dir, final List<String> args) {
        try {
            return new ProcessPeer(new ProcessBuilder(JavaCommand.of(TrustPeer.class, args)).directory(dir.toFile())
                .inheritIO().start());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void awaitFile(final Path file, final ProcessPeer child) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() - deadline < 0, "child " + child.pid() + " never wrote " + file);
            final Integer exit = child.awaitExit(Duration.ofMillis(5));
            assertTrue(exit == null, "child " + child.pid() + " exited with " + exit + " before writing " + file);
        }
    }

    static RingFileInspector.Stat awaitStat(final Path ring, final Predicate<RingFileInspector.Stat> condition,
                                            final String what) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
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

    private PeerGoneException drainUntilGone(final Receiver receiver, final int expected) {
        final int[] received = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> received[0]++, 64, Duration.ofMillis(100));
            }
        });
        assertEquals(expected, received[0], "every message committed before the sender went");
        return gone;
    }

    @ParameterizedTest
    @ValueSource(strings = {"capacity=4k", "capacity=4k&producers=many&wait=futex"})
    void shouldSayTheSenderClosedWithItsPidWhenItClosed(final String options) {
        final String uri = "mmap:" + dir.resolve("closed") + "?" + options;
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final ProcessPeer sender = startPeer(dir, List.of("send", uri, "10", dir.resolve("ready").toString(),
                dir.resolve("go").toString()));
            try {
                awaitFile(dir.resolve("ready"), sender);
                TrustPeer.ready(dir.resolve("go"), "");
                assertEquals(0, sender.awaitExit(DEADLINE));
                final PeerGoneException gone = drainUntilGone(receiver, 10);
                assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
                assertEquals(sender.pid(), gone.peerPid(), gone.getMessage());
            } finally {
                sender.kill();
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"capacity=4k", "capacity=4k&producers=many&wait=futex"})
    void shouldSayTheSenderDiedWithItsPidWhenItWasKilled(final String options) {
        final String uri = "mmap:" + dir.resolve("killed") + "?" + options;
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final ProcessPeer sender = startPeer(dir, List.of("send", uri, "10", dir.resolve("ready").toString(),
                dir.resolve("go").toString()));
            try {
                awaitFile(dir.resolve("ready"), sender);
                sender.kill();
                final PeerGoneException gone = drainUntilGone(receiver, 10);
                assertEquals(PeerGoneException.Reason.DIED, gone.reason(), gone.getMessage());
                assertEquals(sender.pid(), gone.peerPid(), gone.getMessage());
            } finally {
                sender.kill();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldTellTheSenderWhetherTheReceiverClosedOrDiedWithItsPid(final boolean killed) {
        final String uri = "mmap:" + dir.resolve("receiver") + "?capacity=4k";
        try (Sender sender = Channels.openSender(uri)) {
            final ProcessPeer receiver = startPeer(dir, List.of("recv", uri, dir.resolve("ready").toString(),
                dir.resolve("go").toString()));
            try {
                awaitFile(dir.resolve("ready"), receiver);
                if (killed) {
                    receiver.kill();
                } else {
                    TrustPeer.ready(dir.resolve("go"), "");
                    assertEquals(0, receiver.awaitExit(DEADLINE));
                }
                final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
                    while (true) {
                        sender.offer(buffer, 0, 100, Duration.ofMillis(100)); // a dead receiver is found when full
                    }
                });
                assertEquals(killed ? PeerGoneException.Reason.DIED : PeerGoneException.Reason.CLOSED, gone.reason(),
                    gone.getMessage());
                assertEquals(receiver.pid(), gone.peerPid(), gone.getMessage());
            } finally {
                receiver.kill();
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldNotWakeAReceiverKilledWhileAsleep() {
        final Path ring = dir.resolve("asleep");
        final String uri = "mmap:" + ring + "?capacity=4k&wait=testpark";
        final ProcessPeer receiver = startPeer(dir, List.of("sleep-recv", uri, dir.resolve("ready").toString()));
        try (Sender sender = Channels.openSender("mmap:" + ring + "?create=false&timeout=30s")) {
            awaitFile(dir.resolve("ready"), receiver);
            awaitStat(ring, RingFileInspector.Stat::receiverWaiting, "the receiver asleep");
            receiver.kill();
            assertTrue(receiver.awaitExit(DEADLINE) != null);
            final int wakesBefore = TestParkWakeupProvider.WAKES.get();
            assertTrue(sender.offer(buffer, 0, 8), "the commit after the receiver died");
            assertEquals(wakesBefore, TestParkWakeupProvider.WAKES.get(),
                "the waker was not called: the receiver's lock is gone, its ids may be a stranger's");
            final RingFileInspector.Stat stat = awaitStat(ring, s -> true, "a snapshot");
            assertEquals(0, stat.wakeupsSent(), stat.toString());
        } finally {
            receiver.kill();
        }
    }

    @Test
    void shouldPublishNoWakeupIdsBeforeTheReceiverSleepsThroughItsWaiter() throws Exception {
        final Path ring = dir.resolve("ids");
        final String uri = "mmap:" + ring + "?capacity=4k&wait=testpark&parkToken=21";
        final ProcessPeer dead = startPeer(dir, List.of("sleep-recv", uri, dir.resolve("ready").toString()));
        try (Sender sender = Channels.openSender("mmap:" + ring + "?create=false&timeout=30s")) {
            awaitFile(dir.resolve("ready"), dead);
            awaitStat(ring, RingFileInspector.Stat::receiverWaiting, "the first receiver asleep");
            dead.kill();
            assertTrue(dead.awaitExit(DEADLINE) != null);
            try (Receiver receiver = receiverThread.submit(() -> Channels.openReceiver(uri)).get()) {
                final RingFileInspector.Stat opened = awaitStat(ring, s -> true, "a snapshot");
                assertTrue(!opened.receiverWaiting(), "the dead receiver's waiting word was cleared: " + opened);
                assertEquals(0, opened.receiver().wakeToken(), "no token before its waiter exists: " + opened);
                assertEquals(0, headerInt(ring, RingFileDescriptor.WAKE_TID_OFFSET),
                    "no wake-up tid before its waiter exists (for wait=signal: before the signal is blocked)");
                final int wakesBefore = TestParkWakeupProvider.WAKES.get();
                assertTrue(sender.offer(buffer, 0, 8));
                assertEquals(wakesBefore, TestParkWakeupProvider.WAKES.get(), "nothing to wake: it is awake");
                final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(
                    () -> receiver.poll((b, o, l) -> { }, 10, DEADLINE), receiverThread);
                assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                final CompletableFuture<Integer> asleep = CompletableFuture.supplyAsync(
                    () -> receiver.poll((b, o, l) -> { }, 10, DEADLINE), receiverThread);
                // a snapshot is field by field: wait for one taken after the waiter published its token
                final RingFileInspector.Stat sleeping = awaitStat(ring,
                    s -> s.receiverWaiting() && s.receiver().wakeToken() != 0, "the new receiver asleep");
                assertEquals(21, sleeping.receiver().wakeToken(), "its ids, published by its waiter: " + sleeping);
                assertEquals(sleeping.receiver().tid(), headerInt(ring, RingFileDescriptor.WAKE_TID_OFFSET),
                    "the tid of the thread that sleeps");
                assertTrue(sender.offer(buffer, 0, 8));
                assertEquals(1, asleep.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                assertEquals(wakesBefore + 1, TestParkWakeupProvider.WAKES.get(), "woken through its waiter");
                receiverThread.submit(receiver::close).get();
            }
        } finally {
            dead.kill();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"testpark", "futex"})
    void shouldWakeASleepingReceiverWhenAnAbortUnblocksRecordsOthersCommitted(final String wait) throws Exception {
        final Path ring = dir.resolve("abort");
        final String uri = "mmap:" + ring + "?capacity=4k&producers=many&wait=" + wait;
        try (Receiver receiver = receiverThread.submit(() -> Channels.openReceiver(uri)).get();
             MmapSender holder = (MmapSender) Channels.openSender(uri);
             Sender other = Channels.openSender(uri)) {
            final int claim = holder.tryClaim(8);
            assertTrue(claim >= 0);
            buffer.putInt(0, 42);
            assertTrue(other.offer(buffer, 0, 4), "committed behind the open claim");
            final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(
                () -> receiver.poll((b, o, l) -> assertEquals(42, b.getInt(o)), 10, DEADLINE), receiverThread);
            final long wakesBefore = wakeups(awaitStat(ring, RingFileInspector.Stat::receiverWaiting,
                "the receiver asleep behind the claim"), holder.slot());
            holder.abort(claim);
            final RingFileInspector.Stat after = awaitStat(ring, s -> true, "a snapshot");
            assertEquals(wakesBefore + 1, wakeups(after, holder.slot()),
                "the abort woke the receiver: the message committed behind the claim is readable now; " + after);
            assertEquals(1, polled.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            receiverThread.submit(receiver::close).get();
        }
    }

    private static long wakeups(final RingFileInspector.Stat stat, final int slot) {
        return stat.senders().stream().filter(s -> s.slot() == slot).findFirst().orElseThrow().wakeupsSent();
    }

    static int headerInt(final Path ring, final int offset) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(ring)) {
            final ByteBuffer word = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder());
            assertEquals(4, channel.read(word, offset));
            return word.getInt(0);
        }
    }
}
