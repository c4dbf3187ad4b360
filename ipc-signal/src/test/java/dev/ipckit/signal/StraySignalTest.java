package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * Signals of the wake-up number that do not come from the expected sender: from a shell ({@code kill -s}), from
 * a process that aims at the waiting thread, and after the waiter has gone.
 */
@Timeout(60)
class StraySignalTest {
    private static final int PID = PosixProcess.getpid();
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(50);

    @TempDir
    Path dir;

    private final ExecutorService waitingThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThread() throws InterruptedException {
        waitingThread.shutdownNow();
        assertTrue(waitingThread.awaitTermination(30, TimeUnit.SECONDS));
    }

    private <T> T onWaitingThread(final Callable<T> task) throws Exception {
        try {
            return waitingThread.submit(task).get(60, TimeUnit.SECONDS);
        } catch (final ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** {@code kill -s SIGNAL PID} from /bin/sh, as a user at a shell would send it. */
    private static void killFromShell(final int signal, final int pid) throws Exception {
        final Process shell = Children.start(List.of("/bin/sh", "-c", "kill -s " + signal + " " + pid));
        assertEquals(0, Children.awaitExit(shell), "the shell sent " + PosixSignals.name(signal) + " to " + pid);
    }

    /** Whether this process's main thread (the one whose id is the pid) blocks a signal. */
    private static boolean mainThreadBlocks(final int signal) throws IOException {
        for (final String line : Files.readAllLines(Path.of("/proc/self/task/" + PID + "/status"))) {
            if (line.startsWith("SigBlk:")) {
                return new BigInteger(line.substring("SigBlk:".length()).trim(), 16).testBit(signal - 1);
            }
        }
        throw new IllegalStateException("no SigBlk in /proc/self/task/" + PID + "/status");
    }

    @Test
    void shouldNeitherDieNorWakeOnAStraySignalFromAShell() throws Exception {
        final int signal = WakeSignal.DEFAULT;
        // The kernel discards a process-directed signal that the main thread does not block and that is ignored;
        // if the main thread did block it, a waiter would collect it and drop it for its sender.
        final long expectedStrangers = mainThreadBlocks(signal) ? 1 : 0;
        final CompletableFuture<Void> strayDelivered = new CompletableFuture<>();
        final CompletableFuture<Integer> tid = new CompletableFuture<>();
        final CompletableFuture<Boolean> strayWoke = new CompletableFuture<>();
        final Future<long[]> result = waitingThread.submit(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(signal)) {
                tid.complete(waiter.tid());
                strayDelivered.get(30, TimeUnit.SECONDS);
                strayWoke.complete(waiter.await(SHORT, pid -> pid == PID));
                final boolean legitimateWoke = waiter.await(TimeUnit.SECONDS.toNanos(30), pid -> pid == PID);
                return new long[] {legitimateWoke ? 1 : 0, waiter.strangersIgnored()};
            }
        });
        final int waitingTid = tid.get(30, TimeUnit.SECONDS);
        killFromShell(signal, PID);
        killFromShell(signal, PID);
        strayDelivered.complete(null);
        assertFalse(strayWoke.get(30, TimeUnit.SECONDS), "a stray from a shell is not a wake-up");
        assertTrue(new SignalWaker().wake(PID, waitingTid, signal));
        final long[] outcome = result.get(30, TimeUnit.SECONDS);
        assertEquals(1, outcome[0], "the waiter still takes a real one");
        assertEquals(expectedStrangers * 2, outcome[1]);
        assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(signal), "strays of the wake-up signal are ignored");
    }

    @Test
    void shouldNotCountAStrayThatArrivesDuringASleep() throws Exception {
        final Path path = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(path); Doorbell ringer = Doorbell.open(path)) {
            final long expectedStrangers = mainThreadBlocks(waiter.signal()) ? 1 : 0;
            final Future<Boolean> woken = waitingThread.submit(() -> waiter.await(Duration.ofSeconds(30)));
            Children.awaitCondition(() -> waiter.lvWaiting() == 1, "the waiter is asleep");
            killFromShell(waiter.signal(), PID);
            assertTrue(ringer.ring(), "the waiter is still asleep after the stray: its word is still set");
            assertTrue(woken.get(30, TimeUnit.SECONDS));
            assertEquals(expectedStrangers, waiter.strangersIgnored());
            assertEquals(0, waiter.missedWakeups());
        }
    }

    @Test
    void shouldDropASignalAimedAtTheWaitingThreadByAStranger() throws Exception {
        final int signal = WakeSignal.DEFAULT;
        final long[] outcome = onWaitingThread(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(signal)) {
                final Process stranger = Children.startPeer(List.of("tgkill", Integer.toString(PID),
                    Integer.toString(waiter.tid()), Integer.toString(signal)));
                final int sent = Children.awaitExit(stranger);
                final boolean strangerWoke = waiter.await(SHORT, pid -> pid == PID);
                assertTrue(new SignalWaker().wake(PID, waiter.tid(), signal));
                final boolean legitimateWoke = waiter.await(SHORT, pid -> pid == PID);
                return new long[] {sent, strangerWoke ? 1 : 0, waiter.strangersIgnored(), legitimateWoke ? 1 : 0};
            }
        });
        assertEquals(0, outcome[0], "the stranger's tgkill reached the waiting thread");
        assertEquals(0, outcome[1], "a stranger's signal is not a wake-up");
        assertEquals(1, outcome[2], "it was collected and dropped");
        assertEquals(1, outcome[3]);
    }

    @Test
    void shouldSurviveSignalsSentAfterTheWaiterClosed() throws Exception {
        final int signal = PosixSignals.SIGUSR1;
        final boolean pending = onWaitingThread(() -> {
            final int tid;
            try (SignalWaiter waiter = SignalWaiter.open(signal)) {
                tid = waiter.tid();
            }
            // The thread no longer blocks the signal: a late wake-up and a shell's stray are both discarded.
            final Process late = Children.startPeer(List.of("tgkill", Integer.toString(PID), Integer.toString(tid),
                Integer.toString(signal)));
            assertEquals(0, Children.awaitExit(late));
            killFromShell(signal, PID);
            try (SignalWaiter again = SignalWaiter.open(signal)) {
                return again.await(0, pid -> true);
            }
        });
        assertFalse(pending, "nothing was queued for the thread while it did not wait");
    }
}
