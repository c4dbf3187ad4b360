package dev.ipckit.signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.spi.WakeupProvider;

/**
 * The waking side of signal wake-ups: one thread-directed signal, tgkill(2), to the thread a waiter published.
 * Stateless and safe to share between threads; allocates nothing unless the signal cannot be sent.
 *
 * <p>tgkill rather than rt_tgsigqueueinfo: with tgkill the kernel fills in the sender's pid ({@code si_pid}),
 * which is what waiters check, whereas rt_tgsigqueueinfo lets the sender write any pid it likes. The signal
 * sent is the one the waiter published (its token), after checking that it is a usable wake-up signal, so a
 * damaged shared header can never make a waker send SIGKILL or SIGTERM.
 *
 * <h2>A full signal queue (EAGAIN)</h2>
 * A real-time signal needs a queue entry, and the kernel counts every pending queued signal of the receiving
 * user, in all of that user's processes, against the receiver's RLIMIT_SIGPENDING ({@code ulimit -i}). When the
 * count is at the limit, tgkill fails with EAGAIN and sends nothing. That is not harmless: the waking protocol
 * sends one wake-up per sleep (the waker that clears the waiting word sends it), so a full queue does not mean
 * that a wake-up of ours is already pending for this receiver, and the receiver would only notice the new data
 * when its bounded sleep ends. {@link #wake} therefore throws a {@link NativeException} naming the limit, while
 * whatever the caller published stays published.
 */
public final class SignalWaker implements WakeupProvider.Waker {

    /**
     * A waker. All wakers behave alike; the URI's {@code signal=} only matters on the waiting side.
     */
    public SignalWaker() {
    }

    /**
     * Sends {@code token} (a signal number) to thread {@code tid} of process {@code pid}.
     *
     * @param pid the receiver's process id.
     * @param tid the receiver's thread id.
     * @param token the signal the receiver published.
     * @return true when sent, false when that thread no longer exists (ESRCH).
     * @throws IllegalArgumentException when {@code token} is not a usable wake-up signal.
     * @throws NativeException when the signal cannot be sent: EAGAIN (the receiver's queue of pending signals
     *     is full), EPERM (the receiver runs as another user).
     */
    @Override
    public boolean wake(final int pid, final int tid, final int token) {
        return send(pid, tid, token) == 0;
    }

    /**
     * Sends the wake-up signal.
     *
     * @param pid the receiver's process id.
     * @param tid the receiver's thread id.
     * @param signal the signal the receiver blocks and waits for.
     * @return 0 when sent, {@code -ESRCH} when the thread no longer exists.
     */
    static int send(final int pid, final int tid, final int signal) {
        if (!WakeSignal.isUsable(signal)) {
            throw new IllegalArgumentException("the waiter published signal " + signal + " ("
                + PosixSignals.name(signal) + "), which is not a wake-up signal: " + WakeSignal.refusal(signal)
                + "; the shared header is damaged or was written by another program");
        }
        final int r = PosixSignals.tgkill(pid, tid, signal);
        if (r == 0 || r == -Errno.ESRCH) {
            return r;
        }
        throw failure(pid, tid, signal, -r);
    }

    private static NativeException failure(final int pid, final int tid, final int signal, final int errno) {
        final String argument = "pid=" + pid + ", tid=" + tid + ", " + PosixSignals.name(signal);
        final String sentence = switch (errno) {
            case Errno.EAGAIN -> "the receiving user's queue of pending signals is full: process " + pid + " allows "
                + pendingLimit(pid) + " (RLIMIT_SIGPENDING, 'ulimit -i'); the receiver notices this wake-up only "
                + "when its bounded sleep ends; raise 'ulimit -i' where the receiver starts, or find the process of "
                + "that user that leaves signals pending (SigQ in /proc/PID/status)";
            case Errno.EPERM -> "this process may not signal process " + pid + ": run both ends as the same user "
                + "(or give the sender CAP_KILL)";
            case Errno.EINVAL -> "the signal or the ids are invalid";
            default -> null;
        };
        return new NativeException("tgkill", argument, errno, sentence);
    }

    private static String pendingLimit(final int pid) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
                if (line.startsWith("Max pending signals")) {
                    final String[] words = line.substring("Max pending signals".length()).trim().split("\\s+");
                    return words[0] + " pending signals";
                }
            }
        } catch (final IOException | RuntimeException e) {
            return "a limit that cannot be read (" + e.getMessage() + ")";
        }
        return "a limit that /proc/" + pid + "/limits does not show";
    }
}
