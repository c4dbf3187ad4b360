package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Signals: numbers and names, signal sets, pthread_sigmask, sigtimedwait, tgkill, sigqueue,
 * rt_tgsigqueueinfo and the disposition (signal(3), and sigaction(2) to read it).
 */
public final class PosixSignals {
    /** Hang-up; the JVM's shutdown signal. */
    public static final int SIGHUP = 1;
    /** Interrupt (Ctrl-C); the JVM's shutdown signal. */
    public static final int SIGINT = 2;
    /** Quit; the JVM prints thread dumps on it. */
    public static final int SIGQUIT = 3;
    /** Illegal instruction; used by the JVM. */
    public static final int SIGILL = 4;
    /** Abort. */
    public static final int SIGABRT = 6;
    /** Bus error; used by the JVM. */
    public static final int SIGBUS = 7;
    /** Floating point exception; used by the JVM. */
    public static final int SIGFPE = 8;
    /** Kill; cannot be caught. */
    public static final int SIGKILL = 9;
    /** User signal 1. */
    public static final int SIGUSR1 = 10;
    /** Segmentation fault; used by the JVM. */
    public static final int SIGSEGV = 11;
    /** User signal 2; used by the JVM. */
    public static final int SIGUSR2 = 12;
    /** Broken pipe; the JVM handles it. */
    public static final int SIGPIPE = 13;
    /** Alarm. */
    public static final int SIGALRM = 14;
    /** Terminate; the JVM's shutdown signal. */
    public static final int SIGTERM = 15;
    /** Child stopped or exited. */
    public static final int SIGCHLD = 17;
    /** Continue. */
    public static final int SIGCONT = 18;
    /** Stop; cannot be caught. */
    public static final int SIGSTOP = 19;
    /** pthread_sigmask: add to the mask. */
    public static final int SIG_BLOCK = 0;
    /** pthread_sigmask: remove from the mask. */
    public static final int SIG_UNBLOCK = 1;
    /** pthread_sigmask: replace the mask. */
    public static final int SIG_SETMASK = 2;
    /** si_code of a signal sent by kill(2). */
    public static final int SI_USER = 0;
    /** si_code of a signal sent by sigqueue(3) or rt_tgsigqueueinfo(2). */
    public static final int SI_QUEUE = -1;
    /** si_code of a signal sent by tkill/tgkill(2). */
    public static final int SI_TKILL = -6;
    /** Size of a kernel-compatible sigset_t in glibc. */
    public static final long SIGSET_SIZE = 128;
    /** Size of siginfo_t. */
    public static final long SIGINFO_SIZE = 128;
    /** Disposition (see {@link #handler}): the default action. */
    public static final long SIG_DFL = 0;
    /** Disposition (see {@link #handler}): ignored. */
    public static final long SIG_IGN = 1;

    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
        "SIGSYS"};

    private static final long SYS_RT_TGSIGQUEUEINFO = Native.AARCH64 ? 240 : 297;

    private static final MethodHandle SIGRTMIN = Native.call("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGRTMAX = Native.call("__libc_current_sigrtmax", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGEMPTYSET = Native.call("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = Native.call("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGADDSET = Native.call("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SIGISMEMBER = Native.call("sigismember", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PTHREAD_SIGMASK = Native.call("pthread_sigmask",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGTIMEDWAIT = Native.errnoCall("sigtimedwait",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TGKILL = Native.errnoCall("tgkill",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle SIGQUEUE = Native.errnoCall("sigqueue",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle SYSCALL4 = Native.errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
        Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));
    private static final MethodHandle SIGNAL = Native.call("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SIGACTION = Native.errnoCall("sigaction",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** The first real-time signal number as glibc reserves it (after its own internal ones). */
    public static final int SIGRTMIN_VALUE = intCall(SIGRTMIN);
    /** The last real-time signal number. */
    public static final int SIGRTMAX_VALUE = intCall(SIGRTMAX);

    private PosixSignals() {
    }

    private static int intCall(final MethodHandle handle) {
        try {
            return (int) handle.invokeExact();
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @param signal a signal number.
     * @return its name, e.g. {@code SIGUSR1} or {@code SIGRTMIN+4}.
     */
    public static String name(final int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal >= SIGRTMIN_VALUE && signal <= SIGRTMAX_VALUE) {
            return signal == SIGRTMIN_VALUE ? "SIGRTMIN" : "SIGRTMIN+" + (signal - SIGRTMIN_VALUE);
        }
        return "signal " + signal;
    }

    /**
     * Parses a signal name: {@code SIGUSR1}, {@code USR1}, {@code SIGRTMIN+4}, {@code SIGRTMAX-2}, or a number.
     *
     * @param text the name.
     * @return the signal number.
     * @throws IllegalArgumentException for an unknown name or a number out of range.
     */
    public static int parse(final String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
            final int n;
            try {
                n = Integer.parseInt(name);
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a signal number");
            }
            if (n < 1 || n > SIGRTMAX_VALUE) {
                throw new IllegalArgumentException("signal " + n + " is out of range 1.." + SIGRTMAX_VALUE);
            }
            return n;
        }
        if (!name.startsWith("SIG")) {
            name = "SIG" + name;
        }
        for (final String base : new String[] {"SIGRTMIN", "SIGRTMAX"}) {
            if (name.startsWith(base)) {
                final String rest = name.substring(base.length());
                int offset = 0;
                if (!rest.isEmpty()) {
                    try {
                        offset = Integer.parseInt(rest.startsWith("+") ? rest.substring(1) : rest);
                    } catch (final NumberFormatException e) {
                        throw new IllegalArgumentException("'" + text + "' is not a signal name (try SIGRTMIN+4)");
                    }
                }
                final int n = (base.equals("SIGRTMIN") ? SIGRTMIN_VALUE : SIGRTMAX_VALUE) + offset;
                if (n < SIGRTMIN_VALUE || n > SIGRTMAX_VALUE) {
                    throw new IllegalArgumentException("'" + text + "' is outside SIGRTMIN.." + "SIGRTMAX ("
                        + SIGRTMIN_VALUE + ".." + SIGRTMAX_VALUE + ")");
                }
                return n;
            }
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a signal name (e.g. SIGUSR1, SIGRTMIN+4)");
    }

    /**
     * Allocates an empty signal set.
     *
     * @param arena owns the memory.
     * @param signals signals to add.
     * @return a sigset_t holding exactly {@code signals}.
     */
    public static MemorySegment sigset(final Arena arena, final int... signals) {
        final MemorySegment set = arena.allocate(SIGSET_SIZE, 8);
        try {
            final int r = (int) SIGEMPTYSET.invokeExact(set);
            for (final int signal : signals) {
                if ((int) SIGADDSET.invokeExact(set, signal) != 0) {
                    throw new IllegalArgumentException("sigaddset: " + signal + " is not a valid signal");
                }
            }
            assert r == 0;
            return set;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Allocates a full signal set (every signal the C library lets applications use).
     *
     * @param arena owns the memory.
     * @return a sigset_t holding every signal.
     */
    public static MemorySegment fullSigset(final Arena arena) {
        final MemorySegment set = arena.allocate(SIGSET_SIZE, 8);
        try {
            final int r = (int) SIGFILLSET.invokeExact(set);
            assert r == 0;
            return set;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @param set a sigset_t.
     * @param signal a signal number.
     * @return whether the set holds the signal.
     */
    public static boolean isMember(final MemorySegment set, final int signal) {
        try {
            return (int) SIGISMEMBER.invokeExact(set, signal) == 1;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * pthread_sigmask(3) for the calling thread.
     *
     * @param how SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK.
     * @param set the signals, or {@link MemorySegment#NULL} to only read the mask.
     * @param oldSet receives the previous mask, or {@link MemorySegment#NULL}.
     */
    public static void pthreadSigmask(final int how, final MemorySegment set, final MemorySegment oldSet) {
        final int r;
        try {
            r = (int) PTHREAD_SIGMASK.invokeExact(how, set, oldSet);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r != 0) {
            throw new NativeException("pthread_sigmask", "how=" + how, r);
        }
    }

    /**
     * sigtimedwait(2): takes one pending signal of {@code set} (which the thread must block) or times out.
     * Allocates nothing; the signal's sender is read with {@link #senderPid} right after the call, on the
     * same thread.
     *
     * @param set the signals to wait for, blocked in the calling thread.
     * @param timeoutNanos the longest wait.
     * @return the signal number, or a negative errno ({@code -EAGAIN} on timeout, {@code -EINTR}).
     */
    public static int sigtimedwait(final MemorySegment set, final long timeoutNanos) {
        final MemorySegment scratch = Native.scratch();
        final MemorySegment info = scratch.asSlice(0, SIGINFO_SIZE);
        final MemorySegment timespec = scratch.asSlice(SIGINFO_SIZE, 16);
        timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        try {
            final int r = (int) SIGTIMEDWAIT.invokeExact(Native.state(), set, info, timespec);
            return r < 0 ? -Native.errno() : r;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @return si_pid of the signal the calling thread's last {@link #sigtimedwait} returned.
     */
    public static int senderPid() {
        return Native.scratch().get(JAVA_INT, 16);
    }

    /**
     * @return si_code of the signal the calling thread's last {@link #sigtimedwait} returned (e.g. SI_QUEUE).
     */
    public static int senderCode() {
        return Native.scratch().get(JAVA_INT, 8);
    }

    /**
     * @return the int of si_value of the signal the calling thread's last {@link #sigtimedwait} returned.
     */
    public static int senderValue() {
        return Native.scratch().get(JAVA_INT, 24);
    }

    /**
     * tgkill(2): a signal to one thread of one process.
     *
     * @param pid the thread group (process) id.
     * @param tid the thread id.
     * @param signal the signal.
     * @return 0, or a negative errno ({@code -ESRCH} when the thread is gone, {@code -EAGAIN} when the
     *     real-time signal queue is full).
     */
    public static int tgkill(final int pid, final int tid, final int signal) {
        try {
            final int r = (int) TGKILL.invokeExact(Native.state(), pid, tid, signal);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * sigqueue(3): a process-directed signal carrying an int.
     *
     * @param pid the process.
     * @param signal the signal.
     * @param value the int delivered in si_value.
     * @return 0, or a negative errno.
     */
    public static int sigqueue(final int pid, final int signal, final int value) {
        try {
            final int r = (int) SIGQUEUE.invokeExact(Native.state(), pid, signal, (long) value);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * rt_tgsigqueueinfo(2): a thread-directed signal carrying an int in si_value, with si_code SI_QUEUE and
     * this process's pid and uid as the sender. Allocates nothing.
     *
     * @param pid the thread group (process) id.
     * @param tid the thread id.
     * @param signal the signal.
     * @param value the int delivered in si_value.
     * @return 0, or a negative errno ({@code -ESRCH}, {@code -EAGAIN} when the queue is full).
     */
    public static int rtTgsigqueueinfo(final int pid, final int tid, final int signal, final int value) {
        final MemorySegment info = Native.scratch().asSlice(0, SIGINFO_SIZE);
        info.fill((byte) 0);
        info.set(JAVA_INT, 0, signal);
        info.set(JAVA_INT, 8, SI_QUEUE);
        info.set(JAVA_INT, 16, PosixProcess.getpid());
        info.set(JAVA_INT, 20, Uid.UID);
        info.set(JAVA_INT, 24, value);
        try {
            final long r = (long) SYSCALL4.invokeExact(Native.state(), SYS_RT_TGSIGQUEUEINFO, pid, tid, signal, info);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Sets a signal's disposition to ignored (SIG_IGN) or default (SIG_DFL) for the whole process. A signal
     * that a thread blocks is still queued for that thread while ignored, so sigtimedwait collects it; a
     * process-directed stray of an ignored signal is discarded instead of killing the process.
     *
     * @param signal the signal.
     * @param ignore true for SIG_IGN, false for SIG_DFL.
     */
    public static void setIgnored(final int signal, final boolean ignore) {
        final MemorySegment previous;
        try {
            previous = (MemorySegment) SIGNAL.invokeExact(signal, MemorySegment.ofAddress(ignore ? 1L : 0L));
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (previous.address() == -1L) {
            throw new IllegalArgumentException("signal(" + name(signal) + ") failed: the disposition cannot be changed");
        }
    }

    /**
     * Reads a signal's disposition without changing it (sigaction(2) with a null new action).
     *
     * @param signal the signal.
     * @return {@link #SIG_DFL}, {@link #SIG_IGN}, or the address of the handler a library or the JVM installed.
     * @throws IllegalArgumentException when {@code signal} is not a valid signal number.
     */
    public static long handler(final int signal) {
        return disposition(signal).get(JAVA_LONG, 0);
    }

    /**
     * Whether a signal has a handler that ends an interrupted blocking call with EINTR: a handler is installed
     * (neither SIG_DFL nor SIG_IGN) without SA_RESTART, so a read(2) it interrupts returns EINTR instead of being
     * restarted.
     *
     * @param signal the signal.
     * @return true when a handler is installed and SA_RESTART is clear.
     * @throws IllegalArgumentException when {@code signal} is not a valid signal number.
     */
    public static boolean interruptsCalls(final int signal) {
        final MemorySegment action = disposition(signal);
        final long handler = action.get(JAVA_LONG, 0);
        return handler != SIG_DFL && handler != SIG_IGN && (action.get(JAVA_INT, SA_FLAGS_OFFSET) & SA_RESTART) == 0;
    }

    /**
     * @param signal the signal.
     * @return whether the calling thread blocks {@code signal} (pthread_sigmask(3) reading the mask).
     */
    public static boolean blockedInThisThread(final int signal) {
        final MemorySegment mask = Native.scratch().asSlice(0, SIGSET_SIZE);
        pthreadSigmask(SIG_BLOCK, MemorySegment.NULL, mask);
        return isMember(mask, signal);
    }

    /**
     * glibc's struct sigaction, the same on x86_64 and aarch64 (152 bytes, within the per-thread scratch):
     * <pre>
     *   0        8                               136        140   144          152
     *   +--------+-------------------------------+----------+-----+------------+
     *   | handler| sa_mask (1024 bits)           | sa_flags | pad | sa_restorer|
     *   +--------+-------------------------------+----------+-----+------------+
     * </pre>
     */
    private static MemorySegment disposition(final int signal) {
        final MemorySegment action = Native.scratch().asSlice(0, 152);
        final int r;
        try {
            r = (int) SIGACTION.invokeExact(Native.state(), signal, MemorySegment.NULL, action);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new IllegalArgumentException("sigaction(" + signal + ", NULL, &old) failed: "
                + Errno.name(Native.errno()) + "; " + signal + " is not a valid signal number");
        }
        return action;
    }

    /** Where sa_flags lies in glibc's struct sigaction. */
    private static final int SA_FLAGS_OFFSET = 136;
    /** sa_flags: restart a system call the handler interrupted. */
    private static final int SA_RESTART = 0x10000000;

    private static final class Uid {
        static final int UID = PosixProcess.getuid();
    }
}
