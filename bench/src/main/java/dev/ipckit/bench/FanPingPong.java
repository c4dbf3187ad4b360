package dev.ipckit.bench;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The round trips of a one-to-many row ({@code mmap/1to2}, {@code aeron/ipc-4sub}, {@code agrona/broadcast-2} ...):
 * this process publishes a message to N subscriber processes, and the designated one, subscriber 0, sends it back
 * on a reply channel; the round trip ends when the echo is here. The other N - 1 subscribers take the same
 * messages meanwhile and compete for the cores, and with {@code slow=block} (ipckit) or Aeron's flow control a
 * subscriber that falls a whole ring behind holds the sender back: the figure is one wake-up of one subscriber in a
 * crowd, not the time until all N have the message. See {@link FanSession}.
 */
final class FanPingPong extends RoundTripLoop {
    private final String name;
    private final FanSession session;
    private final UnsafeBuffer message;
    private final int length;

    private FanPingPong(final String name, final FanSession session, final int length) {
        this.name = name;
        this.session = session;
        this.length = length;
        this.message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
    }

    /**
     * Opens a one-to-many round-trip row for an interleaved run.
     *
     * @param row the row, its options holding {@code subscribers=N}.
     * @param settings counts and limits; the row runs {@link BenchSettings#fanOut()} of them.
     * @param progress where progress lines go.
     * @return the row, ready to warm up.
     * @throws IllegalArgumentException when {@code Channels} refuses the ipckit row's URI (the row is skipped).
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static Contender open(final Row row, final BenchSettings settings, final Progress progress) {
        final FanSession session = FanSession.open(row.name(), row.family(), row.options(), true,
            FanSession.ROUND_TRIP_CAPACITY, progress);
        return Contender.java(new FanPingPong(row.name(), session, settings.messageLength()), settings.fanOut(),
            session.pause(), session::ending, session);
    }

    @Override
    protected void roundTrip(final long sequence) {
        message.putLong(0, sequence);
        if (!session.publisher().offer(message, length, TIMEOUT)) {
            throw new IllegalStateException(name + ": no room to publish round trip " + sequence + " within "
                + TIMEOUT.toSeconds() + " s (a subscriber holds the ring full)");
        }
        if (!session.awaitEcho(TIMEOUT)) {
            throw new IllegalStateException(name + ": no echo of round trip " + sequence + " within "
                + TIMEOUT.toSeconds() + " s");
        }
        checkEcho(name, sequence, length, session.echoedSequence(), session.echoedLength());
    }
}
