package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Process identity and control: getpid, getppid, gettid, getuid, kill, waitpid.
 */
public final class PosixProcess {
    /** waitpid: return at once if the child has not changed state. */
    public static final int WNOHANG = 1;

    private static final MethodHandle GETPID = Native.call("getpid", FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle GETPPID = Native.call("getppid", FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle GETTID = Native.call("gettid", FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle GETUID = Native.call("getuid", FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle KILL = Native.errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
        Linker.Option.critical(false));
    private static final MethodHandle WAITPID = Native.errnoCall("waitpid",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private static final int PID = getpidNative();

    private PosixProcess() {
    }

    private static int getpidNative() {
        try {
            return (int) GETPID.invokeExact();
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @return this process's id (read once; a JVM does not fork).
     */
    public static int getpid() {
        return PID;
    }

    /**
     * @return the parent process's id, asked of the kernel each call (it changes when the parent dies).
     */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @return the calling thread's Linux thread id (gettid(2)), the target of tgkill.
     */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * @return the real user id of this process.
     */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * kill(2) without an exception.
     *
     * @param pid the target process (0 signal tests existence).
     * @param signal the signal number.
     * @return 0, or a negative errno ({@code -ESRCH} when no such process).
     */
    public static int tryKill(final int pid, final int signal) {
        try {
            final int r = (int) KILL.invokeExact(Native.state(), pid, signal);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * kill(2), throwing on failure.
     *
     * @param pid the target process.
     * @param signal the signal number.
     */
    public static void kill(final int pid, final int signal) {
        final int r = tryKill(pid, signal);
        if (r < 0) {
            throw new NativeException("kill", "pid=" + pid + ", " + PosixSignals.name(signal), -r);
        }
    }

    /**
     * Whether a process exists (kill with signal 0). A zombie still exists until reaped.
     *
     * @param pid the process.
     * @return true when it exists (EPERM counts: it exists, owned by someone else).
     */
    public static boolean exists(final int pid) {
        final int r = tryKill(pid, 0);
        return r == 0 || r == -Errno.EPERM;
    }

    /**
     * waitpid(2) for one child. Blocks unless {@link #WNOHANG}; EINTR is retried.
     *
     * @param pid the child.
     * @param options 0 or {@link #WNOHANG}.
     * @return how it ended, or null with WNOHANG when it is still running.
     */
    public static ExitStatus waitpid(final int pid, final int options) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                final int r = (int) WAITPID.invokeExact(Native.state(), pid, status, options);
                if (r > 0) {
                    return ExitStatus.decode(r, status.get(JAVA_INT, 0));
                }
                if (r == 0) {
                    return null;
                }
                final int errno = Native.errno();
                if (errno != Errno.EINTR) {
                    throw new NativeException("waitpid", "pid=" + pid, errno,
                        errno == Errno.ECHILD ? "process " + pid + " is not a child of this process, or was already reaped" : null);
                }
            }
        } catch (final NativeException e) {
            throw e;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * How a child process ended.
     *
     * @param pid the child.
     * @param exitCode its exit code when it exited, else -1.
     * @param signal the signal that killed it, else 0.
     */
    public record ExitStatus(int pid, int exitCode, int signal) {
        static ExitStatus decode(final int pid, final int status) {
            final int low = status & 0x7f;
            if (low == 0) {
                return new ExitStatus(pid, (status >> 8) & 0xff, 0);
            }
            return new ExitStatus(pid, -1, low);
        }

        /**
         * @return true when the child called exit (any code).
         */
        public boolean exited() {
            return signal == 0;
        }

        @Override
        public String toString() {
            return "process " + pid + (exited() ? " exited with " + exitCode : " was killed by " + PosixSignals.name(signal));
        }
    }
}
