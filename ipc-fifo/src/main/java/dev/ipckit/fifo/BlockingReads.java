package dev.ipckit.fifo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * How a {@code wait=block} receiver sleeps in read(2) itself: a wake-up is then one system call (the sender's
 * write(2) wakes the read, which returns the bytes), where poll(2) and a read(2) after it are two. On a round trip
 * that is the difference between 1.15x and 1.03x a C program's blocking reads on the same machine.
 *
 * <p>A blocking read has no timeout, and neither close(2) from another thread nor {@link Thread#interrupt()} ends
 * it; a signal does. The JDK itself ends blocking I/O that way: it installs a handler that does nothing, without
 * SA_RESTART, on {@code SIGRTMAX-2} ({@link #SIGNAL}), and sends that signal to a thread blocked in a channel that
 * another thread closes; a read(2) it interrupts returns EINTR. ipckit uses the same signal the same way, so it
 * adds no handler of its own, and every thread of a JVM already takes that signal in its stride. A blocking read is
 * ended:
 * <ul>
 *   <li>at its deadline, by one daemon thread per process ({@code ipckit-read-deadlines}), which sleeps until the
 *       earliest deadline of the reads in progress, and at most {@link Waits#SLICE_NANOS}, then signals each read
 *       whose deadline has passed;</li>
 *   <li>when its thread is interrupted, by the same thread at its next look, within {@link Waits#SLICE_NANOS}, as
 *       a poll(2) slice would;</li>
 *   <li>when another thread closes the receiver, by the closing thread at once ({@code wakeWaiter}).</li>
 * </ul>
 * A read whose time left is under {@link #MIN_TIMEOUT_NANOS}, a virtual thread, and a thread that blocks the
 * signal wait in poll(2) as before; so does every thread when the JDK's handler is not there
 * ({@link #AVAILABLE}).
 * The handler is looked at once, when this class loads: a program that later replaces the JDK's handler of
 * SIGRTMAX-2 with one that sets SA_RESTART makes a blocking read outlive its deadline until the next bytes or end of
 * file arrive (the JDK's own channels would not be closable either).
 *
 * <p>No stray signal: a reader's {@link Waiter#state} says whether it is inside its read. A signaller claims it
 * (IN to SIGNALLING) before tgkill(2) and marks it SENT after; a reader leaves by IN to OUT. A reader that finds
 * its read claimed waits for SENT and makes one system call, on whose return the kernel runs the (empty) handler
 * of the signal still pending, so no signal outlives the read it was meant for and reaches the caller's code.
 *
 * <pre>
 *   OUT --reader enters--> IN --reader leaves--> OUT
 *                           |
 *                           +--signaller claims--> SIGNALLING --tgkill(2) returned--> SENT --reader takes it--> OUT
 *                                                     ^                                  |
 *                                                     +---- still inside after 1 ms -----+  (sent again)
 * </pre>
 *
 * A signal that arrives after the reader entered IN but before its read(2) began runs the handler then, and the
 * read sleeps; the deadline thread finds the read still SENT a millisecond later and sends it again. So a read ends
 * at most one look of the deadline thread after its deadline, and normally at it.
 */
final class BlockingReads {
    /** The JDK's signal for ending blocking I/O ({@code INTERRUPT_SIGNAL} of its NIO): SIGRTMAX-2, 62 on Linux. */
    static final int SIGNAL = PosixSignals.SIGRTMAX_VALUE - 2;
    /**
     * The shortest time left for which a read blocks: the deadline thread sleeps at most this long, so a read
     * with at least this much time left never needs to wake it early.
     */
    static final long MIN_TIMEOUT_NANOS = Waits.SLICE_NANOS;
    /** Whether the JDK's handler is installed and ends interrupted calls with EINTR, so reads may block. */
    static final boolean AVAILABLE = probe();

    static final int OUT = 0;
    static final int IN = 1;
    static final int SIGNALLING = 2;
    static final int SENT = 3;

    /** How long a signalled read may stay inside before the deadline thread signals it again. */
    private static final long RESEND_NANOS = 1_000_000L;
    /** After this many looks without a read in progress the deadline thread sleeps until the next read. */
    private static final int IDLE_LOOKS = 20;

    private static final CopyOnWriteArrayList<Waiter> WAITERS = new CopyOnWriteArrayList<>();
    private static final int PID = PosixProcess.getpid();
    private static volatile boolean idle;
    private static Thread deadlines;

    private BlockingReads() {
    }

    private static boolean probe() {
        // The JDK installs its handler when its first channel does blocking I/O; a read of /dev/null is one.
        try (FileChannel channel = FileChannel.open(Path.of("/dev/null"))) {
            channel.read(ByteBuffer.allocate(1));
        } catch (final IOException e) {
            throw new UncheckedIOException("reading /dev/null failed: " + e.getMessage(), e);
        }
        return PosixSignals.interruptsCalls(SIGNAL);
    }

    /**
     * Opens a second, blocking open file description of a pipe or FIFO that {@code fd} is open for reading: reads
     * of both take from the same pipe; this one sleeps in read(2) while the pipe is empty.
     *
     * @param fd a descriptor open for reading.
     * @return the new descriptor (close-on-exec), or -1 when it cannot be opened (the caller waits in poll(2)).
     */
    static int openBlocking(final int fd) {
        // Opening /proc/self/fd/N opens the pipe itself anew; O_NONBLOCK so that a FIFO without a writer does not
        // hold the open, then cleared for the reads.
        final int blocking = PosixFiles.tryOpen("/proc/self/fd/" + fd,
            PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
        if (blocking < 0) {
            return -1;
        }
        PosixFiles.setNonBlocking(blocking, false);
        return blocking;
    }

    /**
     * @return a receiver's waiter, known to the deadline thread until {@link Waiter#retire()}.
     */
    static Waiter register() {
        final Waiter waiter = new Waiter();
        WAITERS.add(waiter);
        startDeadlines();
        return waiter;
    }

    private static synchronized void startDeadlines() {
        if (deadlines == null) {
            deadlines = Thread.ofPlatform().daemon().name("ipckit-read-deadlines").start(BlockingReads::watch);
        }
    }

    /**
     * The deadline thread: signals the reads whose deadline passed or whose thread was interrupted, sleeping until
     * the earliest deadline (at most one slice) while reads are in progress, and until the next read once none
     * was for {@link #IDLE_LOOKS} looks.
     */
    private static void watch() {
        int looksWithoutReads = 0;
        while (true) {
            final long now = System.nanoTime();
            long next = now + Waits.SLICE_NANOS;
            boolean reading = false;
            for (final Waiter waiter : WAITERS) {
                final int state = waiter.state;
                if (state == OUT) {
                    continue;
                }
                reading = true;
                if (state == SENT) {
                    // Signalled and still inside: the signal came before its read(2) began (its handler ran, and the
                    // read then slept). Send it again.
                    if (now - waiter.signalledAt >= RESEND_NANOS) {
                        waiter.claim(SENT);
                    }
                    continue;
                }
                final long deadline = waiter.deadline;
                final Thread thread = waiter.thread;
                if (now - deadline >= 0 || thread != null && thread.isInterrupted()) {
                    waiter.signal();
                } else if (deadline - next < 0) {
                    next = deadline;
                }
            }
            if (reading) {
                looksWithoutReads = 0;
            } else if (++looksWithoutReads >= IDLE_LOOKS) {
                idle = true; // then look again: a reader that entered meanwhile either is seen here or sees idle
                if (!anyReading()) {
                    LockSupport.park();
                }
                idle = false;
                looksWithoutReads = 0;
                continue;
            }
            LockSupport.parkNanos(Math.max(1, next - now));
        }
    }

    private static boolean anyReading() {
        for (final Waiter waiter : WAITERS) {
            if (waiter.state != OUT) {
                return true;
            }
        }
        return false;
    }

    /**
     * One receiver's blocking reads: used by one thread at a time, signalled by the deadline thread and by a
     * closing thread.
     */
    static final class Waiter {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int state;
        volatile long deadline;
        volatile Thread thread;
        volatile long signalledAt;
        private volatile int tid;
        /** The last thread that asked, and whether it may block (the signal unblocked, a platform thread). */
        private Thread asked;
        private boolean askedMayBlock;

        /**
         * @return whether the calling thread may sleep in a blocking read: a platform thread that does not block
         *     {@link #SIGNAL}. Asks the kernel once per thread.
         */
        boolean mayBlock() {
            final Thread current = Thread.currentThread();
            if (current != asked) {
                asked = current;
                askedMayBlock = AVAILABLE && !current.isVirtual() && !PosixSignals.blockedInThisThread(SIGNAL);
                if (askedMayBlock) {
                    tid = PosixProcess.gettid();
                }
            }
            return askedMayBlock;
        }

        /**
         * One read(2) that sleeps until bytes arrive, end of file, or a signal; only after {@link #mayBlock()}
         * said yes on this thread.
         *
         * @param fd the blocking descriptor ({@link #openBlocking(int)}).
         * @param buffer native memory.
         * @param offset where the bytes go.
         * @param length at most this many bytes.
         * @param deadlineNanos when the deadline thread ends the read ({@link System#nanoTime()}); at least
         *     {@link #MIN_TIMEOUT_NANOS} away.
         * @return bytes read, 0 at end of file, or a negative errno ({@code -EINTR}: the deadline, an interrupt or
         *     a close; the caller looks at each).
         */
        long read(final int fd, final MemorySegment buffer, final long offset, final long length,
                  final long deadlineNanos) {
            if (thread != asked) {
                thread = asked; // the deadline thread reads it for interrupts; it changes only with the thread
            }
            deadline = deadlineNanos;
            state = IN;
            if (idle) {
                LockSupport.unpark(deadlines);
            }
            final long n = PosixFiles.read(fd, buffer, offset, length);
            if (!STATE.compareAndSet(this, IN, OUT)) {
                settle();
            }
            return n;
        }

        /**
         * A signaller claimed this read: waits until its signal is sent, then lets one system call's return run the
         * handler of the signal if it is still pending, so that the signal ends here and not in the caller's next
         * blocking call. A signaller that could not send gives the read back (IN).
         */
        private void settle() {
            while (true) {
                final int now = state;
                if (now == IN && STATE.compareAndSet(this, IN, OUT)) {
                    return;
                }
                if (now == SENT) {
                    PosixProcess.gettid();
                    if (STATE.compareAndSet(this, SENT, OUT)) {
                        return;
                    }
                }
                Thread.onSpinWait();
            }
        }

        /**
         * Ends the read in progress, if there is one; any thread.
         *
         * @return whether a read was in progress and was sent the signal.
         */
        boolean signal() {
            return claim(IN);
        }

        /**
         * @param from IN, or SENT for a read signalled before its read(2) began.
         * @return whether the signal was sent.
         */
        private boolean claim(final int from) {
            if (!STATE.compareAndSet(this, from, SIGNALLING)) {
                return false;
            }
            signalledAt = System.nanoTime();
            final int r = PosixSignals.tgkill(PID, tid, SIGNAL);
            // A thread gone (ESRCH) has no read left to end; any other failure (EAGAIN: the queue of real-time
            // signals is full) gives the read back, and a later look tries again.
            state = r == 0 || r == -Errno.ESRCH ? SENT : from;
            return r == 0;
        }

        /**
         * Forgets this waiter: its receiver is released and reads no more.
         */
        void retire() {
            WAITERS.remove(this);
        }
    }
}
