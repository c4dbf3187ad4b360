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
    /** How many spins pass between two looks at the clock and the echo process while waiting for an echo. */
    private static final int SPIN_CHECK_MASK = (1 << 16) - 1;
    /** How long a row waits for one echo (or for room to send) before it fails. */
    public static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(10);
    /** {@link #TIMEOUT} in nanoseconds. */
    private static final long ECHO_TIMEOUT_NANOS = TIMEOUT.toNanos();

    /** The next round trip's number: it runs on across the warm-up and the segments. */
    private long sequence;

    /**
     * Sends a message carrying {@code sequence} and waits for the same message to come back.
     *
     * @param sequence the round trip's number, from 0, to be found in the echo.
     * @throws IllegalStateException with a sentence when no echo comes within the row's timeout or the echo
     *     differs.
     */
    protected abstract void roundTrip(long sequence);

    /**
     * For rows that spin for their echo: looks once for the echo.
     *
     * @return true when the echo arrived.
     */
    protected boolean pollEcho() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not spin for its echo");
    }

    /**
     * Spins on {@link #pollEcho()} until the echo of {@code sequence} arrives, looking at the clock and at the echo
     * process only every {@value #SPIN_CHECK_MASK} + 1 spins.
     *
     * @param row the row's name, for errors.
     * @param sequence the round trip.
     * @param echo the echo process.
     * @throws IllegalStateException when the echo process ends or no echo comes within {@link #ECHO_TIMEOUT_NANOS}.
     */
    protected final void spinForEcho(final String row, final long sequence, final Process echo) {
        long spins = 0;
        long waitStart = 0;
        while (!pollEcho()) {
            Thread.onSpinWait();
            if ((++spins & SPIN_CHECK_MASK) == 0) {
                final long now = System.nanoTime();
                if (waitStart == 0) {
                    waitStart = now;
                } else if (now - waitStart > ECHO_TIMEOUT_NANOS) {
                    throw new IllegalStateException(row + ": no echo of round trip " + sequence + " within "
                        + ECHO_TIMEOUT_NANOS / 1_000_000_000L + " s");
                }
                if (!echo.isAlive()) {
                    throw new IllegalStateException(row + ": the echo process ended during round trip " + sequence);
                }
            }
        }
    }

    /**
     * Checks that an echo is the message sent.
     *
     * @param row the row's name, for errors.
     * @param sequence the round trip.
     * @param length the length sent.
     * @param echoedSequence the sequence the echo carried.
     * @param echoedLength the echo's length.
     */
    protected static void checkEcho(final String row, final long sequence, final int length, final long echoedSequence,
                                    final int echoedLength) {
        if (echoedSequence != sequence || echoedLength != length) {
            throw new IllegalStateException(row + ": round trip " + sequence + " came back as " + echoedSequence
                + " with " + echoedLength + " bytes");
        }
    }

    /**
     * Runs the warm-up, then the timed round trips.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     * @return the timed round trips, in nanoseconds.
     */
    public final Histogram run(final BenchSettings settings, final Progress progress) {
        warmUp(settings, progress);
        final Histogram histogram = RowResult.newHistogram();
        timed(0, settings.samples(), settings.sampleLimit().toNanos(), histogram);
        return histogram;
    }

    /**
     * The row's warm-up: at least {@link BenchSettings#warmupRounds()} round trips and
     * {@link BenchSettings#warmupMinimum()}, at most {@link BenchSettings#warmupLimit()}.
     *
     * @param settings counts and limits.
     * @param progress where progress lines go.
     */
    public final void warmUp(final BenchSettings settings, final Progress progress) {
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
    }

    /**
     * One segment: {@code untimed} round trips (the echo process was just resumed), then up to {@code samples}
     * timed ones recorded in {@code histogram}, for at most {@code limitNanos}.
     *
     * @param untimed round trips before timing starts.
     * @param samples the most timed round trips.
     * @param limitNanos the longest timed part.
     * @param histogram where the round trips go, in nanoseconds.
     */
    public final void timed(final long untimed, final long samples, final long limitNanos, final Histogram histogram) {
        for (long i = 0; i < untimed; i++) {
            roundTrip(sequence++);
        }
        final long sampleEnd = System.nanoTime() + limitNanos;
        for (long i = 0; i < samples; i++) {
            final long start = System.nanoTime();
            roundTrip(sequence++);
            final long end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, RowResult.HIGHEST_TRACKABLE_NANOS));
            if (end - sampleEnd >= 0) {
                break;
            }
        }
    }
}
