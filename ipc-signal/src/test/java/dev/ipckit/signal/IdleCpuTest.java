package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle waiter sleeps in the kernel: over a wait of a couple of seconds, the waiting thread's CPU time (user
 * and system, as the JVM reads it for that thread) stays near zero.
 */
@Timeout(60)
class IdleCpuTest {
    private static final Duration IDLE = Duration.ofSeconds(2);
    /** 1% of the idle time: a spinning or polling waiter would use close to all of it. */
    private static final long MAX_CPU_NANOS = IDLE.toNanos() / 100;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** Runs {@code wait} on a new thread and returns {waited result (1/0), CPU nanoseconds it used}. */
    private static long[] cpuOf(final java.util.function.BooleanSupplier wait) throws Exception {
        assertTrue(THREADS.isCurrentThreadCpuTimeSupported());
        final CompletableFuture<long[]> result = new CompletableFuture<>();
        final Thread thread = Thread.ofPlatform().start(() -> {
            try {
                final long before = THREADS.getCurrentThreadCpuTime();
                final boolean woken = wait.getAsBoolean();
                result.complete(new long[] {woken ? 1 : 0, THREADS.getCurrentThreadCpuTime() - before});
            } catch (final Throwable t) {
                result.completeExceptionally(t);
            }
        });
        final long[] outcome = result.get(30, TimeUnit.SECONDS);
        thread.join();
        return outcome;
    }

    @Test
    void shouldUseNoCpuWhileADoorbellWaiterIsIdle() throws Exception {
        try (Doorbell bell = Doorbell.create(dir.resolve("bell"))) {
            final long[] outcome = cpuOf(() -> bell.await(IDLE));
            assertEquals(0, outcome[0], "nobody rang");
            assertEquals(1, bell.sleeps(), "it slept once, for the whole wait");
            assertTrue(outcome[1] < MAX_CPU_NANOS, "the waiting thread used " + outcome[1] / 1000 + " us of CPU in "
                + IDLE.toMillis() + " ms");
        }
    }

    @Test
    void shouldUseNoCpuWhileASignalWaiterIsIdle() throws Exception {
        final long[] outcome = cpuOf(() -> {
            try (SignalWaiter waiter = SignalWaiter.open(WakeSignal.DEFAULT)) {
                return waiter.await(IDLE.toNanos(), pid -> true);
            }
        });
        assertFalse(outcome[0] == 1, "nobody woke it");
        assertTrue(outcome[1] < MAX_CPU_NANOS, "the waiting thread used " + outcome[1] / 1000 + " us of CPU in "
            + IDLE.toMillis() + " ms");
    }
}
