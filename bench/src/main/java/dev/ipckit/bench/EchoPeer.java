package dev.ipckit.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The echo side of an ipckit round trip, run in its own JVM by {@link EchoSession}: it opens the request channel's
 * receiver and the reply channel's sender, sends one empty "ready" message, then sends every message it receives
 * back unchanged until the other side closes its ends.
 *
 * <pre>
 * EchoPeer REQUEST_URI REPLY_URI [ERROR_FILE]
 * </pre>
 *
 * Exit status 0 when the other side closed; 1 after a failure, whose sentence goes to standard error and, when
 * given, to ERROR_FILE.
 */
public final class EchoPeer implements MessageHandler {
    /** How long a reply may wait for room, and how long the peer waits for a first message. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** One idle poll; between two the peer checks that it has not waited too long. */
    private static final Duration SLICE = Duration.ofSeconds(1);
    /** The peer gives up after this long without a message. */
    private static final long IDLE_LIMIT_NANOS = Duration.ofSeconds(120).toNanos();

    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private int length;

    private EchoPeer() {
    }

    /**
     * @param args REQUEST_URI REPLY_URI [ERROR_FILE].
     */
    public static void main(final String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EchoPeer REQUEST_URI REPLY_URI [ERROR_FILE]");
            System.exit(2);
        }
        try {
            new EchoPeer().run(args[0], args[1]);
        } catch (final RuntimeException e) {
            final String sentence = "echo process: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println(sentence);
            if (args.length == 3) {
                try {
                    Files.writeString(Path.of(args[2]), sentence + System.lineSeparator(), StandardCharsets.UTF_8);
                } catch (final IOException io) {
                    System.err.println("echo process: cannot write " + args[2] + ": " + io.getMessage());
                }
            }
            System.exit(1);
        }
        System.exit(0);
    }

    private void run(final String requestUri, final String replyUri) {
        try (Receiver requests = Channels.openReceiver(requestUri); Sender replies = Channels.openSender(replyUri)) {
            if (!replies.offer(reply, 0, 0, TIMEOUT)) {
                throw new IllegalStateException("could not send the ready message on " + replyUri + " within "
                    + TIMEOUT);
            }
            long idleSince = System.nanoTime(); // 0 while messages flow: no clock read per message
            while (true) {
                final int received;
                try {
                    received = requests.poll(this, 1, SLICE);
                } catch (final PeerGoneException done) {
                    return;
                }
                if (received == 0) {
                    final long now = System.nanoTime();
                    if (idleSince == 0) {
                        idleSince = now;
                    } else if (now - idleSince > IDLE_LIMIT_NANOS) {
                        throw new IllegalStateException("no request on " + requestUri + " for "
                            + IDLE_LIMIT_NANOS / 1_000_000_000L + " s; giving up");
                    }
                    continue;
                }
                try {
                    if (!replies.offer(reply, 0, length, TIMEOUT)) {
                        throw new IllegalStateException("the reply channel " + replyUri + " stayed full for "
                            + TIMEOUT);
                    }
                } catch (final PeerGoneException done) {
                    return;
                }
                idleSince = 0;
            }
        }
    }

    /**
     * Copies a request into the reply buffer.
     */
    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
        buffer.getBytes(offset, reply, 0, length);
        this.length = length;
    }
}
