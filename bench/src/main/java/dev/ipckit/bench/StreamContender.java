package dev.ipckit.bench;

import java.time.Duration;
import java.util.function.Supplier;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Sender;

/**
 * One throughput row opened for an interleaved run ({@link StreamBench}): warmed up once, then measured one
 * segment at a time; its producer is stopped between segments ({@link PeerPause}).
 */
interface StreamContender extends AutoCloseable {
    /**
     * Warms up at a message length, then stops the producer.
     *
     * @param size the message length.
     */
    void warmUp(int size);

    /**
     * Resumes the producer at a message length, lets the segment's warm-up pass uncounted, counts, and stops the
     * producer again.
     *
     * @param size the message length.
     * @return what was counted.
     */
    Rate segment(int size);

    @Override
    void close();

    /**
     * The consuming side of a Java row: one poll of the channel, each message handed to {@link #take}, which
     * checks its sequence number and counts it when it has the segment's length.
     */
    abstract class Consumer {
        private long expected;
        private int size;
        private long messages;
        private long bytes;

        /**
         * Polls once.
         *
         * @return how many messages arrived.
         */
        protected abstract int poll();

        /**
         * @return whether the producer still runs.
         */
        protected abstract boolean producerAlive();

        /**
         * Takes one message.
         *
         * @param sequence the number it carries.
         * @param length its length.
         * @throws IllegalStateException when a message was lost, repeated or torn.
         */
        protected final void take(final long sequence, final int length) {
            if (sequence != expected) {
                throw new IllegalStateException("message " + expected + " arrived as " + sequence + " (" + length
                    + " bytes): lost, repeated or torn");
            }
            expected++;
            if (length == size) {
                messages++;
                bytes += length;
            }
        }

        /**
         * Polls until the first message arrives: the producer's JVM may still be starting.
         *
         * @param timeoutNanos the longest wait.
         * @throws IllegalStateException when the producer ends or sends nothing in that time.
         */
        final void awaitFirst(final long timeoutNanos) {
            final long deadline = System.nanoTime() + timeoutNanos;
            while (expected == 0) {
                if (poll() == 0) {
                    if (!producerAlive()) {
                        throw new IllegalStateException("the producer process ended before its first message");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("the producer process sent nothing within "
                            + timeoutNanos / 1_000_000_000L + " s");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000); // its JVM is starting on these cores
                }
            }
        }

        /**
         * Polls for a while, counting the messages of one length.
         *
         * @param length the length that counts.
         * @param nanos how long.
         * @return the count.
         */
        final Rate consume(final int length, final long nanos) {
            size = length;
            messages = 0;
            bytes = 0;
            final long start = System.nanoTime();
            final long end = start + nanos;
            long now;
            int idle = 0;
            while ((now = System.nanoTime()) - end < 0) {
                if (poll() == 0 && (++idle & 0xFFFF) == 0 && !producerAlive()) {
                    throw new IllegalStateException("the producer process ended");
                }
            }
            return new Rate(messages, bytes, now - start);
        }
    }

    /**
     * A Java row.
     *
     * @param consumer the consuming side.
     * @param control the producer's control pipe (one 4-byte length per message).
     * @param settings times.
     * @param pause the producer's pause.
     * @param ending how the producer ended ("" while it runs), added to a failure's sentence.
     * @param resources what {@link #close()} closes after resuming the producer.
     * @return the row.
     */
    static StreamContender java(final Consumer consumer, final Sender control, final StreamSettings settings,
                                final PeerPause pause, final Supplier<String> ending, final AutoCloseable resources) {
        return new StreamContender() {
            private final UnsafeBuffer lengthMessage = new UnsafeBuffer(new byte[Integer.BYTES]);
            private int current;

            private void send(final int size) {
                if (size != current) {
                    lengthMessage.putInt(0, size);
                    if (!control.offer(lengthMessage, 0, Integer.BYTES, Duration.ofSeconds(10))) {
                        throw new IllegalStateException("the producer's control pipe stayed full for 10 s");
                    }
                    current = size;
                }
            }

            @Override
            public void warmUp(final int size) {
                try {
                    send(size);
                    consumer.awaitFirst(EchoSession.START_TIMEOUT.toNanos());
                    consumer.consume(size, settings.warmup().toNanos());
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, ending.get());
                } finally {
                    pause.stop();
                }
            }

            @Override
            public Rate segment(final int size) {
                pause.resume();
                try {
                    send(size);
                    consumer.consume(size, settings.segmentWarmup().toNanos());
                    return consumer.consume(size, settings.segment().toNanos());
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, ending.get());
                } finally {
                    pause.stop();
                }
            }

            @Override
            public void close() {
                pause.resumeAndClose(resources);
            }
        };
    }

    /**
     * A C row: one run of {@code stream MODE} per segment.
     *
     * @param limits the compiled program.
     * @param mode the C mode.
     * @param settings times.
     * @return the row.
     */
    static StreamContender c(final CLimits limits, final String mode, final StreamSettings settings) {
        return new StreamContender() {
            @Override
            public void warmUp(final int size) {
                if (limits.missing() != null) {
                    throw new IllegalStateException(limits.missing());
                }
            }

            @Override
            public Rate segment(final int size) {
                return limits.stream(mode, size, settings.segment().toMillis(), settings.segmentWarmup().toMillis(),
                    StreamSettings.CAPACITY);
            }

            @Override
            public void close() {
            }
        };
    }
}
