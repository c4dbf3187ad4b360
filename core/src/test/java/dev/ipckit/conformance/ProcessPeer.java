package dev.ipckit.conformance;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Peer} over a {@link Process} started with {@link ProcessBuilder}; killed with SIGKILL, by its own pid.
 */
public class ProcessPeer implements Peer {
    private final Process process;

    /**
     * @param process the child.
     */
    public ProcessPeer(final Process process) {
        this.process = process;
    }

    /**
     * @return the child process.
     */
    protected Process process() {
        return process;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Integer awaitExit(final Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? process.exitValue() : null;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for child " + process.pid(), e);
        }
    }

    @Override
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL to this child only
        }
        awaitExit(Duration.ofSeconds(30));
    }
}
