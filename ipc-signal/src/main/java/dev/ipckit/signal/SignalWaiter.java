package dev.ipckit.signal;

import java.lang.foreign.MemorySegment;
import java.util.function.IntPredicate;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.spi.WakeupProvider;

/**
 * The sleeping side of signal wake-ups, bound to the thread that opened it.
 *
 * <p>Opening makes strays harmless for the process ({@link WakeSignal#ignoreStrays}) and blocks the signal in
 * the calling thread's mask, so that a wake-up sent before the thread sleeps stays pending instead of being
 * lost. {@link #await} sleeps in sigtimedwait(2) for that one signal and takes a wake-up only when its sender
 * ({@code si_pid}) is accepted; any other is counted in {@link #strangersIgnored()} and the sleep goes on
 * until the deadline. {@link #close()} restores the mask. The caller owns the shared waiting word and
 * publishes {@link #tid()} and {@link #token()} where wakers find them.
 *
 * <p>Several waiters may live on one thread (one per channel); the signal stays blocked until the last of
 * them closes. Waiters need a platform thread. A thread started by the waiting thread while the signal is
 * blocked inherits the block, as pthread_create passes on every mask; that is harmless, since wake-ups are sent
 * to one thread id and strays of the signal are ignored.
 */
public final class SignalWaiter implements WakeupProvider.Waiter {
    private final int signal;
    private final int tid;
    private final ThreadSignalMask mask;
    private final MemorySegment set;
    private long strangersIgnored;
    private boolean closed;

    private SignalWaiter(final int signal, final ThreadSignalMask mask) {
        this.signal = signal;
        this.mask = mask;
        this.tid = mask.tid();
        this.set = mask.set(signal);
    }

    /**
     * Prepares the calling thread to sleep until {@code signal} arrives.
     *
     * @param signal a usable signal ({@link WakeSignal#isUsable}).
     * @return the waiter; close it on this thread.
     * @throws IllegalArgumentException when the signal is refused.
     * @throws IllegalStateException on a virtual thread, or when the signal has a handler in this process.
     */
    public static SignalWaiter open(final int signal) {
        WakeSignal.require(signal);
        final ThreadSignalMask mask = ThreadSignalMask.current();
        WakeSignal.ignoreStrays(signal);
        mask.hold(signal);
        return new SignalWaiter(signal, mask);
    }

    /**
     * @return the Linux thread id of the waiting thread, for the shared header.
     */
    @Override
    public int tid() {
        return tid;
    }

    /**
     * @return the signal number, for the shared header: wakers send exactly this signal.
     */
    @Override
    public int token() {
        return signal;
    }

    /**
     * @return the signal this waiter sleeps on.
     */
    public int signal() {
        return signal;
    }

    /**
     * Sleeps in sigtimedwait until an accepted wake-up arrives or the timeout passes. Signals from senders that
     * {@code acceptFrom} refuses are dropped and the sleep resumes for the time left. Allocates nothing.
     *
     * @param timeoutNanos the longest sleep, not negative; 0 only collects a wake-up already pending.
     * @param acceptFrom tells whether the pid that sent a signal may wake this thread.
     * @return true when an accepted wake-up arrived (possibly one sent for an earlier sleep), false on timeout.
     * @throws IllegalStateException when called on another thread than the one that opened the waiter, or
     *     after close.
     */
    @Override
    public boolean await(final long timeoutNanos, final IntPredicate acceptFrom) {
        checkThread("await");
        if (closed) {
            throw new IllegalStateException("the signal waiter of thread " + tid + " is closed");
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeoutNanos=" + timeoutNanos + " is negative");
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        long remaining = timeoutNanos;
        while (true) {
            final int r = PosixSignals.sigtimedwait(set, remaining);
            if (r == signal) {
                if (acceptFrom.test(PosixSignals.senderPid())) {
                    return true;
                }
                strangersIgnored++;
            } else if (r == -Errno.EAGAIN) {
                return false;
            } else if (r != -Errno.EINTR) {
                throw new NativeException("sigtimedwait", PosixSignals.name(signal) + ", timeout=" + remaining + "ns",
                    -r);
            }
            remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
        }
    }

    /**
     * @return how many signals from senders that were not accepted this waiter has collected and dropped.
     */
    public long strangersIgnored() {
        return strangersIgnored;
    }

    /**
     * Restores the thread's signal mask (unless another waiter on this thread still needs the signal blocked).
     * Idempotent.
     *
     * @throws IllegalStateException when called on another thread than the one that opened the waiter.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkThread("close");
        closed = true;
        mask.release(signal);
    }

    private void checkThread(final String call) {
        if (Thread.currentThread() != mask.thread()) {
            throw new IllegalStateException(call + "() on " + Thread.currentThread() + ", but this signal waiter "
                + "belongs to " + mask.thread() + " (tid " + tid + "): a signal mask is per thread, so open, await "
                + "and close the waiter on the same thread");
        }
    }
}
