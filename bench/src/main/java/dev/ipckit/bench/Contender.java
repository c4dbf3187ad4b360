package dev.ipckit.bench;

import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

/**
 * One round-trip row opened for an interleaved run: it warms up once, then measures one segment at a time while
 * the rows it is compared with take their turns ({@link Interleaving}). Between its segments, its child process is
 * stopped ({@link PeerPause}). {@link #close()} resumes the child, ends it and removes every file the row made.
 */
interface Contender extends AutoCloseable {
    /**
     * Warms up, then stops the child until the first segment.
     *
     * @param progress where progress lines go.
     */
    void warmUp(Progress progress);

    /**
     * Resumes the child, measures one segment ({@link BenchSettings#segmentSamples()},
     * {@link BenchSettings#segmentLimit()}), and stops the child again.
     *
     * @param progress where progress lines go.
     * @return the segment's round trips in nanoseconds, valid until the next call.
     * @throws RuntimeException with a sentence when the row fails.
     */
    Histogram segment(Progress progress);

    @Override
    void close();

    /**
     * A Java row: a {@link RoundTripLoop} in this JVM and an echo process it stops between segments.
     *
     * @param loop the round trips.
     * @param settings counts and limits.
     * @param pause the echo process's pause.
     * @param ending how the echo process ended ("" while it runs), added to a failure's sentence.
     * @param resources what {@link #close()} closes, after resuming the echo process.
     * @return the contender.
     */
    static Contender java(final RoundTripLoop loop, final BenchSettings settings, final PeerPause pause,
                          final Supplier<String> ending, final AutoCloseable resources) {
        return new Contender() {
            private final Histogram histogram = RowResult.newHistogram();

            @Override
            public void warmUp(final Progress progress) {
                try {
                    loop.warmUp(settings, progress);
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, ending.get());
                }
                pause.stop();
            }

            @Override
            public Histogram segment(final Progress progress) {
                histogram.reset();
                pause.resume();
                try {
                    loop.timed(settings.segmentWarmupRounds(), settings.segmentSamples(),
                        settings.segmentLimit().toNanos(), histogram);
                } catch (final RuntimeException e) {
                    throw JavaChild.explained(e, ending.get());
                } finally {
                    pause.stop();
                }
                return histogram;
            }

            @Override
            public void close() {
                pause.resumeAndClose(resources);
            }
        };
    }

    /**
     * A C row: one run of {@code pingpong MODE} per segment.
     *
     * @param limits the compiled program.
     * @param mode the C mode.
     * @param settings counts and limits ({@link BenchSettings#segment()} per run).
     * @return the contender.
     */
    static Contender c(final CLimits limits, final String mode, final BenchSettings settings) {
        return new Contender() {
            @Override
            public void warmUp(final Progress progress) {
                if (limits.missing() != null) {
                    throw new IllegalStateException(limits.missing());
                }
            }

            @Override
            public Histogram segment(final Progress progress) {
                return limits.measure(mode, settings.segment(), progress);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A whole measurement, as a row that cannot stay open between segments provides it.
     */
    @FunctionalInterface
    interface Measure {
        /**
         * @param settings counts and limits of one run.
         * @param progress where progress lines go.
         * @return the timed round trips, in nanoseconds.
         * @throws java.io.IOException when a file it needs cannot be made.
         */
        Histogram measure(BenchSettings settings, Progress progress) throws java.io.IOException;
    }

    /**
     * A row that runs afresh for every segment ({@link BenchSettings#segment()}: a short warm-up, one segment's
     * round trips), as the C rows do. For a Java row this pays a JVM start and a cold JIT per segment, so
     * {@link #java} is the form to prefer; this one lets a row written as one whole measurement join the
     * interleaved run with a single line.
     *
     * @param measure the whole measurement.
     * @param settings counts and limits.
     * @return the contender.
     */
    static Contender perSegment(final Measure measure, final BenchSettings settings) {
        return new Contender() {
            @Override
            public void warmUp(final Progress progress) {
            }

            @Override
            public Histogram segment(final Progress progress) {
                try {
                    return measure.measure(settings.segment(), progress);
                } catch (final java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
