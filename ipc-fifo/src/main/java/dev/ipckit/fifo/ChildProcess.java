package dev.ipckit.fifo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixProcess.ExitStatus;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.posix.PosixSpawn;
import dev.ipckit.spi.JavaCommand;

/**
 * A child process started with {@code posix_spawn(3)} that inherits pipe ends on fixed descriptors.
 *
 * <p>The child gets this process's standard input, output and error (descriptors 0-2) and the child's end of
 * each {@link ChildPipe}, in the order given, on descriptors 3, 4, 5, ... ({@link #FIRST_PIPE_FD}); every
 * other descriptor is closed in the child, its signal mask is empty and every signal has its default
 * disposition. After the spawn this process closes its copies of the child's ends, so when the child dies
 * this process's ends see end of file or EPIPE. A Java child opens its ends with
 * {@code Channels.openReceiver("pipe:fd=3")} and {@code Channels.openSender("pipe:fd=4")}.
 *
 * <pre>{@code
 * try (ChildPipe requests = ChildPipe.toChild();
 *      ChildProcess child = ChildProcess.start(List.of("/usr/bin/my-worker", "--in-fd=3"), requests)) {
 *     requests.sender().offer(buffer, 0, length, Duration.ofSeconds(1));
 *     ExitStatus status = child.waitFor(Duration.ofSeconds(10));   // null while it still runs
 * }
 * }</pre>
 *
 * <p>{@link #close()} kills the child with SIGKILL if it is still running and reaps it. The pid is only
 * ever signalled while the child is unreaped, so it never hits a recycled pid.
 */
public final class ChildProcess implements AutoCloseable {
    /** The child descriptor that gets the first pipe's end: {@value}. */
    public static final int FIRST_PIPE_FD = 3;
    /** How long {@link #kill()} waits for the kernel to end a child after SIGKILL. */
    private static final Duration KILL_REAP_TIMEOUT = Duration.ofSeconds(30);

    private final int pid;
    private final List<String> command;
    private ExitStatus status;

    private ChildProcess(final int pid, final List<String> command) {
        this.pid = pid;
        this.command = command;
    }

    /**
     * Starts a program with pipe ends on descriptors 3, 4, ...
     *
     * @param command the program (looked up in PATH when it has no slash) and its arguments.
     * @param pipes the pipes whose child end the child gets, on descriptor {@code 3 + index}.
     * @return the running child.
     * @throws dev.ipckit.posix.NativeException when the program cannot be started (the pipes are unchanged).
     * @throws IllegalStateException when a pipe's child end was handed to another child already.
     */
    public static ChildProcess start(final List<String> command, final ChildPipe... pipes) {
        final List<String> argv = List.copyOf(command);
        final Map<Integer, Integer> descriptors = new LinkedHashMap<>();
        for (int i = 0; i < pipes.length; i++) {
            descriptors.put(FIRST_PIPE_FD + i, pipes[i].childEnd());
        }
        final int pid = PosixSpawn.spawn(argv, descriptors);
        for (final ChildPipe pipe : pipes) {
            pipe.handedOver(pid);
        }
        return new ChildProcess(pid, argv);
    }

    /**
     * Starts {@code mainClass} in a new JVM with this JVM's {@code java}, class path and the flags ipckit needs
     * ({@link JavaCommand}), with pipe ends on descriptors 3, 4, ...
     *
     * @param mainClass a class with a {@code main} method on this JVM's class path.
     * @param args its arguments.
     * @param pipes the pipes whose child end the child gets, on descriptor {@code 3 + index}.
     * @return the running child.
     */
    public static ChildProcess startJava(final Class<?> mainClass, final List<String> args, final ChildPipe... pipes) {
        return start(JavaCommand.of(mainClass, args), pipes);
    }

    /**
     * @return the child's process id.
     */
    public int pid() {
        return pid;
    }

    /**
     * @return the command line the child was started with.
     */
    public List<String> command() {
        return command;
    }

    /**
     * Waits for the child to end, and reaps it.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} only looks.
     * @return how it ended, or null when it still runs after {@code timeout}. Once known, the same answer is
     *     returned every time.
     */
    public synchronized ExitStatus waitFor(final Duration timeout) {
        if (status != null) {
            return status;
        }
        final long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
        int attempt = 0;
        while (true) {
            status = PosixProcess.waitpid(pid, PosixProcess.WNOHANG);
            if (status != null) {
                return status;
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            Waits.backOff(attempt++, remaining);
        }
    }

    /**
     * @return whether the child has not ended yet (reaping it if it has).
     */
    public boolean isAlive() {
        return waitFor(Duration.ZERO) == null;
    }

    /**
     * Sends SIGKILL to the child, unless it has ended already, and reaps it.
     *
     * @return how it ended.
     * @throws IllegalStateException when it has not ended 30 seconds after SIGKILL.
     */
    public synchronized ExitStatus kill() {
        if (waitFor(Duration.ZERO) != null) {
            return status;
        }
        final int r = PosixProcess.tryKill(pid, PosixSignals.SIGKILL);
        if (r < 0 && r != -Errno.ESRCH) {
            throw new NativeException("kill", "pid=" + pid + ", SIGKILL", -r);
        }
        final ExitStatus ended = waitFor(KILL_REAP_TIMEOUT);
        if (ended == null) {
            throw new IllegalStateException("process " + pid + " did not end within " + KILL_REAP_TIMEOUT.toSeconds()
                + " s of SIGKILL; it may be stuck in the kernel (state D in /proc/" + pid + "/stat)");
        }
        return ended;
    }

    /**
     * Kills the child if it still runs, and reaps it.
     */
    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "process " + pid + " " + command;
    }
}
