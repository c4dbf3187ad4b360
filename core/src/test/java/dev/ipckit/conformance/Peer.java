package dev.ipckit.conformance;

import java.time.Duration;
import java.util.List;

import dev.ipckit.spi.JavaCommand;

/**
 * A child process a cross-process test talks to. Started by the transport's test, ended by the kit.
 */
public interface Peer extends AutoCloseable {

    /**
     * @return the child's pid.
     */
    long pid();

    /**
     * Waits for the child to exit.
     *
     * @param timeout the longest wait.
     * @return its exit code, or null when it is still running after {@code timeout}; a child killed by a
     *     signal reports 128 + the signal number.
     */
    Integer awaitExit(Duration timeout);

    /**
     * Sends SIGKILL to the child (only this child, by pid) and reaps it.
     */
    void kill();

    /**
     * Kills the child if it still runs.
     */
    @Override
    default void close() {
        kill();
    }

    /**
     * Starts {@link ConformancePeer} in a child JVM through {@link ProcessBuilder}, with stdout and stderr
     * inherited so that its complaints reach the test report.
     *
     * @param args the peer's arguments.
     * @return the peer.
     */
    static Peer startJvm(final List<String> args) {
        return startJvm(ConformancePeer.class, args, null);
    }

    /**
     * Starts any main class in a child JVM through {@link ProcessBuilder}, with stdout and stderr inherited.
     *
     * @param mainClass the class to run.
     * @param args its arguments.
     * @param workingDirectory the child's working directory (where a crashing JVM writes its hs_err file), or
     *     null for this process's.
     * @return the peer.
     */
    static Peer startJvm(final Class<?> mainClass, final List<String> args, final java.nio.file.Path workingDirectory) {
        final ProcessBuilder builder = new ProcessBuilder(JavaCommand.of(mainClass, args)).inheritIO();
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        final Process process;
        try {
            process = builder.start();
        } catch (final java.io.IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e.getMessage(), e);
        }
        return new ProcessPeer(process);
    }
}
