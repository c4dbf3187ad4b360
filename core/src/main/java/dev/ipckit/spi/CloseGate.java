package dev.ipckit.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a channel end needs so that {@code close()} never releases memory or a descriptor that a call in progress
 * still uses. An end is used by one thread at a time, with two exceptions this gate makes safe:
 *
 * <ul>
 *   <li>the end's own handler may close it: the end stops delivering, and releases its resources when the poll
 *       that ran the handler returns ({@link #endCallback()} says so);</li>
 *   <li>another thread may close an end while it waits in a timed call ({@code poll} or {@code offer} with a
 *       timeout): {@link #close(long)} waits until the waiting thread has left, which it does at its next look at
 *       {@link #isClosed()} (each wait is a slice of bounded length), throwing {@code ChannelClosedException}.
 *       Should the waiter not leave in time (a handler that runs on), the waiter releases the end when it does
 *       ({@link #endWait()} says so).</li>
 * </ul>
 *
 * Ends use it through {@link ChannelEnd}, which holds one gate and the shape of close and of a timed call around
 * it; nothing else should need it directly.
 *
 * The waiting thread and the closing thread meet Dekker-style: the waiter publishes itself, then reads the flag;
 * the closer sets the flag, then reads the waiter; both are volatile, so at least one sees the other. Nothing
 * here runs per message: a timed call publishes itself only once it has to wait, and a poll pays two plain stores
 * and one volatile load.
 */
public final class CloseGate {
    /** How long {@link #close(long)} waits, at most, for a waiting thread to leave, by default. */
    public static final long DEFAULT_LEAVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean deferred = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread waiter;

    private static final java.lang.invoke.VarHandle WAITER;

    static {
        try {
            WAITER = java.lang.invoke.MethodHandles.lookup().findVarHandle(CloseGate.class, "waiter", Thread.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private Thread inCallback;

    /**
     * @return whether close has begun. One volatile read.
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The calling thread is about to wait in a timed call.
     *
     * @return false when the end is closed already: the caller must not touch its resources, and must still call
     *     {@link #endWait()}.
     */
    public boolean beginWait() {
        waiter = Thread.currentThread();
        return !closed;
    }

    /**
     * The calling thread has stopped waiting; call it in a {@code finally}.
     *
     * @return true when a close handed the release of the end to this thread: release it now.
     */
    public boolean endWait() {
        // A release store, not a volatile one: a closer that still reads the old value only waits a little longer
        // (it parks and looks again), and the flags below decide the release exactly once either way.
        WAITER.setRelease(this, (Thread) null);
        return closed && deferred.compareAndSet(true, false);
    }

    /**
     * The calling thread is about to run the end's handler (inside a poll). A plain store: only the same thread
     * reads it back, in a {@link #close(long)} called from that handler.
     */
    public void beginCallback() {
        inCallback = Thread.currentThread();
    }

    /**
     * The handler calls of a poll are over; call it in a {@code finally}.
     *
     * @return true when the handler closed the end: release it now.
     */
    public boolean endCallback() {
        inCallback = null;
        return closed && deferred.compareAndSet(true, false);
    }

    /**
     * Starts closing the end. Holds no lock while it waits, so the waiting thread can always get out.
     *
     * @param leaveTimeoutNanos how long to wait, at most, for a thread waiting in a timed call to leave.
     * @return true when the caller must release the end now; false when it was closed before, or when the
     *     release is left to the thread in the call (the end's own handler closed it, or a waiter did not leave
     *     in time).
     */
    public boolean close(final long leaveTimeoutNanos) {
        return close(leaveTimeoutNanos, null);
    }

    /**
     * {@link #close(long)}, ending a wait that no look at {@link #isClosed()} would end soon: once the end is marked
     * closed and before this thread waits for the waiter to leave, {@code wakeWaiter} runs (for a thread asleep in a
     * blocking system call, a signal that ends it).
     *
     * @param leaveTimeoutNanos how long to wait, at most, for a thread waiting in a timed call to leave.
     * @param wakeWaiter run once when another thread may be waiting, or null.
     * @return as {@link #close(long)}.
     */
    public boolean close(final long leaveTimeoutNanos, final Runnable wakeWaiter) {
        if (!closing.compareAndSet(false, true)) {
            return false;
        }
        closed = true;
        final Thread current = Thread.currentThread();
        if (inCallback == current) {
            deferred.set(true);
            return false;
        }
        final long deadline = System.nanoTime() + leaveTimeoutNanos;
        Thread waiting = waiter;
        if (wakeWaiter != null && waiting != null && waiting != current) {
            wakeWaiter.run();
        }
        while (waiting != null && waiting != current) {
            if (System.nanoTime() - deadline > 0) {
                // Leave the release to the waiter; if it left meanwhile, exactly one of us wins the flag back.
                deferred.set(true);
                return waiter == null && deferred.compareAndSet(true, false);
            }
            LockSupport.parkNanos(100_000L);
            waiting = waiter;
        }
        return true;
    }
}
