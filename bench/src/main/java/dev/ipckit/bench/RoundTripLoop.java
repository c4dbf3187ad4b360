package dev.ipckit.bench;

import org.HdrHistogram.Histogram;

/**
 * The measuring side of a Java ping-pong row: warm-up round trips (at least the count and the minimum time, at most
 * the limit), then timed ones recorded in a histogram until the count or the time limit ({@link BenchSettings}).
 * Subclasses do one round trip.
 */
abstract class RoundTripLoop {
    /** How many round trips pass between two looks at the clock during the warm-up. */
    private static final int CLOCK_CHECK_MASK = 1023;

    /**
     * Sends a message carrying {@code sequence} and waits for the same message to come back.
     *
     * @param sequence the round trip's number, from 0, to be found in the echo.
     * @throws IllegalStateException with a sentence when no echo comes within the row's timeout or the echo
     *     differs.
     */
    protected abstract void roundTrip(long sequence);

    /**
     * Runs the warm-up, then the timed round trips.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     */
    public final Histogram run(final BenchSettings settings, final Progress progress) {
        long sequence = 0;
        final long warmupRounds = settings.warmupRounds();
        final long warmupStart = System.nanoTime();
        final long warmupMinimumEnd = warmupStart + settings.warmupMinimum().toNanos();
        final long warmupEnd = warmupStart + settings.warmupLimit().toNanos();
        boolean minimumPassed = settings.warmupMinimum().isZero();
        for (long i = 0; i < warmupRounds || !minimumPassed; i++) {
            roundTrip(sequence++);
            if ((i & CLOCK_CHECK_MASK) == CLOCK_CHECK_MASK || i + 1 >= warmupRounds) {
                final long now = System.nanoTime();
                if (now - warmupEnd >= 0) {
                    break;
                }
                minimumPassed = now - warmupMinimumEnd >= 0;
                progress.tick(now, "warm-up", i + 1, warmupRounds);
            }
        }
        final Histogram histogram = RowResult.newHistogram();
        final long samples = settings.samples();
        final long sampleEnd = System.nanoTime() + settings.sampleLimit().toNanos();
        for (long i = 0; i < samples; i++) {
            final long start = System.nanoTime();
            roundTrip(sequence++);
            final long end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, RowResult.HIGHEST_TRACKABLE_NANOS));
            if (end - sampleEnd >= 0) {
                break;
            }
            progress.tick(end, "timed", i + 1, samples);
        }
        return histogram;
    }
}
