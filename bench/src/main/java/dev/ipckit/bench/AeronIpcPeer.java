package dev.ipckit.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;

/**
 * The {@code aeron/ipc} peer row: Aeron's own inter-process path, {@code aeron:ipc} publications and
 * subscriptions through a media driver embedded in the measuring process ({@link AeronIpcPingPong}), as in Aeron's
 * Ping and Pong samples; both sides busy-spin. This class is the echo (Pong) process's {@code main}: it subscribes
 * to {@link #PING_STREAM}, publishes every fragment back unchanged on {@link #PONG_STREAM}, and exits 0 on a
 * one-byte stop message.
 *
 * <pre>
 * AeronIpcPeer AERON_DIR PARENT_PID
 * </pre>
 */
public final class AeronIpcPeer {
    /**
     * The channel of both streams: IPC with 1 MiB terms, so that a driver waking every millisecond never holds a
     * publisher back.
     */
    static final String CHANNEL = "aeron:ipc?term-length=1m";
    /** Requests, measuring side to echo side. */
    static final int PING_STREAM = 1001;
    /** Echoes. */
    static final int PONG_STREAM = 1002;
    /** A message of this length ends the echo process. */
    static final int STOP_LENGTH = 1;
    /** Idle spins between two checks that the measuring process still lives. */
    private static final int LIVENESS_MASK = (1 << 22) - 1;

    private static volatile Throwable clientError;

    private AeronIpcPeer() {
    }

    /**
     * @param args AERON_DIR PARENT_PID.
     */
    public static void main(final String[] args) {
        if (args.length != 2) {
            System.err.println("usage: AeronIpcPeer AERON_DIR PARENT_PID");
            System.exit(2);
        }
        final long parent = Long.parseLong(args[1]);
        final Aeron.Context context = new Aeron.Context()
            .aeronDirectoryName(args[0])
            .errorHandler(error -> clientError = error);
        try (Aeron aeron = Aeron.connect(context);
             Subscription pings = aeron.addSubscription(CHANNEL, PING_STREAM);
             ExclusivePublication pongs = aeron.addExclusivePublication(CHANNEL, PONG_STREAM)) {
            final boolean[] stop = {false};
            final FragmentHandler echo = (buffer, offset, length, header) -> {
                if (length == STOP_LENGTH) {
                    stop[0] = true;
                    return;
                }
                long result;
                while ((result = pongs.offer(buffer, offset, length)) < 0) {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                        throw new IllegalStateException("the pong publication failed: "
                            + Publication.errorString(result));
                    }
                    Thread.onSpinWait();
                }
            };
            long idle = 0;
            while (!stop[0]) {
                if (pings.poll(echo, 1) == 0) {
                    Thread.onSpinWait();
                    if ((++idle & LIVENESS_MASK) == 0) {
                        if (!ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                            throw new IllegalStateException("the measuring process " + parent + " has gone");
                        }
                        if (clientError != null) {
                            throw new IllegalStateException("the Aeron client failed: " + clientError.getMessage());
                        }
                    }
                }
            }
        } catch (final RuntimeException e) {
            System.err.println("aeron/ipc echo: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
