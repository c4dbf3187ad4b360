package dev.ipckit.bench;

import java.util.function.BooleanSupplier;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;

/**
 * Stops a measuring child (or the subscribers of a one-to-many row, together) between its segments (SIGSTOP) and
 * resumes it for the next one (SIGCONT), so that a spinning echo process or producer waiting for its next segment
 * takes no core from the rows measured meanwhile.
 * A signal goes only to the child this JVM started and has not reaped (the liveness check comes first), never to
 * a process that may have taken its pid.
 */
final class PeerPause {
    private final int[] pids;
    private final BooleanSupplier[] alive;
    private final boolean[] stoppedOne;
    private boolean stopped;

    /**
     * @param pid the child's process id.
     * @param alive whether the child still runs (unreaped).
     */
    PeerPause(final long pid, final BooleanSupplier alive) {
        this(new int[] {Math.toIntExact(pid)}, new BooleanSupplier[] {alive});
    }

    private PeerPause(final int[] pids, final BooleanSupplier[] alive) {
        this.pids = pids;
        this.alive = alive;
        this.stoppedOne = new boolean[pids.length];
    }

    /**
     * @param process a child started with {@link ProcessBuilder}.
     * @return its pause.
     */
    static PeerPause of(final Process process) {
        return new PeerPause(process.pid(), process::isAlive);
    }

    /**
     * @param processes children started with {@link ProcessBuilder} (e.g. the subscribers of a one-to-many row).
     * @return one pause for all of them: stopped together, resumed together.
     */
    static PeerPause of(final java.util.List<Process> processes) {
        return new PeerPause(processes.stream().mapToInt(process -> Math.toIntExact(process.pid())).toArray(),
            processes.stream().map(process -> (BooleanSupplier) process::isAlive).toArray(BooleanSupplier[]::new));
    }

    /**
     * Stops the children (SIGSTOP) unless they have ended or are stopped already.
     */
    void stop() {
        if (!stopped) {
            for (int i = 0; i < pids.length; i++) {
                stoppedOne[i] = alive[i].getAsBoolean() && PosixProcess.tryKill(pids[i], PosixSignals.SIGSTOP) == 0;
                stopped |= stoppedOne[i];
            }
        }
    }

    /**
     * Resumes the children (SIGCONT) this pause stopped. Idempotent.
     */
    void resume() {
        if (stopped) {
            stopped = false;
            for (int i = 0; i < pids.length; i++) {
                if (stoppedOne[i] && alive[i].getAsBoolean()) {
                    PosixProcess.tryKill(pids[i], PosixSignals.SIGCONT);
                }
                stoppedOne[i] = false;
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
