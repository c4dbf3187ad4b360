package dev.ipckit.signal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * The calling thread's signal mask, shared by every waiter on that thread: a signal is blocked while at least
 * one holder needs it, and unblocked again when the last one lets go, unless it was blocked before the first
 * hold. One thread may thus wait on several channels and doorbells that use the same signal.
 *
 * <p>Each thread gets its own instance ({@link #current()}); its signal sets are allocated once, so holding and
 * releasing allocate nothing after a thread's first use of a signal.
 */
final class ThreadSignalMask {
    private static final ThreadLocal<ThreadSignalMask> CURRENT = ThreadLocal.withInitial(ThreadSignalMask::new);

    private final Thread thread = Thread.currentThread();
    private final int tid = PosixProcess.gettid();
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment previous = arena.allocate(PosixSignals.SIGSET_SIZE, 8);
    private final MemorySegment[] sets = new MemorySegment[PosixSignals.SIGRTMAX_VALUE + 1];
    private final int[] holds = new int[PosixSignals.SIGRTMAX_VALUE + 1];
    private final boolean[] blockedBefore = new boolean[PosixSignals.SIGRTMAX_VALUE + 1];

    private ThreadSignalMask() {
    }

    /**
     * @return the calling thread's mask.
     * @throws IllegalStateException on a virtual thread, whose carrier thread (mask and thread id) may change.
     */
    static ThreadSignalMask current() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("signal wake-ups need a platform thread: " + Thread.currentThread()
                + " is virtual and moves between carrier threads, whose signal masks and thread ids it does not own; "
                + "wait on a platform thread, or use wait=futex");
        }
        return CURRENT.get();
    }

    /**
     * @return the thread this mask belongs to.
     */
    Thread thread() {
        return thread;
    }

    /**
     * @return the Linux thread id of that thread.
     */
    int tid() {
        return tid;
    }

    /**
     * @param signal a signal number.
     * @return a set holding only {@code signal}, allocated on first use.
     */
    MemorySegment set(final int signal) {
        MemorySegment set = sets[signal];
        if (set == null) {
            set = PosixSignals.sigset(arena, signal);
            sets[signal] = set;
        }
        return set;
    }

    /**
     * @param signal a signal number.
     * @return whether a holder on this thread currently blocks it.
     */
    boolean isHeld(final int signal) {
        return holds[signal] > 0;
    }

    /**
     * Blocks {@code signal} in this thread (pthread_sigmask) unless a holder already did.
     *
     * @param signal the signal.
     */
    void hold(final int signal) {
        if (holds[signal] == 0) {
            PosixSignals.pthreadSigmask(PosixSignals.SIG_BLOCK, set(signal), previous);
            blockedBefore[signal] = PosixSignals.isMember(previous, signal);
        }
        holds[signal]++;
    }

    /**
     * Lets go of one hold; the last one unblocks {@code signal}, unless the thread blocked it before the first
     * hold. A wake-up still pending then is discarded, because the signal is ignored (see {@link WakeSignal}).
     *
     * @param signal the signal.
     */
    void release(final int signal) {
        if (holds[signal] == 0) {
            throw new IllegalStateException(PosixSignals.name(signal) + " is not held by " + thread);
        }
        if (--holds[signal] == 0 && !blockedBefore[signal]) {
            PosixSignals.pthreadSigmask(PosixSignals.SIG_UNBLOCK, set(signal), MemorySegment.NULL);
        }
    }
}
