package dev.ipckit.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The ratios of one comparison taken segment by segment (row ÷ reference, each pair measured back to back in one
 * round of an interleaved run), their median and their spread.
 *
 * <p>The rule for an <b>unstable</b> comparison, written also in the command's help and in README: a comparison
 * is unstable when it has fewer than {@value #MINIMUM_SEGMENTS} segments with figures on both sides, or when its
 * middle segments' ratios span more than {@value #UNSTABLE_SPREAD_PERCENT} % of their median. The middle segments
 * are all of them up to {@value #TRIM_FROM} segments, and all but the lowest and the highest from
 * {@value #TRIM_FROM} on, so that one segment caught by a stall of the host does not condemn a comparison whose
 * other segments agree. The spread that is reported is always the full one (min–max).
 *
 * <p>A run in two passes ({@link Interleaving#passes(int)}) is also unstable when the medians of its passes, taken
 * minutes apart, differ by more than {@value #PASS_AGREEMENT_PERCENT} % of the median: the host moved between them,
 * and the next run would not repeat the figure.
 *
 * @param ratios the per-segment ratios, in the order of the rounds.
 * @param passes the pass of each ratio, from 0 (all 0 for a run in one pass).
 */
public record SegmentRatio(double[] ratios, int[] passes) {
    /** Fewer segments than this never make a stable comparison. */
    public static final int MINIMUM_SEGMENTS = 3;
    /** From this many segments on, the lowest and the highest ratio are set aside by the rule. */
    public static final int TRIM_FROM = 5;
    /** The widest span of the middle segments, in percent of the median, that is still stable. */
    public static final int UNSTABLE_SPREAD_PERCENT = 30;
    /** How far apart, in percent of the median, the medians of a run's passes may be and still be stable. */
    public static final int PASS_AGREEMENT_PERCENT = 15;

    /**
     * Copies the ratios.
     *
     * @throws IllegalArgumentException when a ratio is not a positive finite number.
     */
    public SegmentRatio {
        ratios = ratios.clone();
        passes = passes.clone();
        if (passes.length != ratios.length) {
            throw new IllegalArgumentException(ratios.length + " ratios but " + passes.length + " passes");
        }
        for (final double ratio : ratios) {
            if (!(ratio > 0) || Double.isInfinite(ratio)) {
                throw new IllegalArgumentException("ratio=" + ratio + " is not a positive finite number");
            }
        }
    }

    /**
     * Ratios of a run in one pass.
     *
     * @param ratios the per-segment ratios.
     */
    public SegmentRatio(final double[] ratios) {
        this(ratios, new int[ratios.length]);
    }

    /**
     * @param row the row's figure per round (e.g. its p50 in ns, or its messages per second); NaN where it has none.
     * @param reference the reference's figure per round, the same length.
     * @return the ratios of the rounds where both have a figure, as of a run in one pass.
     * @throws IllegalArgumentException when the lengths differ.
     */
    public static SegmentRatio of(final double[] row, final double[] reference) {
        return of(row, reference, 1);
    }

    /**
     * @param row the row's figure per round (e.g. its p50 in ns, or its messages per second); NaN where it has none.
     * @param reference the reference's figure per round, the same length.
     * @param passes how many passes the rounds ran in ({@link Interleaving#passOf}).
     * @return the ratios of the rounds where both have a figure, each with its pass.
     * @throws IllegalArgumentException when the lengths differ.
     */
    public static SegmentRatio of(final double[] row, final double[] reference, final int passes) {
        if (row.length != reference.length) {
            throw new IllegalArgumentException("row has " + row.length + " segments, reference " + reference.length);
        }
        final int[] rounds = java.util.stream.IntStream.range(0, row.length)
            .filter(i -> row[i] > 0 && reference[i] > 0)
            .toArray();
        return new SegmentRatio(java.util.Arrays.stream(rounds).mapToDouble(i -> row[i] / reference[i]).toArray(),
            java.util.Arrays.stream(rounds).map(i -> Interleaving.passOf(row.length, passes, i)).toArray());
    }

    /**
     * @return the median of each pass that has ratios, in the order of the passes.
     */
    public double[] passMedians() {
        final int count = java.util.Arrays.stream(passes).max().orElse(-1) + 1;
        final double[] medians = new double[count];
        int filled = 0;
        for (int pass = 0; pass < count; pass++) {
            final int current = pass;
            final double[] mine = java.util.stream.IntStream.range(0, ratios.length).filter(i -> passes[i] == current)
                .mapToDouble(i -> ratios[i]).sorted().toArray();
            if (mine.length > 0) {
                medians[filled++] = median(mine, 0, mine.length);
            }
        }
        return java.util.Arrays.copyOf(medians, filled);
    }

    /**
     * @return how far apart the passes' medians are, divided by the median; 0 for a run in one pass.
     */
    public double passSpread() {
        final double[] medians = passMedians();
        if (medians.length < 2) {
            return 0;
        }
        final double[] sorted = medians.clone();
        Arrays.sort(sorted);
        return (sorted[sorted.length - 1] - sorted[0]) / median();
    }

    /**
     * @return how many segments have a ratio.
     */
    public int segments() {
        return ratios.length;
    }

    /**
     * @return the median ratio (the mean of the two middle ones for an even count); NaN without segments.
     */
    public double median() {
        return median(sorted(), 0, ratios.length);
    }

    /**
     * @return the lowest ratio; NaN without segments.
     */
    public double min() {
        return ratios.length == 0 ? Double.NaN : sorted()[0];
    }

    /**
     * @return the highest ratio; NaN without segments.
     */
    public double max() {
        return ratios.length == 0 ? Double.NaN : sorted()[ratios.length - 1];
    }

    /**
     * @return the span of the middle segments (see the class comment) divided by the median; NaN without segments.
     */
    public double middleSpread() {
        if (ratios.length == 0) {
            return Double.NaN;
        }
        final double[] sorted = sorted();
        final int trim = ratios.length >= TRIM_FROM ? 1 : 0;
        return (sorted[ratios.length - 1 - trim] - sorted[trim]) / median();
    }

    /**
     * @return whether the median can be trusted by the rule in the class comment.
     */
    public boolean stable() {
        return ratios.length >= MINIMUM_SEGMENTS && middleSpread() <= UNSTABLE_SPREAD_PERCENT / 100.0
            && passSpread() <= PASS_AGREEMENT_PERCENT / 100.0;
    }

    /**
     * @return why the comparison is unstable, in a few words, or "" when it is stable.
     */
    public String why() {
        if (ratios.length < MINIMUM_SEGMENTS) {
            return ratios.length + " segment" + (ratios.length == 1 ? "" : "s") + " with figures on both sides (at "
                + "least " + MINIMUM_SEGMENTS + " are needed)";
        }
        if (middleSpread() > UNSTABLE_SPREAD_PERCENT / 100.0) {
            final double span = middleSpread();
            return (span >= 10 ? String.format(Locale.ROOT, "the middle segments span %.0f times the median", span)
                : String.format(Locale.ROOT, "the middle segments span %.0f %% of the median", span * 100))
                + " (the limit is " + UNSTABLE_SPREAD_PERCENT + " %)";
        }
        if (!stable()) {
            final StringBuilder medians = new StringBuilder();
            for (final double median : passMedians()) {
                medians.append(medians.isEmpty() ? "" : " and ").append(format(median));
            }
            return String.format(Locale.ROOT, "its two passes (minutes apart) disagree: medians %s differ by %.0f %% of the "
                + "median (the limit is %d %%)", medians, passSpread() * 100, PASS_AGREEMENT_PERCENT);
        }
        return "";
    }

    /**
     * @return the full spread as {@code min-max} with two decimals ({@link #format}), e.g. {@code 1.12-1.31}; ""
     *     without segments.
     */
    public String spread() {
        return ratios.length == 0 ? "" : format(min()) + "-" + format(max());
    }

    /**
     * @param ratio a ratio.
     * @return it with two decimals, or three significant digits when it is below 0.1.
     */
    static String format(final double ratio) {
        return ratio >= 0.1 ? String.format(Locale.ROOT, "%.2f", ratio) : String.format(Locale.ROOT, "%.3g", ratio);
    }

    private double[] sorted() {
        final double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return sorted;
    }

    private static double median(final double[] sorted, final int from, final int to) {
        final int n = to - from;
        if (n == 0) {
            return Double.NaN;
        }
        final int middle = from + n / 2;
        return n % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof SegmentRatio that && Arrays.equals(ratios, that.ratios)
            && Arrays.equals(passes, that.passes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ratios) + Arrays.hashCode(passes);
    }

    @Override
    public String toString() {
        return "SegmentRatio" + Arrays.toString(ratios);
    }
}
