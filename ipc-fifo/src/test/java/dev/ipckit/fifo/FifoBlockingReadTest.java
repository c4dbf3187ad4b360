package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * A {@code wait=block} receiver sleeps in read(2) itself ({@link BlockingReads}): what it sleeps in, as the kernel
 * reports it in {@code /proc/self/task/TID/syscall}, and that the deadline, an interrupt, a close from another
 * thread and a sender killed or stopped each end that sleep, with no signal left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FifoBlockingReadTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /** read(2) and poll(2) (ppoll on aarch64, which has no poll) as /proc/PID/task/TID/syscall numbers them. */
    private static final int SYS_READ = AARCH64 ? 63 : 0;
    private static final int SYS_POLL = AARCH64 ? 73 : 7;

    @TempDir
    Path dir;

    @Test
    void shouldHaveTheJdkHandlerThatEndsABlockingReadWithEintr() {
        assertTrue(BlockingReads.AVAILABLE, "the JDK's handler of signal " + BlockingReads.SIGNAL
            + " is missing or restarts calls; a wait=block receiver would wait in poll(2)");
        assertEquals(PosixSignals.SIGRTMAX_VALUE - 2, BlockingReads.SIGNAL);
    }

    @Test
    void shouldSleepInReadAndDeliverTheMessageThatWakesIt() throws Exception {
        try (Ends ends = Ends.open(dir.resolve("read.fifo"))) {
            final Receiver receiver = ends.receiver();
            final Sender sender = ends.sender();
            final Polling polling = Polling.start(() -> receiveOne(receiver, DEADLINE));
            awaitSyscall(polling.tid(), SYS_READ);
            offer(sender, "woken");
            assertEquals("woken", polling.result());
        }
    }

    @Test
    void shouldWaitInPollOnAThreadThatBlocksTheSignal() throws Exception {
        try (Ends ends = Ends.open(dir.resolve("masked.fifo"))) {
            final Receiver receiver = ends.receiver();
            final Sender sender = ends.sender();
            final Polling polling = Polling.start(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    PosixSignals.pthreadSigmask(PosixSignals.SIG_BLOCK, PosixSignals.sigset(arena, BlockingReads.SIGNAL),
                        MemorySegment.NULL);
                }
                return receiveOne(receiver, DEADLINE);
            });
            awaitSyscall(polling.tid(), SYS_POLL);
            offer(sender, "polled");
            assertEquals("polled", polling.result());
        }
    }

    @Test
    void shouldReturnAtTheDeadlineFromABlockingReadWithNoSignalLeft() throws Exception {
        try (Ends ends = Ends.open(dir.resolve("deadline.fifo"))) {
            final Receiver receiver = ends.receiver();
            final Sender sender = ends.sender();
            final Duration timeout = Duration.ofMillis(400);
            final AtomicInteger tid = new AtomicInteger();
            final Polling polling = Polling.start(() -> {
                final long start = System.nanoTime();
                final int count = receiver.poll((b, o, l) -> fail("nothing was sent"), 1, timeout);
                final long took = System.nanoTime() - start;
                final String pending = pendingSignals(PosixProcess.gettid());
                return count + " " + (took >= timeout.toNanos()) + " " + pending;
            });
            tid.set(polling.tid());
            awaitSyscall(tid.get(), SYS_READ);
            final String[] result = polling.result().split(" ");
            assertEquals("0", result[0], "a timed poll with nothing to read delivers nothing");
            assertEquals("true", result[1], "the poll returned before its timeout");
            assertFalse(hasSignal(result[2], BlockingReads.SIGNAL),
                "the signal that ended the read is still pending after the poll returned: SigPnd " + result[2]);
        }
    }

    @Test
    void shouldEndABlockingReadWhenAnotherThreadCloses() throws Exception {
        try (Ends ends = Ends.open(dir.resolve("close.fifo"))) {
            final Receiver receiver = ends.receiver();
            final Polling polling = Polling.start(() -> receiveOne(receiver, Duration.ofSeconds(60)));
            awaitSyscall(polling.tid(), SYS_READ);
            receiver.close(); // returns once the waiting thread has left
            assertInstanceOf(ChannelClosedException.class, polling.failure(), "the poll must see the close");
            assertTrue(receiver.isClosed());
        }
    }

    @Test
    void shouldEndABlockingReadWhenItsThreadIsInterrupted() throws Exception {
        try (Ends ends = Ends.open(dir.resolve("interrupt.fifo"))) {
            final Receiver receiver = ends.receiver();
            final Sender sender = ends.sender();
            final Polling polling = Polling.start(() -> receiveOne(receiver, Duration.ofSeconds(60)));
            awaitSyscall(polling.tid(), SYS_READ);
            polling.thread().interrupt();
            assertInstanceOf(ChannelInterruptedException.class, polling.failure(), "the poll must see the interrupt");
            handOver(sender, receiver, "after"); // the receiver still works on another thread
        }
    }

    @Test
    void shouldReportASenderKilledWhileTheReceiverSleepsInRead() throws Exception {
        final Path path = dir.resolve("killed.fifo");
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?wait=block&nonblock=true");
             ChildProcess child = ChildProcess.startJava(FifoTestChild.class, List.of("hold", "fifo:" + path))) {
            assertEquals("hello", receiveOne(receiver, DEADLINE));
            final Polling polling = Polling.start(() -> receiveOne(receiver, Duration.ofSeconds(60)));
            awaitSyscall(polling.tid(), SYS_READ);
            assertEquals(PosixSignals.SIGKILL, child.kill().signal());
            final PeerGoneException gone = assertInstanceOf(PeerGoneException.class, polling.failure());
            assertEquals(PeerGoneException.Reason.DIED, gone.reason(), gone.getMessage());
            assertEquals(child.pid(), gone.peerPid(), gone.getMessage());
        }
    }

    @Test
    void shouldTimeOutWhileTheSenderIsStoppedAndDeliverOnceItGoesOn() throws Exception {
        final Path path = dir.resolve("stopped.fifo");
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?wait=block&nonblock=true");
             ChildProcess child = ChildProcess.startJava(FifoTestChild.class,
                 List.of("hold", "fifo:" + path + "?producers=many"));
             Sender extra = Channels.openSender("fifo:" + path + "?producers=many&nonblock=true")) {
            assertEquals("hello", receiveOne(receiver, DEADLINE));
            PosixProcess.kill(child.pid(), PosixSignals.SIGSTOP);
            try {
                final Polling polling = Polling.start(() -> String.valueOf(
                    receiver.poll((b, o, l) -> fail("nothing was sent"), 1, Duration.ofMillis(300))));
                awaitSyscall(polling.tid(), SYS_READ);
                assertEquals("0", polling.result(), "a stopped sender is a quiet one: the poll times out");
            } finally {
                PosixProcess.kill(child.pid(), PosixSignals.SIGCONT);
            }
            offer(extra, "later");
            assertEquals("later", receiveOne(receiver, DEADLINE));
            assertNull(child.waitFor(Duration.ZERO), "the held sender still runs");
        }
    }

    /**
     * The protocol of {@link BlockingReads.Waiter} under fire: one thread reads a pipe in blocking reads, one
     * writes sequence numbers at random moments (0.5 to 2.5 ms apart), one signals the waiter without pause. Every number arrives in
     * order, some reads were ended by the signal (the race is real), and no signal outlives its read: a 1 ms poll(2)
     * after each read, which a pending or late signal would end with EINTR, never is.
     */
    @Test
    void shouldNeverLetTheSignalOutliveTheReadItWasMeantFor() throws Exception {
        final int[] pipe = PosixPipes.pipe2(PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC);
        final int[] quiet = PosixPipes.pipe2(PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC);
        final int blocking = BlockingReads.openBlocking(pipe[0]);
        assertTrue(blocking >= 0, "no blocking description of the pipe");
        final BlockingReads.Waiter waiter = BlockingReads.register();
        final int rounds = 1_500;
        final AtomicBoolean done = new AtomicBoolean();
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment in = arena.allocate(8);
            final MemorySegment out = arena.allocate(8);
            final Thread signaller = Thread.ofPlatform().daemon().start(() -> {
                while (!done.get()) {
                    waiter.signal();
                    Thread.onSpinWait();
                }
            });
            final Thread writer = Thread.ofPlatform().daemon().start(() -> {
                final java.util.Random random = new java.util.Random(42);
                for (long sequence = 0; sequence < rounds; sequence++) {
                    out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
                    if (PosixFiles.writeNonBlocking(pipe[1], out, 8) != 8) {
                        throw new IllegalStateException("an 8-byte write to an empty pipe failed");
                    }
                    // longer than the reader's 1 ms poll, so that most reads sleep and the signaller meets them there
                    java.util.concurrent.locks.LockSupport.parkNanos(500_000 + random.nextInt(2_000_000));
                }
            });
            int interrupted = 0;
            try {
                assertTrue(waiter.mayBlock());
                long expected = 0;
                int held = 0;
                while (expected < rounds) {
                    final long n = waiter.read(blocking, in, held, 8 - held, System.nanoTime() + 10_000_000_000L);
                    if (n == -Errno.EINTR) {
                        interrupted++;
                    } else {
                        assertTrue(n > 0, "read returned " + n);
                        held += (int) n;
                        if (held == 8) {
                            assertEquals(expected++, in.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                            held = 0;
                        }
                    }
                    final int r = PosixPipes.poll(quiet[0], PosixPipes.POLLIN, 1);
                    assertEquals(0, r, "a signal outlived the read it ended: a poll(2) after it returned " + r);
                }
            } finally {
                done.set(true);
                signaller.join();
                writer.join();
                waiter.retire();
                for (final int fd : new int[] {pipe[0], pipe[1], quiet[0], quiet[1], blocking}) {
                    PosixFiles.close(fd);
                }
            }
            assertTrue(interrupted > 0, "no read was ended by the signal: the race was not exercised");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** A wait=block receiver and a sender on one FIFO, one message handed over: the receiver has seen its sender. */
    private record Ends(Receiver receiver, Sender sender) implements AutoCloseable {
        static Ends open(final Path fifo) {
            final String uri = "fifo:" + fifo + "?wait=block&nonblock=true";
            final Receiver receiver = Channels.openReceiver(uri);
            final Ends ends = new Ends(receiver, Channels.openSender(uri));
            handOver(ends.sender, receiver, "first");
            return ends;
        }

        @Override
        public void close() {
            try (sender) {
                receiver.close();
            }
        }
    }

    /** A thread that polls, and the tid the kernel knows it by. */
    private record Polling(Thread thread, int tid, CompletableFuture<String> outcome) {
        static Polling start(final Supplier<String> poll) throws Exception {
            final CompletableFuture<Integer> tid = new CompletableFuture<>();
            final CompletableFuture<String> outcome = new CompletableFuture<>();
            final Thread thread = Thread.ofPlatform().daemon().name("polling").start(() -> {
                tid.complete(PosixProcess.gettid());
                try {
                    outcome.complete(poll.get());
                } catch (final Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
            return new Polling(thread, tid.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), outcome);
        }

        String result() throws Exception {
            return outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }

        Throwable failure() throws Exception {
            try {
                final String value = outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                return fail("the poll returned " + value + " instead of throwing");
            } catch (final ExecutionException e) {
                return e.getCause();
            }
        }
    }

    private static String receiveOne(final Receiver receiver, final Duration timeout) {
        final String[] got = new String[1];
        final int count = receiver.poll((buffer, offset, length) -> got[0] = buffer.getStringWithoutLengthAscii(offset, length),
            1, timeout);
        return count == 1 ? got[0] : "nothing within " + timeout;
    }

    private static void offer(final Sender sender, final String text) {
        final UnsafeBuffer buffer = new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
        assertTrue(sender.offer(buffer, 0, buffer.capacity(), DEADLINE), "no room for " + text);
    }

    private static void handOver(final Sender sender, final Receiver receiver, final String text) {
        offer(sender, text);
        assertEquals(text, receiveOne(receiver, DEADLINE));
    }

    /**
     * Waits until the thread sleeps in the given system call, by the first field of {@code /proc/self/task/TID/syscall}.
     */
    private static void awaitSyscall(final int tid, final int number) throws InterruptedException {
        final Path file = Path.of("/proc/self/task/" + tid + "/syscall");
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            try {
                last = Files.readString(file).trim();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            if (last.startsWith(number + " ")) {
                return;
            }
            Thread.sleep(1);
        }
        fail("thread " + tid + " never slept in system call " + number + "; the last look said: " + last);
    }

    private static String pendingSignals(final int tid) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
                if (line.startsWith("SigPnd:")) {
                    return line.substring("SigPnd:".length()).trim();
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return fail("no SigPnd line for thread " + tid);
    }

    private static boolean hasSignal(final String hexMask, final int signal) {
        return new java.math.BigInteger(hexMask, 16).testBit(signal - 1);
    }
}
