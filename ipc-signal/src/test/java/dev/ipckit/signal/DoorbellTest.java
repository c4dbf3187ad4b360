package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

@Timeout(60)
class DoorbellTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private final ExecutorService waitingThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThread() throws InterruptedException {
        waitingThread.shutdownNow();
        assertTrue(waitingThread.awaitTermination(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldRingAndAwaitAndCoalesceRings() {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            assertTrue(waiter.isWaiter());
            assertFalse(ringer.isWaiter());
            assertFalse(waiter.await(Duration.ZERO), "not rung yet");
            assertFalse(ringer.ring(), "the waiter is awake: no signal");
            assertFalse(ringer.ring());
            assertTrue(waiter.await(SHORT));
            assertEquals(0, waiter.sleeps(), "a ring already counted needs no sleep");
            assertFalse(waiter.await(SHORT), "two rings before one await count once");
            assertEquals(1, waiter.sleeps(), "the second await slept until its timeout");
            assertEquals(0, ringer.signalsSent());
            assertEquals(0, waiter.missedWakeups());
        }
    }

    @Test
    void shouldWakeASleepingWaiterWithOneSignal() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            final Future<Boolean> woken = waitingThread.submit(() -> waiter.await(LONG));
            Children.awaitCondition(() -> waiter.lvWaiting() == 1, "the waiter is asleep");
            assertTrue(ringer.ring(), "the waiter was asleep: this ring sent the signal");
            assertFalse(ringer.ring(), "the first ring claimed the sleep; no second signal");
            assertTrue(woken.get(30, TimeUnit.SECONDS));
            assertEquals(1, ringer.signalsSent());
            assertEquals(1, waiter.sleeps());
            assertEquals(0, waiter.missedWakeups());
            assertEquals(0, waiter.lvWaiting(), "the waiter cleared its word");
        }
    }

    @Test
    void shouldWakeWhenTheRingLandsBetweenTheLastCheckAndTheSleep() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            final boolean[] rang = new boolean[1];
            waiter.beforeSleep(() -> {
                if (!rang[0]) {
                    rang[0] = true;
                    assertTrue(ringer.ring(), "the waiting word is published: the ring sends a signal");
                }
            });
            assertTrue(waitingThread.submit(() -> waiter.await(LONG)).get(60, TimeUnit.SECONDS));
            assertTrue(rang[0]);
            assertEquals(1, waiter.sleeps(), "it slept, and the pending signal ended the sleep");
            assertEquals(0, waiter.missedWakeups(), "the wake-up was the signal, not the timeout");
        }
    }

    @Test
    void shouldSleepAgainAfterAWakeUpThatBroughtNoRing() throws Exception {
        // A ringer that saw the word of an earlier sleep claims it only now and signals: the waiter wakes with no
        // new ring and the word cleared. It must publish the word again, or the next ring would send no signal.
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            final AtomicInteger hooks = new AtomicInteger();
            waiter.beforeSleep(() -> {
                if (hooks.getAndIncrement() == 0) {
                    assertTrue(waiter.claimWaiting());
                    PosixSignals.tgkill(PosixProcess.getpid(), PosixProcess.gettid(), waiter.signal());
                }
            });
            final Future<Boolean> woken = waitingThread.submit(() -> waiter.await(LONG));
            Children.awaitCondition(() -> hooks.get() >= 2 && waiter.lvWaiting() == 1,
                "the waiter woke for nothing and went back to sleep");
            assertTrue(ringer.ring(), "the waiter published its word again");
            assertTrue(woken.get(30, TimeUnit.SECONDS));
            assertEquals(2, waiter.sleeps());
            assertEquals(0, waiter.missedWakeups());
        }
    }

    @Test
    void shouldLayOutTheFileAsDescribed() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path, new Doorbell.Context().signal("SIGRTMIN+3"));
             Doorbell ringer = Doorbell.open(path)) {
            ringer.ring();
            ringer.ring();
            final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.nativeOrder());
            assertEquals(DoorbellDescriptor.FILE_LENGTH, file.capacity());
            assertEquals("IPCKBELL", new String(Files.readAllBytes(path), 0, 8, StandardCharsets.US_ASCII));
            assertEquals(DoorbellDescriptor.LAYOUT_VERSION, file.getInt(DoorbellDescriptor.LAYOUT_VERSION_OFFSET));
            assertEquals(PosixSignals.SIGRTMIN_VALUE + 3, file.getInt(DoorbellDescriptor.SIGNAL_OFFSET));
            assertEquals(PosixProcess.getpid(), file.getInt(DoorbellDescriptor.WAITER_PID_OFFSET));
            assertEquals(PosixProcess.getpid(), file.getInt(DoorbellDescriptor.RINGER_PID_OFFSET));
            assertEquals(0, file.getInt(DoorbellDescriptor.WAITING_OFFSET));
            assertEquals(2, file.getLong(DoorbellDescriptor.RINGS_OFFSET));
            assertEquals(0, DoorbellDescriptor.WAITING_OFFSET % 128, "the waiting word starts a pair of cache lines");
            assertEquals(0, DoorbellDescriptor.RINGS_OFFSET % 128, "the ring counter starts a pair of cache lines");
            assertEquals(PosixSignals.SIGRTMIN_VALUE + 3, waiter.signal());
            assertEquals(PosixSignals.SIGRTMIN_VALUE + 3, ringer.signal());
        }
    }

    @Test
    void shouldRefuseFilesThatAreNotDoorbellsOfThisVersion() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path)) {
            final Path other = dir.resolve("other");
            final byte[] bytes = Files.readAllBytes(path);
            ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(DoorbellDescriptor.LAYOUT_VERSION_OFFSET, 2);
            Files.write(other, bytes);
            final IllegalStateException version = assertThrows(IllegalStateException.class, () -> Doorbell.open(other));
            assertTrue(version.getMessage().contains("app=1 file=2"), version.getMessage());

            final Path text = dir.resolve("text");
            Files.write(text, new byte[DoorbellDescriptor.FILE_LENGTH]);
            final IllegalStateException magic = assertThrows(IllegalStateException.class, () -> Doorbell.open(text));
            assertTrue(magic.getMessage().contains("is not a doorbell file: magic=0x0"), magic.getMessage());

            final Path small = dir.resolve("small");
            Files.write(small, new byte[10]);
            final IllegalStateException size = assertThrows(IllegalStateException.class, () -> Doorbell.open(small));
            assertTrue(size.getMessage().contains("it has 10 bytes"), size.getMessage());
            assertThrows(IllegalStateException.class, () -> Doorbell.create(text), "create does not adopt a stranger");
            assertEquals(DoorbellDescriptor.FILE_LENGTH, Files.size(text), "and leaves it alone");
        }
    }

    @Test
    void shouldExplainAMissingDoorbell() {
        final Path path = dir.resolve("missing");
        final NativeException e = assertThrows(NativeException.class, () -> Doorbell.open(path));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("Doorbell.create"), e.getMessage());
    }

    @Test
    void shouldAllowOneWaiterAndOneRinger() {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            assertTrue(waiter.isPeerAlive());
            assertTrue(ringer.isPeerAlive());
            final IllegalStateException secondRinger =
                assertThrows(IllegalStateException.class, () -> Doorbell.open(path));
            assertTrue(secondRinger.getMessage().contains("already has a ringing process (pid "
                + PosixProcess.getpid()), secondRinger.getMessage());
            final IllegalStateException secondWaiter =
                assertThrows(IllegalStateException.class, () -> Doorbell.create(path));
            assertTrue(secondWaiter.getMessage().contains("already waits on doorbell"), secondWaiter.getMessage());
            final IllegalStateException ringerWaits =
                assertThrows(IllegalStateException.class, () -> ringer.await(SHORT));
            assertTrue(ringerWaits.getMessage().contains("only the process that created it"), ringerWaits.getMessage());
            ringer.close();
            assertFalse(waiter.isPeerAlive());
            try (Doorbell next = Doorbell.open(path)) {
                assertTrue(next.isPeerAlive(), "a ringer may open the doorbell once the previous one left");
            }
        }
        assertFalse(Files.exists(path), "the creator removes the file");
        assertEquals(0, dir.toFile().list().length, "no temporary file is left behind");
    }

    @Test
    void shouldRefuseASecondThreadWaitingAtTheSameTime() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            final Future<Boolean> first = waitingThread.submit(() -> waiter.await(LONG));
            Children.awaitCondition(() -> waiter.lvWaiting() == 1, "the first waiter is asleep");
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> waiter.await(SHORT));
            assertTrue(e.getMessage().contains("one waiting thread at a time"), e.getMessage());
            ringer.ring();
            assertTrue(first.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAdoptTheFileOfAWaiterThatDied() throws Exception {
        final Path path = dir.resolve("bell");
        final Path orphan = dir.resolve("orphan");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            ringer.ring();
            Files.copy(path, orphan); // a complete doorbell file whose waiter holds no lock on it: as if it died
        }
        try (Doorbell adopted = Doorbell.create(orphan, new Doorbell.Context().signal("SIGUSR1"));
             Doorbell ringer = Doorbell.open(orphan)) {
            assertFalse(adopted.await(Duration.ZERO), "rings before the adoption are not this waiter's");
            assertEquals(PosixSignals.SIGUSR1, ringer.signal(), "the new waiter's signal");
            final Future<Boolean> woken = waitingThread.submit(() -> adopted.await(LONG));
            Children.awaitCondition(() -> adopted.lvWaiting() == 1, "the adopting waiter is asleep");
            assertTrue(ringer.ring());
            assertTrue(woken.get(30, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(orphan));
    }

    @Test
    void shouldEndAWaitWhenTheDoorbellIsClosed() throws Exception {
        final Path path = dir.resolve("bell");
        final Doorbell waiter = Doorbell.create(path);
        final Future<Boolean> waiting = waitingThread.submit(() -> waiter.await(LONG));
        Children.awaitCondition(() -> waiter.lvWaiting() == 1, "the waiter is asleep");
        waiter.close();
        final ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ChannelClosedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("was closed while a thread waited"), e.getCause().getMessage());
        assertFalse(Files.exists(path));
        waiter.close();
        assertThrows(ChannelClosedException.class, waiter::ring);
        assertThrows(ChannelClosedException.class, () -> waiter.await(SHORT));
    }

    @Test
    void shouldWakeWithSigusr1() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path, new Doorbell.Context().signal("SIGUSR1"));
             Doorbell ringer = Doorbell.open(path)) {
            final Future<Boolean> woken = waitingThread.submit(() -> waiter.await(LONG));
            Children.awaitCondition(() -> waiter.lvWaiting() == 1, "the waiter is asleep");
            assertTrue(ringer.ring());
            assertTrue(woken.get(30, TimeUnit.SECONDS));
            assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(PosixSignals.SIGUSR1));
        }
    }

    @Test
    void shouldSpinBeforeSleeping() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path, new Doorbell.Context().spin(Duration.ofMillis(20)));
             Doorbell ringer = Doorbell.open(path)) {
            assertFalse(waiter.await(Duration.ofMillis(5)), "the spin is bounded by the timeout");
            assertEquals(0, waiter.sleeps(), "a timeout within the spin never sleeps");
            ringer.ring();
            assertTrue(waiter.await(LONG));
        }
    }

    @Test
    void shouldRefuseBadSettingsAndChangeNothing() {
        final Doorbell.Context context = new Doorbell.Context();
        final IllegalArgumentException signal =
            assertThrows(IllegalArgumentException.class, () -> context.signal("SIGTERM"));
        assertTrue(signal.getMessage().startsWith("signal=SIGTERM is refused: the JVM uses it"), signal.getMessage());
        assertThrows(IllegalArgumentException.class, () -> context.signal(PosixSignals.SIGKILL));
        final IllegalArgumentException spin = assertThrows(IllegalArgumentException.class,
            () -> context.spin(Duration.ofMillis(-1)));
        assertTrue(spin.getMessage().startsWith("spin=PT-0.001S is negative"), spin.getMessage());
        assertEquals(WakeSignal.DEFAULT, context.signal());
        assertEquals(0, context.spinNanos());
        assertFalse(Files.exists(dir.resolve("bell")));
    }
}
