package dev.ipckit.bench;

import org.HdrHistogram.Histogram;

/**
 * What one row produced: a histogram of round-trip times in nanoseconds (all its segments pooled), or the sentence
 * saying why it has none. A <i>skipped</i> row could not be set up in this build (its URI is refused: an option
 * that does not exist yet); it has no figures but does not count as a failure.
 *
 * @param row the row.
 * @param histogram the round trips, in nanoseconds; null when the row failed or could not run.
 * @param failure why the row has no figures, or null.
 * @param seconds how long the row took, start-up included.
 * @param skipped whether the row was skipped rather than failed.
 */
public record RowResult(Row row, Histogram histogram, String failure, double seconds, boolean skipped) {
    /** The longest round trip a histogram records exactly: 60 s; longer ones are recorded as 60 s. */
    public static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

    /**
     * @return an empty histogram for round-trip times: 1 ns to 60 s, three significant digits.
     */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
    }

    /**
     * @param row the row.
     * @param histogram its round trips.
     * @param seconds how long it took.
     * @return a row with figures.
     */
    public static RowResult measured(final Row row, final Histogram histogram, final double seconds) {
        return new RowResult(row, histogram, null, seconds, false);
    }

    /**
     * @param row the row.
     * @param failure one sentence: why there are no figures.
     * @param seconds how long it took.
     * @return a row without figures.
     */
    public static RowResult failed(final Row row, final String failure, final double seconds) {
        return new RowResult(row, null, failure, seconds, false);
    }

    /**
     * @param row the row.
     * @param reason one sentence: why this build cannot run it (e.g. its URI is refused).
     * @return a skipped row.
     */
    public static RowResult skipped(final Row row, final String reason) {
        return new RowResult(row, null, reason, 0, true);
    }

    /**
     * @return whether the row has figures.
     */
    public boolean ok() {
        return histogram != null && histogram.getTotalCount() > 0;
    }

    /**
     * @param percentile 0..100.
     * @return the round trip at that percentile in nanoseconds.
     * @throws IllegalStateException when the row has no figures.
     */
    public long nanosAt(final double percentile) {
        if (!ok()) {
            throw new IllegalStateException("row " + row.name() + " has no figures: " + failure);
        }
        return histogram.getValueAtPercentile(percentile);
    }
}
