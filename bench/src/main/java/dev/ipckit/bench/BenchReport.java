package dev.ipckit.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The outcome of a ping-pong run: one {@link RowResult} per row (its segments pooled), in the table's order, the
 * per-segment comparisons, and where the files went.
 *
 * @param results the rows.
 * @param comparisons each row beside each of its references that was run, in the table's order.
 * @param settings how they were run.
 * @param directory where {@code latency.csv}, {@code ratios.csv}, {@code latency.svg} and the {@code .hgrm} files
 *     were written.
 */
public record BenchReport(List<RowResult> results, List<Comparison> comparisons, BenchSettings settings,
                          Path directory) {
    /**
     * Copies the lists.
     */
    public BenchReport {
        results = List.copyOf(results);
        comparisons = List.copyOf(comparisons);
    }

    /**
     * A report without per-segment comparisons.
     *
     * @param results the rows.
     * @param settings how they were run.
     * @param directory where the files go.
     */
    public BenchReport(final List<RowResult> results, final BenchSettings settings, final Path directory) {
        this(results, List.of(), settings, directory);
    }

    /**
     * @return whether any row that was not skipped has no figures.
     */
    public boolean failed() {
        return results.stream().anyMatch(result -> !result.ok() && !result.skipped());
    }

    /**
     * @param row a row name.
     * @param reference one of its references.
     * @return their comparison, if both were measured.
     */
    public Optional<Comparison> comparison(final String row, final String reference) {
        return comparisons.stream().filter(c -> c.row().equals(row) && c.reference().equals(reference)).findFirst();
    }

    /**
     * @param name a row name.
     * @return that row's result, if it was run.
     */
    public Optional<RowResult> result(final String name) {
        return results.stream().filter(result -> result.row().name().equals(name)).findFirst();
    }

    /**
     * The ratio of a row's pooled percentile to its C limit's pooled percentile (all segments together; the
     * per-segment medians are in {@link #comparisons()}).
     *
     * @param result an ipckit row's result.
     * @param percentile 0..100.
     * @return the ratio, or empty when either row has no figures or the row has no limit.
     */
    public Optional<Double> ratio(final RowResult result, final double percentile) {
        if (!result.ok() || result.row().limit() == null) {
            return Optional.empty();
        }
        return result(result.row().limit()).filter(RowResult::ok)
            .map(limit -> (double) result.nanosAt(percentile) / Math.max(1, limit.nanosAt(percentile)));
    }

    /**
     * Prints the table: pooled percentiles in microseconds, samples, and each row's pooled ratio to its C limit at
     * p50 and p99; then the per-segment comparisons (median ratio, its spread, or "unstable" and why); then one
     * line per row without figures, saying why.
     *
     * @param out where.
     */
    public void print(final PrintStream out) {
        out.printf(Locale.ROOT, "%-18s %-6s %9s %9s %9s %9s %10s %9s   %s%n", "row", "kind", "p50 us", "p90 us",
            "p99 us", "p99.9 us", "max us", "samples", "pooled vs C limit (p50, p99)");
        for (final RowResult result : results) {
            final Row row = result.row();
            if (!result.ok()) {
                out.printf(Locale.ROOT, "%-18s %-6s %9s %9s %9s %9s %10s %9s   %s%n", row.name(), row.kind().label(),
                    "-", "-", "-", "-", "-", "0", result.skipped() ? "skipped (see below)" : "no figures (see below)");
                continue;
            }
            final String versus = ratio(result, 50)
                .map(p50 -> String.format(Locale.ROOT, "%.2fx, %.2fx  %s", p50, ratio(result, 99).orElseThrow(),
                    row.limit()))
                .orElse(row.limit() == null ? ""
                    : "-  (" + row.limit() + (result(row.limit()).isPresent() ? " has no figures)" : " was not run)"));
            out.printf(Locale.ROOT, "%-18s %-6s %9s %9s %9s %9s %10s %9d   %s%n", row.name(), row.kind().label(),
                micros(result.nanosAt(50)), micros(result.nanosAt(90)), micros(result.nanosAt(99)),
                micros(result.nanosAt(99.9)), micros(result.histogram().getMaxValue()),
                result.histogram().getTotalCount(), versus);
        }
        if (!comparisons.isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "per-segment ratios: the median over the interleaved segments, the spread min-max; "
                + "unstable when the middle segments span more than %d %% of the median, or the medians of the two "
                + "passes differ by more than %d %%%n", SegmentRatio.UNSTABLE_SPREAD_PERCENT,
                SegmentRatio.PASS_AGREEMENT_PERCENT);
            out.printf(Locale.ROOT, "%-30s %-8s %-11s  %-7s %3s%n", "row / reference", "p50", "(spread)", "p99",
                "segments");
            comparisons.forEach(comparison -> out.println(comparison.tableLine()));
        }
        for (final RowResult result : results) {
            if (!result.ok()) {
                out.println(result.row().name() + (result.skipped() ? " skipped: " : ": ") + result.failure());
            }
        }
        if (results.stream().anyMatch(result -> result.row().subscribers() > 0)) {
            out.println(FanSession.coresNote());
        }
    }

    private static String micros(final long nanos) {
        return String.format(Locale.ROOT, nanos < 100_000 ? "%.2f" : "%.0f", nanos / 1000.0);
    }
}
