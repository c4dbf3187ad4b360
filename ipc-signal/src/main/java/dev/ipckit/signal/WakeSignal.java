package dev.ipckit.signal;

import dev.ipckit.ChannelUri;
import dev.ipckit.posix.PosixSignals;

/**
 * Which signal wakes a sleeping thread, and the one-time set-up that makes that signal safe inside a JVM.
 *
 * <p>The default is {@link #DEFAULT_NAME SIGRTMIN+4}. Any real-time signal from SIGRTMIN to SIGRTMAX, and
 * SIGUSR1, may be chosen with the URI option {@code signal=} (names as {@link PosixSignals#parse} reads them:
 * {@code SIGRTMIN+4}, {@code RTMIN+4}, {@code SIGUSR1}, {@code USR1}, or a number). Real-time signals are
 * preferred: each one sent is queued, whereas a pending SIGUSR1 absorbs a second SIGUSR1, so a stranger's
 * SIGUSR1 that is still pending can hide a wake-up until the waiter's bounded sleep ends.
 *
 * <p>Refused, each with the reason in the error:
 * <ul>
 *   <li>the signals the JVM uses: SIGSEGV, SIGBUS, SIGFPE, SIGILL (implicit exceptions, safepoints, faults on
 *       mapped files), SIGPIPE and SIGXFSZ (turned into I/O errors), SIGQUIT (thread dumps), SIGUSR2 (thread
 *       suspension), SIGHUP, SIGINT and SIGTERM (shutdown hooks);</li>
 *   <li>SIGKILL and SIGSTOP, which cannot be blocked or ignored;</li>
 *   <li>the real-time signals below SIGRTMIN that glibc keeps for its own threads (thread cancellation and
 *       set*id calls across threads);</li>
 *   <li>every other classic signal, because each has a meaning of its own (SIGCHLD reports child processes,
 *       SIGALRM and SIGPROF belong to timers and profilers, ...) that ignoring it process-wide would break.</li>
 * </ul>
 *
 * <h2>Strays</h2>
 * A waiting thread blocks the signal and collects it with sigtimedwait; before that, {@link #ignoreStrays}
 * sets the signal's disposition to SIG_IGN for the whole process. The kernel (kernel/signal.c,
 * {@code sig_ignored}) then decides at send time:
 * <ul>
 *   <li>a thread-directed signal (tgkill) to a thread that blocks it is queued, ignored or not, because
 *       "blocked signals are never ignored": the waiter collects it;</li>
 *   <li>a process-directed signal ({@code kill -s RTMIN+4 PID} from a shell) is tested against the mask of
 *       the process's main thread, the thread whose id is the pid. That thread does not block the signal (a
 *       JVM's main thread is the launcher's, which waits for the VM to end), so the signal is discarded
 *       before it is queued: it neither kills the JVM nor reaches a waiter;</li>
 *   <li>should the main thread block it too (a mask inherited from the parent across exec), the stray is
 *       queued for the process and a waiter may collect it; the waiter then sees a sender pid it does not
 *       accept ({@code si_pid}, which the kernel fills in for kill and tgkill) and drops it;</li>
 *   <li>a late wake-up to a thread that no longer blocks the signal is discarded too. Without SIG_IGN, the
 *       default action of every signal accepted here is to terminate the process.</li>
 * </ul>
 * The disposition stays SIG_IGN for the life of the process (a late wake-up may arrive at any time), and
 * child processes inherit it across exec, as they inherit every ignored signal.
 */
public final class WakeSignal {
    /** The URI option that names the signal. */
    public static final String OPTION = "signal";
    /** The default signal's name. */
    public static final String DEFAULT_NAME = "SIGRTMIN+4";
    /** The default signal's number: SIGRTMIN+4 as glibc numbers it. */
    public static final int DEFAULT = PosixSignals.SIGRTMIN_VALUE + 4;

    private static final String SHUTDOWN = "the JVM uses it to start an orderly shutdown and run shutdown hooks";
    private static final String[] REFUSALS = refusals();

    private WakeSignal() {
    }

    private static String[] refusals() {
        final String[] why = new String[PosixSignals.SIGRTMAX_VALUE + 1];
        why[PosixSignals.SIGHUP] = SHUTDOWN;
        why[PosixSignals.SIGINT] = SHUTDOWN;
        why[PosixSignals.SIGTERM] = SHUTDOWN;
        why[PosixSignals.SIGQUIT] = "the JVM uses it to print a thread dump (kill -3)";
        why[PosixSignals.SIGILL] = "the JVM uses it for traps in compiled code and must keep its own handler";
        why[PosixSignals.SIGFPE] = "the JVM uses it to turn an integer division by zero into ArithmeticException";
        why[PosixSignals.SIGSEGV] = "the JVM uses it for implicit null checks, stack overflow detection and "
            + "safepoint polls";
        why[PosixSignals.SIGBUS] = "the JVM uses it to turn a fault on a truncated mapped file into an error";
        why[PosixSignals.SIGPIPE] = "the JVM uses it so that writing to a closed pipe or socket fails with EPIPE "
            + "instead of ending the process";
        why[PosixSignals.SIGUSR2] = "the JVM uses it to suspend and resume threads";
        why[25] = "the JVM uses it (SIGXFSZ) so that writing past the file-size limit fails with EFBIG instead of "
            + "ending the process";
        why[PosixSignals.SIGKILL] = "it cannot be caught, blocked or ignored";
        why[PosixSignals.SIGSTOP] = "it cannot be caught, blocked or ignored";
        why[5] = "debuggers use it (SIGTRAP) for breakpoints";
        why[PosixSignals.SIGABRT] = "abort() raises it, the JVM's fatal-error path included";
        why[PosixSignals.SIGALRM] = "it belongs to alarm(2) and timers";
        why[16] = "it is reserved (SIGSTKFLT)";
        why[PosixSignals.SIGCHLD] = "ignoring it would make the kernel reap child processes at once, and "
            + "Process.waitFor could no longer see their exit codes";
        why[PosixSignals.SIGCONT] = "it resumes stopped processes (job control)";
        why[20] = "terminal job control uses it (SIGTSTP)";
        why[21] = "terminal job control uses it (SIGTTIN)";
        why[22] = "terminal job control uses it (SIGTTOU)";
        why[23] = "it reports urgent data on sockets (SIGURG)";
        why[24] = "it enforces the CPU-time limit (SIGXCPU)";
        why[26] = "timers and profilers use it (SIGVTALRM)";
        why[27] = "profilers use it (SIGPROF)";
        why[28] = "terminals use it to report a new window size (SIGWINCH)";
        why[29] = "it reports asynchronous I/O readiness (SIGIO)";
        why[30] = "it reports a power failure (SIGPWR)";
        why[31] = "seccomp filters raise it for refused system calls (SIGSYS)";
        for (int signal = 32; signal < PosixSignals.SIGRTMIN_VALUE; signal++) {
            why[signal] = "glibc reserves it for its own threads (cancellation and set*id calls across threads); "
                + "SIGRTMIN is " + PosixSignals.SIGRTMIN_VALUE;
        }
        return why;
    }

    /**
     * @param signal a signal number.
     * @return why {@code signal} cannot wake receivers, or null when it can (SIGUSR1, SIGRTMIN..SIGRTMAX).
     */
    public static String refusal(final int signal) {
        if (signal < 1 || signal >= REFUSALS.length) {
            return "it is not a signal number (1.." + PosixSignals.SIGRTMAX_VALUE + ")";
        }
        return REFUSALS[signal];
    }

    /**
     * @param signal a signal number.
     * @return whether it may wake receivers. Allocates nothing.
     */
    public static boolean isUsable(final int signal) {
        return signal > 0 && signal < REFUSALS.length && REFUSALS[signal] == null;
    }

    /**
     * Parses and checks a signal name.
     *
     * @param text such as {@code SIGRTMIN+4}, {@code SIGUSR1} or {@code 38}.
     * @return the signal number.
     * @throws IllegalArgumentException {@code signal=TEXT ...} for an unknown name or a refused signal, with the
     *     reason.
     */
    public static int parse(final String text) {
        final int signal;
        try {
            signal = PosixSignals.parse(text);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(OPTION + "=" + text + " is not a signal: " + e.getMessage() + "; "
                + advice(), e);
        }
        final String why = refusal(signal);
        if (why != null) {
            throw new IllegalArgumentException(OPTION + "=" + text + " is refused: " + why + "; " + advice());
        }
        return signal;
    }

    /**
     * Reads the {@code signal=} option of a URI.
     *
     * @param uri a channel URI.
     * @return the signal number; {@link #DEFAULT} when the option is absent.
     * @throws IllegalArgumentException {@code signal=TEXT in 'URI' ...} for an unknown or refused signal.
     */
    public static int fromUri(final ChannelUri uri) {
        final String text = uri.string(OPTION, null);
        if (text == null) {
            return DEFAULT;
        }
        final int signal;
        try {
            signal = PosixSignals.parse(text);
        } catch (final IllegalArgumentException e) {
            throw uri.bad(OPTION, text, "is not a signal: " + e.getMessage() + "; " + advice());
        }
        final String why = refusal(signal);
        if (why != null) {
            throw uri.bad(OPTION, text, "is refused: " + why + "; " + advice());
        }
        return signal;
    }

    /**
     * Checks a signal number, e.g. one read from a shared file.
     *
     * @param signal the number.
     * @return {@code signal}.
     * @throws IllegalArgumentException naming the signal and the reason when it may not wake receivers.
     */
    public static int require(final int signal) {
        final String why = refusal(signal);
        if (why != null) {
            throw new IllegalArgumentException(OPTION + "=" + PosixSignals.name(signal) + " is refused: " + why + "; "
                + advice());
        }
        return signal;
    }

    /**
     * Makes stray signals of this number harmless for this process: sets its disposition to SIG_IGN unless it
     * is ignored already (see the class comment for what the kernel then does). Called before a thread first
     * waits for the signal; cheap to call again.
     *
     * @param signal a usable signal.
     * @throws IllegalArgumentException when the signal is refused.
     * @throws IllegalStateException when the application or a library has installed a handler for it.
     */
    public static synchronized void ignoreStrays(final int signal) {
        require(signal);
        final long handler = PosixSignals.handler(signal);
        if (handler == PosixSignals.SIG_IGN) {
            return;
        }
        if (handler != PosixSignals.SIG_DFL) {
            throw new IllegalStateException(PosixSignals.name(signal) + " already has a handler in this process "
                + "(installed by the application or a library, e.g. through sun.misc.Signal); signal wake-ups need it "
                + "ignored so that stray and late signals cannot reach that handler; choose another " + OPTION + "=");
        }
        PosixSignals.setIgnored(signal, true);
    }

    private static String advice() {
        final int last = PosixSignals.SIGRTMAX_VALUE - PosixSignals.SIGRTMIN_VALUE;
        return "use a real-time signal SIGRTMIN+0..SIGRTMIN+" + last + " (default " + DEFAULT_NAME + ") or SIGUSR1";
    }
}
