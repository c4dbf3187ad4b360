package dev.ipckit.bench;

import java.time.Duration;

/**
 * How long each ping-pong row runs: a warm-up of untimed round trips, then timed ones recorded in a histogram.
 * Each part stops at its count or its time limit, whichever comes first, so a row on a busy machine ends on
 * time with fewer samples (the sample count is reported beside every figure).
 *
 * @param warmupRounds round trips before timing starts.
 * @param warmupLimit the longest warm-up.
 * @param samples timed round trips.
 * @param sampleLimit the longest timed part.
 * @param messageLength the payload of each round trip, in bytes (at least 8: it carries a sequence number).
 */
public record BenchSettings(long warmupRounds, Duration warmupLimit, long samples, Duration sampleLimit,
                            int messageLength) {
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
        if (warmupLimit.isNegative() || sampleLimit.isNegative() || sampleLimit.isZero()) {
            throw new IllegalArgumentException("warmupLimit=" + warmupLimit + ", sampleLimit=" + sampleLimit
                + ": limits must be positive (the warm-up's may be zero)");
        }
        if (messageLength < Long.BYTES || messageLength > 4096) {
            throw new IllegalArgumentException("messageLength=" + messageLength + " is outside 8..4096 bytes");
        }
    }

    /**
     * The {@code --quick} run: 20,000 warm-up round trips (at most 2 s), then 100,000 timed ones (at most 4 s)
     * per row; the whole table fits in about two minutes on two cores.
     *
     * @return the quick settings.
     */
    public static BenchSettings quick() {
        return new BenchSettings(20_000, Duration.ofSeconds(2), 100_000, Duration.ofSeconds(4), MESSAGE_LENGTH);
    }

    /**
     * The full run: 200,000 warm-up round trips (at most 15 s), then 2,000,000 timed ones (at most 30 s) per row.
     *
     * @return the full settings.
     */
    public static BenchSettings full() {
        return new BenchSettings(200_000, Duration.ofSeconds(15), 2_000_000, Duration.ofSeconds(30), MESSAGE_LENGTH);
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
        return String.format("warm-up %,d round trips or %d s, then %,d timed or %d s per row, %d-byte messages",
            warmupRounds, warmupLimit.toSeconds(), samples, sampleLimit.toSeconds(), messageLength);
    }
}
