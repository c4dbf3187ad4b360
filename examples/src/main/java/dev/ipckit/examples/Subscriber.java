package dev.ipckit.examples;

import java.time.Duration;

import org.agrona.DirectBuffer;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;

/**
 * One receiving side of a one-to-many pair: takes a subscriber slot of the ring {@link Publisher} sends to and
 * verifies every message it gets (order, length, every byte), printing progress each second; stops when the
 * publisher closes (after draining everything it sent) or on Ctrl-C. Run as many as the ring has slots, each in its
 * own terminal.
 *
 * <pre>
 * Subscriber [URI]      e.g. Subscriber 'mmap:ipckit-example-broadcast?subscribers=4'
 * </pre>
 *
 * A subscriber starts at the first message sent after it joined and must then see every one in order; with
 * {@code slow=drop} in its URI the publisher never waits for it, so it may be lapped: it counts the messages it
 * skipped, and still never accepts a torn one.
 */
public final class Subscriber implements MessageHandler {
    private final boolean lossy;
    private long received;
    private long first = -1;
    private long expected;
    private long skipped;
    private String failure;

    private Subscriber(final boolean lossy) {
        this.lossy = lossy;
    }

    /**
     * @param args optionally the URI (default {@value Publisher#DEFAULT_URI}).
     */
    public static void main(final String[] args) {
        if (args.length > 1) {
            System.err.println("usage: Subscriber [URI]");
            System.exit(2);
        }
        final String uri = args.length > 0 ? args[0] : Publisher.DEFAULT_URI;
        final int code = new Subscriber(uri.contains("slow=drop")).run(uri);
        if (code != 0) {
            Runtime.getRuntime().halt(code); // the channel is closed already; exit() could wait on the shutdown hook
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
        if (failure != null) {
            return;
        }
        final long sequence = length >= Generated.MIN_SIZE
            ? buffer.getLong(offset, java.nio.ByteOrder.LITTLE_ENDIAN) : -1;
        if (first < 0) {
            first = sequence; // a subscriber gets the messages sent after it joined
            expected = sequence;
        } else if (lossy && sequence > expected) {
            skipped += sequence - expected; // lapped: the publisher does not wait for a slow=drop subscriber
            expected = sequence;
        }
        failure = Generated.verify(buffer, offset, length, expected, -1);
        expected++;
        received++;
    }

    private String summary() {
        return String.format("%,d messages received%s%s, all verified", received,
            first < 0 ? "" : String.format(" (from #%,d)", first),
            lossy ? String.format(", %,d skipped", skipped) : "");
    }

    private int run(final String uri) {
        final Running running = Running.untilInterrupted();
        try (Receiver receiver = Channels.openReceiver(uri)) {
            System.out.println("subscriber: receiving from " + uri);
            final ProgressLine progress = new ProgressLine("subscriber", "received");
            while (running.isRunning() && failure == null) {
                try {
                    receiver.poll(this, 256, Duration.ofMillis(100));
                } catch (final PeerGoneException e) {
                    if (failure == null) {
                        System.out.println("subscriber: the publisher closed; " + summary());
                        return 0;
                    }
                    break;
                }
                progress.update(received);
            }
            if (failure != null) {
                System.out.println("subscriber: verification failed: " + failure);
                return 1;
            }
            System.out.println("subscriber: stopped, " + summary());
            return 0;
        } finally {
            running.finished();
        }
    }
}
