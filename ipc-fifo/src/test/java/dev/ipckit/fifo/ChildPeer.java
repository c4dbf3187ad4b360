package dev.ipckit.fifo;

import java.time.Duration;

import dev.ipckit.conformance.Peer;
import dev.ipckit.posix.PosixProcess.ExitStatus;

/**
 * The conformance kit's {@link Peer} over a {@link ChildProcess}.
 *
 * @param child the child.
 */
record ChildPeer(ChildProcess child) implements Peer {
    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public Integer awaitExit(final Duration timeout) {
        final ExitStatus status = child.waitFor(timeout);
        if (status == null) {
            return null;
        }
        return status.exited() ? status.exitCode() : 128 + status.signal();
    }

    @Override
    public void kill() {
        child.kill();
    }
}
