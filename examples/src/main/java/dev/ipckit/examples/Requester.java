package dev.ipckit.examples;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The request side of a request/reply pair: sends COUNT requests on REQUEST_URI, waits for each reply on
 * REPLY_URI, checks it, and prints the round-trip percentiles.
 *
 * <pre>
 * Requester REQUEST_URI REPLY_URI [COUNT]      e.g. Requester mmap:requests mmap:replies 100000
 * </pre>
 */
public final class Requester {
    private Requester() {
    }

    /**
     * @param args the request URI, the reply URI, optionally COUNT (default 100,000).
     */
    public static void main(final String[] args) {
        if (args.length < 2) {
            System.err.println("usage: Requester REQUEST_URI REPLY_URI [COUNT]");
            System.exit(2);
        }
        final long count = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
        final Running running = Running.untilInterrupted();
        final long[] rtt = new long[(int) count];
        int done = 0;
        try (Sender requests = Channels.openSender(args[0]); Receiver replies = Channels.openReceiver(args[1])) {
            final UnsafeBuffer request = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
            final String[] failure = {null};
            final long[] expected = {0};
            final MessageHandler check = (buffer, offset, length) -> failure[0] = Generated.verify(buffer, offset, length, expected[0], 32);
            System.out.println("requester: " + count + " requests on " + args[0] + ", replies on " + args[1]);
            for (; done < count && running.isRunning(); done++) {
                expected[0] = done;
                Generated.fill(request, done, 32);
                final long start = System.nanoTime();
                if (!requests.offer(request, 0, 32, Duration.ofSeconds(10))) {
                    throw new ChannelException("the responder stopped reading requests on " + args[0]);
                }
                if (replies.poll(check, 1, Duration.ofSeconds(10)) == 0) {
                    throw new ChannelException("no reply to request " + done + " on " + args[1] + " within 10 s");
                }
                rtt[done] = System.nanoTime() - start;
                if (failure[0] != null) {
                    throw new ChannelException("bad reply: " + failure[0]);
                }
            }
            final long[] sorted = Arrays.copyOf(rtt, done);
            Arrays.sort(sorted);
            if (done > 0) {
                System.out.printf("requester: %,d round trips, p50 %,d ns, p99 %,d ns, max %,d ns%n", done,
                    sorted[done / 2], sorted[(int) (done * 0.99)], sorted[done - 1]);
            }
        } finally {
            running.finished();
        }
    }
}
