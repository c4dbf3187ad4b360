package dev.ipckit.examples;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The reply side of a request/reply pair over two channels: answers each request on REQUEST_URI with the
 * same bytes on REPLY_URI, until the requester closes or Ctrl-C.
 *
 * <pre>
 * Responder REQUEST_URI REPLY_URI      e.g. Responder mmap:requests mmap:replies
 * </pre>
 */
public final class Responder {
    private Responder() {
    }

    /**
     * @param args the request URI and the reply URI.
     */
    public static void main(final String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Responder REQUEST_URI REPLY_URI");
            System.exit(2);
        }
        final Running running = Running.untilInterrupted();
        long answered = 0;
        try (Receiver requests = Channels.openReceiver(args[0]); Sender replies = Channels.openSender(args[1])) {
            final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(replies.maxMessageLength()));
            final int[] pending = {-1};
            final MessageHandler copy = (buffer, offset, length) -> {
                buffer.getBytes(offset, reply, 0, length);
                pending[0] = length;
            };
            System.out.println("responder: answering " + args[0] + " on " + args[1]);
            while (running.isRunning()) {
                try {
                    if (requests.poll(copy, 1, Duration.ofMillis(100)) == 0) {
                        continue;
                    }
                } catch (final PeerGoneException e) {
                    break;
                }
                if (!replies.offer(reply, 0, pending[0], Duration.ofSeconds(10))) {
                    throw new ChannelException("the requester stopped reading replies on " + args[1]);
                }
                answered++;
            }
            System.out.printf("responder: done, %,d requests answered%n", answered);
        } finally {
            running.finished();
        }
    }
}
