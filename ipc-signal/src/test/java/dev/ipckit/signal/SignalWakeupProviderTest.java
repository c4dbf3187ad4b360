package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
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

import dev.ipckit.ChannelUri;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.spi.WakeupProvider;

@Timeout(60)
class SignalWakeupProviderTest {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(30);
    private static final int PID = PosixProcess.getpid();

    private final WakeupProvider provider = WakeupProvider.find("signal").orElseThrow();
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

    static boolean blockedInThisThread(final int signal) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(PosixSignals.SIGSET_SIZE, 8);
            PosixSignals.pthreadSigmask(PosixSignals.SIG_BLOCK, MemorySegment.NULL, mask);
            return PosixSignals.isMember(mask, signal);
        }
    }

    @Test
    void shouldBeFoundByItsName() {
        assertInstanceOf(SignalWakeupProvider.class, provider);
        assertEquals("signal", provider.name());
        assertEquals(Set.of("signal"), provider.options());
    }

    @Test
    void shouldWakeAWaiterFromAnotherThread() throws Exception {
        final CompletableFuture<int[]> published = new CompletableFuture<>();
        final Future<Boolean> woken = waitingThread.submit(() -> {
            try (WakeupProvider.Waiter waiter = provider.openWaiter(ChannelUri.parse("mmap:q?wait=signal"))) {
                published.complete(new int[] {waiter.tid(), waiter.token()});
                return waiter.await(LONG_WAIT, pid -> pid == PID);
            }
        });
        final int[] header = published.get(30, TimeUnit.SECONDS);
        assertEquals(WakeSignal.DEFAULT, header[1], "the token is the signal");
        assertTrue(provider.openWaker(ChannelUri.parse("mmap:q?wait=signal")).wake(PID, header[0], header[1]));
        assertTrue(woken.get(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldKeepAWakeUpSentBeforeTheWaiterSleeps() throws Exception {
        final boolean[] results = onWaitingThread(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(PosixSignals.SIGRTMIN_VALUE + 5)) {
                assertTrue(new SignalWaker().wake(PID, waiter.tid(), waiter.token()));
                final boolean first = waiter.await(0, pid -> pid == PID);
                final boolean second = waiter.await(TimeUnit.MILLISECONDS.toNanos(1), pid -> pid == PID);
                return new boolean[] {first, second};
            }
        });
        assertTrue(results[0], "the pending wake-up is collected without sleeping");
        assertFalse(results[1], "and only once");
    }

    @Test
    void shouldDropWakeUpsFromSendersItDoesNotAccept() throws Exception {
        final long[] results = onWaitingThread(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(WakeSignal.DEFAULT)) {
                assertTrue(new SignalWaker().wake(PID, waiter.tid(), waiter.token()));
                final boolean woken = waiter.await(TimeUnit.MILLISECONDS.toNanos(50), pid -> pid != PID);
                return new long[] {woken ? 1 : 0, waiter.strangersIgnored()};
            }
        });
        assertEquals(0, results[0], "a signal from a pid that is not accepted does not wake");
        assertEquals(1, results[1], "it was collected and dropped");
    }

    @Test
    void shouldBlockTheSignalOnlyWhileAWaiterIsOpen() throws Exception {
        final int signal = PosixSignals.SIGRTMIN_VALUE + 5;
        final boolean[] states = onWaitingThread(() -> {
            final boolean before = blockedInThisThread(signal);
            final SignalWaiter first = SignalWaiter.open(signal);
            final SignalWaiter second = SignalWaiter.open(signal);
            final boolean withBoth = blockedInThisThread(signal);
            first.close();
            first.close();
            final boolean withSecond = blockedInThisThread(signal);
            second.close();
            return new boolean[] {before, withBoth, withSecond, blockedInThisThread(signal)};
        });
        assertFalse(states[0]);
        assertTrue(states[1]);
        assertTrue(states[2], "a second waiter on the thread still needs the signal blocked");
        assertFalse(states[3], "closing the last waiter restores the mask");
    }

    @Test
    void shouldLeaveASignalTheThreadBlockedBeforeBlocked() throws Exception {
        final int signal = PosixSignals.SIGRTMIN_VALUE + 5;
        final boolean stillBlocked = onWaitingThread(() -> {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment set = PosixSignals.sigset(arena, signal);
                PosixSignals.pthreadSigmask(PosixSignals.SIG_BLOCK, set, MemorySegment.NULL);
                try {
                    SignalWaiter.open(signal).close();
                    return blockedInThisThread(signal);
                } finally {
                    PosixSignals.pthreadSigmask(PosixSignals.SIG_UNBLOCK, set, MemorySegment.NULL);
                }
            }
        });
        assertTrue(stillBlocked);
    }

    @Test
    void shouldRefuseUseFromAnotherThread() throws Exception {
        final SignalWaiter waiter = onWaitingThread(() -> SignalWaiter.open(WakeSignal.DEFAULT));
        final IllegalStateException await =
            assertThrows(IllegalStateException.class, () -> waiter.await(0, pid -> true));
        assertTrue(await.getMessage().contains("on the same thread"), await.getMessage());
        assertThrows(IllegalStateException.class, waiter::close);
        onWaitingThread(() -> {
            waiter.close();
            return null;
        });
        assertFalse(onWaitingThread(() -> blockedInThisThread(WakeSignal.DEFAULT)));
    }

    @Test
    void shouldRefuseVirtualThreads() throws Exception {
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> virtual.submit(() -> provider.openWaiter(ChannelUri.parse("mmap:q"))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("need a platform thread"), e.getCause().getMessage());
        }
    }

    @Test
    void shouldRefuseAReservedSignalAndChangeNothing() throws Exception {
        final long disposition = PosixSignals.handler(PosixSignals.SIGTERM);
        final boolean blocked = onWaitingThread(() -> {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.openWaiter(ChannelUri.parse("mmap:q?wait=signal&signal=SIGTERM")));
            assertTrue(e.getMessage().startsWith("signal=SIGTERM in 'mmap:q?wait=signal&signal=SIGTERM' is refused: "
                + "the JVM uses it to start an orderly shutdown"), e.getMessage());
            return blockedInThisThread(PosixSignals.SIGTERM);
        });
        assertFalse(blocked);
        assertEquals(disposition, PosixSignals.handler(PosixSignals.SIGTERM));
        assertThrows(IllegalArgumentException.class,
            () -> provider.openWaker(ChannelUri.parse("mmap:q?wait=signal&signal=SIGSEGV")));
    }

    @Test
    void shouldTimeOutAndReportAThreadThatIsGone() throws Exception {
        final int[] tid = new int[1];
        final boolean woken = onWaitingThread(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(WakeSignal.DEFAULT)) {
                tid[0] = waiter.tid();
                return waiter.await(TimeUnit.MILLISECONDS.toNanos(20), pid -> true);
            }
        });
        assertFalse(woken);
        stopThread();
        Children.awaitCondition(() -> !Files.exists(Path.of("/proc/self/task/" + tid[0])),
            "thread " + tid[0] + " has exited");
        assertFalse(new SignalWaker().wake(PID, tid[0], WakeSignal.DEFAULT), "ESRCH: no such thread");
    }

    @Test
    void shouldNeverSendASignalThatIsNotAWakeUpSignal() {
        final SignalWaker waker = new SignalWaker();
        final int tid = PosixProcess.gettid();
        for (final int signal : new int[] {PosixSignals.SIGKILL, PosixSignals.SIGTERM, PosixSignals.SIGSEGV, 0, 99}) {
            final IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> waker.wake(PID, tid, signal));
            assertTrue(e.getMessage().contains("is not a wake-up signal"), e.getMessage());
        }
    }
}
