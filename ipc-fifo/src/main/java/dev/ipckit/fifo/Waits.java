package dev.ipckit.fifo;

import java.util.concurrent.locks.LockSupport;

import dev.ipckit.posix.PosixPipes;

/**
 * How the ends wait for their descriptor: in poll(2) ({@code wait=block}) or by returning at once so that the
 * caller retries its non-blocking call ({@code wait=spin}). Allocates nothing. A {@code wait=block} receiver with
 * at least {@link #SLICE_NANOS} left sleeps in read(2) instead ({@link BlockingReads}).
 */
final class Waits {
    /**
     * The longest single poll(2) of a timed call, so that a close from another thread ends the wait soon: that
     * close waits for the waiting thread to leave before it closes the descriptor.
     */
    static final long SLICE_NANOS = 50_000_000L;

    private Waits() {
    }

    /**
     * Waits until {@code fd} is ready for {@code events}, an error or hang-up is pending, or the time is up.
     * A spinning end only hints the processor and returns: its next non-blocking call is the check.
     *
     * @param fd the descriptor.
     * @param events POLLIN or POLLOUT.
     * @param remainingNanos the longest wait, more than 0.
     * @param spin whether to spin instead of sleeping.
     */
    static void await(final int fd, final short events, final long remainingNanos, final boolean spin) {
        if (spin) {
            Thread.onSpinWait();
            return;
        }
        // A negative result (EINTR) simply returns: the caller re-checks and comes back.
        PosixPipes.poll(fd, events, pollMillis(remainingNanos));
    }

    /**
     * @param nanos a positive wait.
     * @return the wait in whole milliseconds for poll(2), rounded up so that a short wait still sleeps.
     */
    static int pollMillis(final long nanos) {
        final long millis = (nanos + 999_999) / 1_000_000;
        return (int) Math.min(Math.max(millis, 1), Integer.MAX_VALUE);
    }

    /**
     * Pauses between two attempts of something that has no descriptor to wait on (an open that waits for its
     * peer, a child that has not exited yet), backing off from about 50 microseconds to 10 milliseconds.
     *
     * @param attempt how many attempts failed so far.
     * @param remainingNanos the longest pause.
     */
    static void backOff(final int attempt, final long remainingNanos) {
        final long pause = Math.min(FifoConfiguration.OPEN_RETRY_MIN_NANOS << Math.min(attempt, 16),
            FifoConfiguration.OPEN_RETRY_MAX_NANOS);
        LockSupport.parkNanos(Math.max(1, Math.min(pause, remainingNanos)));
    }
}
