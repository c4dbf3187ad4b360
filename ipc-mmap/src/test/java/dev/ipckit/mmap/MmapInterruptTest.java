package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;

/**
 * Item 4 of the trust issue: a thread interrupted in a timed call of the mmap transport (poll, offer, a blocking
 * open) returns promptly with {@link ChannelInterruptedException} and keeps its interrupt status, in every wait
 * mode. "Promptly" is measured as the CPU time the interrupted thread spends from the interrupt until the call
 * returns (ThreadMXBean), against a timeout of {@link #TIMEOUT}: spinning to the deadline would cost seconds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapInterruptTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long MOST_CPU_NANOS = 500_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"spin", "yield", "backoff", "sleep", "futex", "testpark"})
    void shouldThrowChannelInterruptedPromptlyAndKeepTheStatusWhenInterruptedInATimedPoll(final String wait)
        throws Exception {
        final Path path = dir.resolve("poll-" + wait);
        final String uri = "mmap:" + path + "?capacity=4k&wait=" + wait;
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final Call call = Call.start(() -> receiver.poll((b, o, l) -> { }, 1, TIMEOUT));
            call.awaitInside(wait, path);
            call.interruptAndCheck();
            assertFalse(receiver.isClosed(), "the end stays open");
            assertTrue(sender.offer(new UnsafeBuffer(new byte[4]), 0, 4));
            assertEquals(1, receiver.poll((b, o, l) -> { }, 1, TIMEOUT), "and usable");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "yield", "backoff", "sleep", "futex"})
    void shouldThrowChannelInterruptedPromptlyAndKeepTheStatusWhenInterruptedInATimedOfferOnAFullRing(
        final String wait) throws Exception {
        final Path path = dir.resolve("offer-" + wait);
        final String uri = "mmap:" + path + "?capacity=4k&wait=" + wait;
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            while (sender.offer(message, 0, 256)) {
                assertTrue(receiver.isPeerAlive());
            }
            final Call call = Call.start(() -> sender.offer(message, 0, 256, TIMEOUT));
            call.awaitInside("futex".equals(wait) ? "backoff" : wait, path); // a sender waits with an idle strategy
            call.interruptAndCheck();
            assertFalse(sender.isClosed(), "the end stays open");
        }
    }

    @Test
    void shouldThrowChannelInterruptedPromptlyWhenInterruptedWaitingForTheFileToAppear() throws Exception {
        final String uri = "mmap:" + dir.resolve("absent") + "?create=false&timeout=20s";
        final Call call = Call.start(() -> Channels.openReceiver(uri));
        call.awaitInside("sleep", null); // it parks between looks for the file
        call.interruptAndCheck();
    }

    @Test
    void shouldThrowChannelInterruptedPromptlyWhenInterruptedWaitingForTheOpenLock() throws Exception {
        final Path path = dir.resolve("locked");
        final String uri = "mmap:" + path + "?capacity=4k&timeout=20s";
        try (Sender sender = Channels.openSender(uri)) {
            final int fd = PosixFiles.open(path.toString(), PosixFiles.O_RDWR | PosixFiles.O_CLOEXEC, 0);
            try {
                assertEquals(0, PosixMemory.trySetOfdLock(fd, PosixMemory.F_WRLCK, RingFileDescriptor.OPEN_LOCK_BYTE,
                    1), "this test holds the OPEN lock, as an opener stopped mid-open would");
                final Call call = Call.start(() -> Channels.openReceiver(uri));
                call.awaitInside("sleep", null); // it parks between tries of the lock
                call.interruptAndCheck();
            } finally {
                PosixFiles.close(fd);
            }
            assertTrue(sender.isPeerAlive());
        }
    }

    /**
     * A timed call on its own platform thread, and what it ended with.
     */
    private static final class Call {
        private final Thread thread;
        private final AtomicReference<Object> outcome = new AtomicReference<>();
        private final AtomicLong cpuAtEnd = new AtomicLong();
        private volatile boolean interruptKept;

        private Call(final ThrowingRunnable body) {
            this.thread = new Thread(() -> {
                Object result;
                try {
                    result = body.run();
                } catch (final Throwable t) {
                    result = t;
                }
                interruptKept = Thread.currentThread().isInterrupted();
                cpuAtEnd.set(THREADS.getCurrentThreadCpuTime());
                outcome.set(result == null ? "null" : result);
            }, "interrupted-call");
        }

        static Call start(final ThrowingRunnable body) {
            final Call call = new Call(body);
            call.thread.start();
            return call;
        }

        /**
         * Waits until the thread is inside the wait: asleep on the waiting word (futex, providers), parked (backoff,
         * sleep, opens) or spinning (spin, yield) for a while.
         */
        void awaitInside(final String wait, final Path ring) {
            final long start = THREADS.getThreadCpuTime(thread.threadId());
            switch (wait) {
                case "futex", "testpark" -> awaitCondition(() -> {
                    try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
                        return inspector.stat().receiverWaiting();
                    }
                }, "the receiver asleep on the waiting word");
                case "backoff", "sleep" -> awaitCondition(() -> thread.getState() == Thread.State.TIMED_WAITING,
                    "the thread parked inside the wait");
                default -> awaitCondition(() -> THREADS.getThreadCpuTime(thread.threadId()) - start > 50_000_000L,
                    "the thread spinning inside the wait");
            }
            assertTrue(thread.isAlive() && outcome.get() == null, "still waiting: " + outcome.get());
        }

        void interruptAndCheck() throws InterruptedException {
            final long cpuBefore = THREADS.getThreadCpuTime(thread.threadId());
            thread.interrupt();
            thread.join(TIMEOUT.toMillis() * 2);
            assertFalse(thread.isAlive(), "the call returned");
            final Object result = outcome.get();
            if (result instanceof Throwable t && !(t instanceof ChannelInterruptedException)) {
                throw new AssertionError("the call threw " + t, t);
            }
            assertInstanceOf(ChannelInterruptedException.class, result, "the call's outcome");
            assertTrue(interruptKept, "the interrupt status is kept");
            final long cpu = cpuAtEnd.get() - cpuBefore;
            assertTrue(cpu < MOST_CPU_NANOS, "the interrupted thread used " + cpu / 1_000_000 + " ms of CPU after the "
                + "interrupt, with " + TIMEOUT + " left to its deadline");
        }

        private static void awaitCondition(final BooleanSupplier condition, final String what) {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() - deadline < 0, "never saw " + what);
                Thread.onSpinWait();
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        Object run() throws Exception;
    }
}
