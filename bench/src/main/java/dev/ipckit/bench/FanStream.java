package dev.ipckit.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The throughput of a one-to-many row: this process publishes 32-byte messages as fast as the mechanism takes them
 * to N subscriber processes ({@link FanSession}), each of which takes every message and counts it in the control
 * file ({@link FanControl}); a segment's figure is what all subscribers received during its counted part, read from
 * their counts at its two ends. {@link StreamBench} reports it per subscriber (divided by N) and in total.
 *
 * <p>Agrona's broadcast never waits for its receivers: a lapped subscriber's lost messages are not counted (its
 * count is what it received whole), and closing the row prints how many were lost.
 */
final class FanStream {
    /** The one message length of the one-to-many rows. */
    static final int SIZE = BenchSettings.MESSAGE_LENGTH;
    private static final Duration OFFER_SLICE = Duration.ofMillis(1);
    private static final int CLOCK_MASK = 255;

    private FanStream() {
    }

    /**
     * Opens a one-to-many throughput row for an interleaved run.
     *
     * @param row the row, its options holding {@code subscribers=N}.
     * @param all the run's times; the row runs {@link StreamSettings#fanOut()} of them.
     * @param progress where progress lines go.
     * @return the row, ready to warm up.
     * @throws IllegalArgumentException when {@code Channels} refuses the ipckit row's URI (the row is skipped).
     * @throws IllegalStateException with a sentence when the row cannot be measured.
     */
    static StreamContender open(final StreamRow row, final StreamSettings all, final Progress progress) {
        final StreamSettings settings = all.fanOut();
        final FanSession session = FanSession.open(row.name(), row.family(), row.options(), false,
            StreamSettings.CAPACITY, progress);
        final PeerPause pause = session.pause();
        return new StreamContender() {
            private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
            private long sequence;

            private Rate send(final int size, final long nanos) {
                if (size != SIZE) {
                    throw new IllegalArgumentException(row.name() + " sends " + SIZE + "-byte messages only, not "
                        + size);
                }
                final FanSession.Publisher publisher = session.publisher();
                final long before = session.control().received();
                final long start = System.nanoTime();
                final long end = start + nanos;
                long now = start;
                for (long i = 1; ; i++) {
                    message.putLong(0, sequence);
                    if (publisher.offer(message, size, OFFER_SLICE)) {
                        sequence++;
                    }
                    if ((i & CLOCK_MASK) == 0 && (now = System.nanoTime()) - end >= 0) {
                        break;
                    }
                }
                final long received = session.control().received() - before;
                session.checkAlive();
                return new Rate(received, received * size, now - start);
            }

            @Override
            public void warmUp(final int size) {
                try {
                    send(size, settings.warmup().toNanos());
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, session.ending());
                } finally {
                    pause.stop();
                }
            }

            @Override
            public Rate segment(final int size) {
                pause.resume();
                try {
                    send(size, settings.segmentWarmup().toNanos());
                    return send(size, settings.segment().toNanos());
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, session.ending());
                } finally {
                    pause.stop();
                }
            }

            @Override
            public void close() {
                final long lost = session.control().lost();
                pause.resumeAndClose(session);
                if (lost > 0) {
                    progress.line(String.format(Locale.ROOT, "the subscribers were lapped over %,d messages in "
                        + "all (not counted)", lost));
                }
            }
        };
    }
}
