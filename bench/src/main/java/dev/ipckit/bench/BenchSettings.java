package dev.ipckit.bench;

import java.time.Duration;

/**
 * How long each round-trip row runs. A Java row warms up once (its count and its minimum time, so that both JVMs
 * have compiled their loops, and at most its time limit); then its timed round trips are spread over
 * {@link #segments()} short segments, interleaved with the segments of the rows it is compared with
 * ({@link Interleaving}). Each segment starts with a few untimed round trips ({@link #segmentWarmupRounds()}: the
 * echo process was stopped until then) and records at most {@code samples / segments} round trips for at most
 * {@code sampleLimit / segments}, whichever comes first; so a row on a busy machine ends on time with fewer samples
 * (the sample count is reported beside every figure). The C rows have no JIT to warm: each of their segments is one
 * run of the C program, with the segment's warm-up.
 *
 * @param warmupRounds round trips before timing starts.
 * @param warmupMinimum the shortest warm-up of a Java row.
 * @param warmupLimit the longest warm-up.
 * @param samples timed round trips, all segments together.
 * @param sampleLimit the longest timed part, all segments together.
 * @param messageLength the payload of each round trip, in bytes (at least 8: it carries a sequence number).
 * @param segments how many segments the timed part is cut into.
 */
public record BenchSettings(long warmupRounds, Duration warmupMinimum, Duration warmupLimit, long samples,
                            Duration sampleLimit, int messageLength, int segments) {
    /** The payload of a round trip in the table: {@value} bytes. */
    public static final int MESSAGE_LENGTH = 32;
    /** The most untimed round trips at the start of a segment. */
    public static final long SEGMENT_WARMUP_ROUNDS = 2_000;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the bad value.
     */
    public BenchSettings {
        if (warmupRounds < 0 || samples < 1) {
            throw new IllegalArgumentException("warmupRounds=" + warmupRounds + ", samples=" + samples
                + ": the warm-up needs 0 or more round trips and the timed part at least 1");
        }
        if (warmupMinimum.isNegative() || warmupLimit.compareTo(warmupMinimum) < 0 || sampleLimit.isNegative()
            || sampleLimit.isZero()) {
            throw new IllegalArgumentException("warmupMinimum=" + warmupMinimum + ", warmupLimit=" + warmupLimit
                + ", sampleLimit=" + sampleLimit + ": the warm-up's minimum must be 0 or more and at most its limit, "
                + "and the timed part's limit positive");
        }
        if (messageLength < Long.BYTES || messageLength > 4096) {
            throw new IllegalArgumentException("messageLength=" + messageLength + " is outside 8..4096 bytes");
        }
        if (segments < 1 || segments > samples) {
            throw new IllegalArgumentException("segments=" + segments + ", samples=" + samples
                + ": the timed part needs 1 or more segments, each of at least one round trip");
        }
    }

    /**
     * The timed part in one piece (one segment).
     *
     * @param warmupRounds round trips before timing starts.
     * @param warmupMinimum the shortest warm-up of a Java row.
     * @param warmupLimit the longest warm-up.
     * @param samples timed round trips.
     * @param sampleLimit the longest timed part.
     * @param messageLength the payload of each round trip, in bytes.
     */
    public BenchSettings(final long warmupRounds, final Duration warmupMinimum, final Duration warmupLimit,
                         final long samples, final Duration sampleLimit, final int messageLength) {
        this(warmupRounds, warmupMinimum, warmupLimit, samples, sampleLimit, messageLength, 1);
    }

    /**
     * The {@code --quick} run: a warm-up of 20,000 round trips and at least 1 s (at most 3 s), then 8 segments of
     * at most 500,000 round trips or 0.3 s each per row.
     *
     * @return the quick settings.
     */
    public static BenchSettings quick() {
        return new BenchSettings(20_000, Duration.ofSeconds(1), Duration.ofSeconds(3), 4_000_000,
            Duration.ofMillis(2_400), MESSAGE_LENGTH, 8);
    }

    /**
     * The full run: a warm-up of 200,000 round trips and at least 5 s (at most 20 s), then 20 segments of at most
     * 1,000,000 round trips or 1.5 s each per row.
     *
     * @return the full settings.
     */
    public static BenchSettings full() {
        return new BenchSettings(200_000, Duration.ofSeconds(5), Duration.ofSeconds(20), 20_000_000,
            Duration.ofSeconds(30), MESSAGE_LENGTH, 20);
    }

    /**
     * @return the most timed round trips of one segment.
     */
    public long segmentSamples() {
        return Math.max(1, samples / segments);
    }

    /**
     * @return the longest timed part of one segment.
     */
    public Duration segmentLimit() {
        return sampleLimit.dividedBy(segments);
    }

    /**
     * @return the untimed round trips at the start of each segment: a tenth of the warm-up's count, at most
     *     {@value #SEGMENT_WARMUP_ROUNDS}.
     */
    public long segmentWarmupRounds() {
        return Math.min(SEGMENT_WARMUP_ROUNDS, warmupRounds / 10);
    }

    /**
     * @return the settings of one segment as a run of its own (for a C program, which runs once per segment).
     */
    public BenchSettings segment() {
        return new BenchSettings(segmentWarmupRounds(), Duration.ZERO, warmupLimit, segmentSamples(), segmentLimit(),
            messageLength, 1);
    }

    /**
     * The budget of a one-to-many row ({@link FanPingPong}): a quarter of the warm-up's round trips, half its
     * minimum and limit, and half the timed part, in the same number of segments. Those rows start N + 1 JVMs on
     * two cores; so that they do not make a quick run much longer, each of their segments is shorter.
     *
     * @return the shortened settings.
     */
    public BenchSettings fanOut() {
        return new BenchSettings(warmupRounds / 4, warmupMinimum.dividedBy(2), warmupLimit.dividedBy(2), samples,
            sampleLimit.dividedBy(2), messageLength, segments);
    }

    /**
     * @return how long one run of a C program or one echo process's start may take at most, clean-up included.
     */
    public Duration rowDeadline() {
        return warmupLimit.plus(sampleLimit).plusSeconds(60);
    }

    /**
     * @return a one-line description, e.g. for a progress line.
     */
    public String describe() {
        return String.format("warm-up %,d round trips and %d-%d s, then %d segments of %,d timed or %d ms per row, "
                + "%d-byte messages", warmupRounds, warmupMinimum.toSeconds(), warmupLimit.toSeconds(), segments,
            segmentSamples(), segmentLimit().toMillis(), messageLength);
    }
}
