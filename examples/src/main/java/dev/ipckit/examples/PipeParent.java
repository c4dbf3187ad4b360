package dev.ipckit.examples;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.PeerGoneException;
import dev.ipckit.fifo.ChildPipe;
import dev.ipckit.fifo.ChildProcess;
import dev.ipckit.posix.PosixProcess.ExitStatus;

/**
 * The parent of a parent→child pipe pair: starts {@link PipeChild} in a new JVM with the read end of an
 * anonymous pipe on its descriptor 3, sends COUNT generated messages, closes the pipe, and reports how the
 * child ended. If the child dies first, the next send fails with {@link PeerGoneException} at once.
 *
 * <pre>
 * PipeParent [COUNT [SIZE]]
 * </pre>
 */
public final class PipeParent {
    private PipeParent() {
    }

    /**
     * @param args optionally COUNT (default 1,000,000) and SIZE (default 64).
     */
    public static void main(final String[] args) {
        final long count = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        final int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        final Running running = Running.untilInterrupted();
        try (ChildPipe toChild = ChildPipe.toChild();
             ChildProcess child = ChildProcess.startJava(PipeChild.class, List.of("pipe:fd=3"), toChild)) {
            System.out.println("parent: started child " + child.pid() + "; sending " + count + " messages of " + size + " bytes on its fd 3");
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            long sent = 0;
            try {
                for (; sent < count && running.isRunning(); sent++) {
                    Generated.fill(buffer, sent, size);
                    while (!toChild.sender().offer(buffer, 0, size, Duration.ofMillis(100))) {
                        if (!running.isRunning()) {
                            break;
                        }
                    }
                }
            } catch (final PeerGoneException e) {
                System.out.println("parent: the child is gone after " + sent + " messages: " + e.getMessage());
            }
            toChild.close(); // end of file for the child: it drains and exits
            final ExitStatus status = child.waitFor(Duration.ofSeconds(30));
            System.out.println("parent: sent " + sent + " messages; " + (status == null ? "the child still runs; killing it" : status));
        } finally {
            running.finished();
        }
    }
}
