package dev.ipckit.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long each throughput row runs. A Java row warms up once ({@link #warmup()}, producer and consumer compiling
 * their loops); then, for each message length, the rows of a group take turns in {@link #segments()} segments of
 * {@link #segment()} each, every one after {@link #segmentWarmup()} of uncounted messages (the producer was
 * stopped until then, and the channel may still hold messages of the previous length). A C row's segment is one
 * run of {@code stream.c} with the same warm-up and counted time.
 *
 * @param warmup a Java row's warm-up.
 * @param segmentWarmup the uncounted start of each segment.
 * @param segment the counted part of each segment.
 * @param segments segments per row and message length.
 * @param sizes the message lengths, in bytes.
 */
public record StreamSettings(Duration warmup, Duration segmentWarmup, Duration segment, int segments,
                             List<Integer> sizes) {
    /** The message lengths of the table: 32 B, 4 KiB and 64 KiB. */
    public static final List<Integer> SIZES = List.of(32, 4096, 65536);
    /** The capacity of every row's channel: 1 MiB (ring, pipe buffer, Agrona ring, Aeron term). */
    public static final int CAPACITY = 1 << 20;

    /**
     * Checks the values and copies the list.
     *
     * @throws IllegalArgumentException naming the bad value.
     */
    public StreamSettings {
        sizes = List.copyOf(sizes);
        if (segments < 1 || segment.isNegative() || segment.isZero() || segmentWarmup.isNegative()
            || warmup.isNegative()) {
            throw new IllegalArgumentException("segments=" + segments + ", segment=" + segment + ", segmentWarmup="
                + segmentWarmup + ", warmup=" + warmup + ": at least one segment of a positive time is needed");
        }
        for (final int size : sizes) {
            if (size < Long.BYTES || size > StreamSource.MAX_LENGTH) {
                throw new IllegalArgumentException("size=" + size + " is outside 8.." + StreamSource.MAX_LENGTH);
            }
        }
    }

    /**
     * The {@code --quick} run: a warm-up of 1 s, then 6 segments of 30 ms + 150 ms per row and length, in two passes.
     *
     * @return the quick settings.
     */
    public static StreamSettings quick() {
        return new StreamSettings(Duration.ofSeconds(1), Duration.ofMillis(30), Duration.ofMillis(150), 6, SIZES);
    }

    /**
     * The full run: a warm-up of 5 s, then 12 segments of 100 ms + 1 s per row and length, in two passes.
     *
     * @return the full settings.
     */
    public static StreamSettings full() {
        return new StreamSettings(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), 12, SIZES);
    }

    /**
     * The budget of a one-to-many row ({@link FanStream}): half the warm-up and half the counted part of each
     * segment, in the same number of segments, so that its N + 1 JVMs do not make a quick run much longer.
     *
     * @return the shortened settings.
     */
    public StreamSettings fanOut() {
        return new StreamSettings(warmup.dividedBy(2), segmentWarmup, segment.dividedBy(2), segments, sizes);
    }

    /**
     * @return a one-line description.
     */
    public String describe() {
        return String.format("warm-up %d ms, then %d segments of %d + %d ms per row and length, lengths %s",
            warmup.toMillis(), segments, segmentWarmup.toMillis(), segment.toMillis(), sizes);
    }
}
