package dev.ipckit.bench;

import java.util.function.BooleanSupplier;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * Stops a measuring child between its segments (SIGSTOP) and resumes it for the next one (SIGCONT), so that a
 * spinning echo process or producer waiting for its next segment takes no core from the rows measured meanwhile.
 * A signal goes only to the child this JVM started and has not reaped (the liveness check comes first), never to
 * a process that may have taken its pid.
 */
final class PeerPause {
    private final int pid;
    private final BooleanSupplier alive;
    private boolean stopped;

    /**
     * @param pid the child's process id.
     * @param alive whether the child still runs (unreaped).
     */
    PeerPause(final long pid, final BooleanSupplier alive) {
        this.pid = Math.toIntExact(pid);
        this.alive = alive;
    }

    /**
     * @param process a child started with {@link ProcessBuilder}.
     * @return its pause.
     */
    static PeerPause of(final Process process) {
        return new PeerPause(process.pid(), process::isAlive);
    }

    /**
     * Stops the child (SIGSTOP) unless it has ended or is stopped already.
     */
    void stop() {
        if (!stopped && alive.getAsBoolean()) {
            stopped = PosixProcess.tryKill(pid, PosixSignals.SIGSTOP) == 0;
        }
    }

    /**
     * Resumes the child (SIGCONT) if this pause stopped it. Idempotent.
     */
    void resume() {
        if (stopped) {
            stopped = false;
            if (alive.getAsBoolean()) {
                PosixProcess.tryKill(pid, PosixSignals.SIGCONT);
            }
        }
    }

    /**
     * Resumes a child that may have been stopped, at exit, so that SIGTERM takes effect at once (a stopped process
     * keeps it pending until it runs again). Only a child that has not been reaped is signalled.
     *
     * @param process a child started with {@link ProcessBuilder}.
     */
    static void wake(final Process process) {
        if (process.isAlive()) {
            PosixProcess.tryKill(Math.toIntExact(process.pid()), PosixSignals.SIGCONT);
        }
    }

    /**
     * @return whether the child is stopped by this pause.
     */
    boolean stopped() {
        return stopped;
    }

    /**
     * Lets the child run again and closes what a row opened for it, so that a stopped child can see its end close.
     *
     * @param resources the row's channels, child and files.
     */
    void resumeAndClose(final AutoCloseable resources) {
        resume();
        try {
            resources.close();
        } catch (final RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
