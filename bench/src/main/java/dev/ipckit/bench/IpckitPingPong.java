package dev.ipckit.bench;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The round trips of an ipckit row: a message offered on the request channel, its echo polled from the reply
 * channel, both with the transport's own waiting ({@code wait=} in the URI) and a 10 s timeout.
 */
final class IpckitPingPong extends RoundTripLoop implements MessageHandler {
    private final String name;
    private final Sender sender;
    private final Receiver receiver;
    private final UnsafeBuffer message;
    private final int length;
    private long echoedSequence;
    private int echoedLength;

    private IpckitPingPong(final String name, final EchoSession session, final int length) {
        this.name = name;
        this.sender = session.sender();
        this.receiver = session.receiver();
        this.length = length;
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
    }

    /**
     * Opens one ipckit row for an interleaved run: starts its echo process with the row's URI options.
     *
     * @param row an ipckit row such as {@code mmap/spin}.
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the row, ready to warm up.
     * @throws IllegalArgumentException when {@code Channels} refuses the row's URI (the row is skipped).
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static Contender open(final Row row, final BenchSettings settings, final Progress progress) {
        progress.line("starting the echo process");
        final EchoSession session = EchoSession.start(row.name(), row.family(), row.options());
        final PeerPause pause = new PeerPause(session.pid(), session::isAlive);
        return Contender.java(new IpckitPingPong(row.name(), session, settings.messageLength()), settings, pause,
            () -> session.echoEnding(Duration.ofSeconds(2)), session);
    }

    @Override
    protected void roundTrip(final long sequence) {
        message.putLong(0, sequence);
        if (!sender.offer(message, 0, length, TIMEOUT)) {
            throw new IllegalStateException(name + ": the request channel stayed full for " + TIMEOUT.toSeconds()
                + " s at round trip " + sequence);
        }
        if (receiver.poll(this, 1, TIMEOUT) == 0) {
            throw new IllegalStateException(name + ": no echo of round trip " + sequence + " within "
                + TIMEOUT.toSeconds() + " s");
        }
        if (echoedSequence != sequence || echoedLength != length) {
            throw new IllegalStateException(name + ": round trip " + sequence + " came back as " + echoedSequence
                + " with " + echoedLength + " bytes instead of " + length);
        }
    }

    /**
     * Takes an echo.
     */
    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
        echoedSequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
        echoedLength = length;
    }
}
