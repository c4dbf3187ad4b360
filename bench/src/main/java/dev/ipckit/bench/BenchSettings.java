package dev.ipckit.bench;

import java.time.Duration;

/**
 * How long each ping-pong row runs: a warm-up of untimed round trips, then timed ones recorded in a histogram.
 * The warm-up runs at least its count and its minimum time (so that both JVMs have compiled their loops), and at
 * most its time limit; the timed part stops at its count or its time limit, whichever comes first, so a row on a
 * busy machine ends on time with fewer samples (the sample count is reported beside every figure). The C rows
 * have no JIT to warm and run the warm-up count only.
 *
 * @param warmupRounds round trips before timing starts.
 * @param warmupMinimum the shortest warm-up of a Java row.
 * @param warmupLimit the longest warm-up.
 * @param samples timed round trips.
 * @param sampleLimit the longest timed part.
 * @param messageLength the payload of each round trip, in bytes (at least 8: it carries a sequence number).
 */
public record BenchSettings(long warmupRounds, Duration warmupMinimum, Duration warmupLimit, long samples,
                            Duration sampleLimit, int messageLength) {
    /** The payload of a round trip in the table: {@value} bytes. */
    public static final int MESSAGE_LENGTH = 32;

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
    }

    /**
     * The {@code --quick} run: a warm-up of 20,000 round trips and at least 1 s (at most 3 s), then 200,000 timed
     * round trips (at most 5 s) per row; the whole table takes one to two minutes on two cores.
     *
     * @return the quick settings.
     */
    public static BenchSettings quick() {
        return new BenchSettings(20_000, Duration.ofSeconds(1), Duration.ofSeconds(3), 200_000, Duration.ofSeconds(5),
            MESSAGE_LENGTH);
    }

    /**
     * The full run: a warm-up of 200,000 round trips and at least 5 s (at most 20 s), then 2,000,000 timed round
     * trips (at most 30 s) per row; about ten minutes.
     *
     * @return the full settings.
     */
    public static BenchSettings full() {
        return new BenchSettings(200_000, Duration.ofSeconds(5), Duration.ofSeconds(20), 2_000_000,
            Duration.ofSeconds(30), MESSAGE_LENGTH);
    }

    /**
     * @return how long one row may take at most, start-up and clean-up included.
     */
    public Duration rowDeadline() {
        return warmupLimit.plus(sampleLimit).plusSeconds(60);
    }

    /**
     * @return a one-line description, e.g. for a progress line.
     */
    public String describe() {
        return String.format("warm-up %,d round trips and %d-%d s, then %,d timed or %d s per row, %d-byte messages",
            warmupRounds, warmupMinimum.toSeconds(), warmupLimit.toSeconds(), samples, sampleLimit.toSeconds(),
            messageLength);
    }
}
