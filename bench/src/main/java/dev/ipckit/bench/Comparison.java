package dev.ipckit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row set beside one of its references in an interleaved run: the ratios of their p50 and p99 round trips
 * taken round by round ({@link SegmentRatio}). Written to {@code ratios.csv}:
 *
 * <pre>
 * row,reference,p50_ratio,p99_ratio,segments,spread,verdict
 * mmap/spin,c/shm-spin,1.52,2.01,8,1.41-1.63,stable
 * mmap/backoff,c/shm-spin,,,8,0.95-3.10,unstable: the middle segments span 120 % of the median (the limit is 30 %)
 * </pre>
 *
 * {@code p50_ratio} and {@code p99_ratio} are the medians of the per-segment ratios, {@code spread} the lowest and
 * highest per-segment p50 ratio; an unstable comparison has no ratios, only its spread and the reason.
 *
 * @param row the row.
 * @param reference the row it is divided by.
 * @param p50 the per-segment p50 ratios.
 * @param p99 the per-segment p99 ratios.
 */
public record Comparison(String row, String reference, SegmentRatio p50, SegmentRatio p99) {
    /** The CSV's file name. */
    public static final String CSV = "ratios.csv";
    /** The CSV's first line. */
    public static final String HEADER = "row,reference,p50_ratio,p99_ratio,segments,spread,verdict";

    /**
     * @return "stable", or "unstable: " and why.
     */
    public String verdict() {
        return p50.stable() ? "stable" : "unstable: " + p50.why();
    }

    /**
     * @return the CSV line.
     */
    public String csvLine() {
        final boolean stable = p50.stable();
        return row + "," + reference + "," + (stable ? format(p50.median()) : "") + ","
            + (stable ? format(p99.median()) : "") + "," + p50.segments() + "," + p50.spread() + "," + verdict();
    }

    /**
     * @return the line of the printed table, e.g. {@code mmap/spin / c/shm-spin  1.52x (1.41-1.63)  2.01x  8}.
     */
    public String tableLine() {
        final String pair = row + " / " + reference;
        if (!p50.stable()) {
            return String.format(Locale.ROOT, "%-30s %-8s (%s)  %-7s %3d   unstable: %s", pair, "-", p50.spread(),
                "-", p50.segments(), p50.why());
        }
        return String.format(Locale.ROOT, "%-30s %-8s (%s)  %-7s %3d", pair, format(p50.median()) + "x",
            p50.spread(), format(p99.median()) + "x", p50.segments());
    }

    /**
     * @param comparisons the comparisons, in order.
     * @return the CSV's lines, header first.
     */
    public static List<String> csvLines(final List<Comparison> comparisons) {
        final List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        comparisons.forEach(comparison -> lines.add(comparison.csvLine()));
        return lines;
    }

    /**
     * Writes {@code ratios.csv}, replacing any earlier one.
     *
     * @param file where.
     * @param comparisons the comparisons.
     * @throws IOException when it cannot be written.
     */
    public static void write(final Path file, final List<Comparison> comparisons) throws IOException {
        Files.write(file, csvLines(comparisons), StandardCharsets.UTF_8);
    }

    private static String format(final double ratio) {
        return SegmentRatio.format(ratio);
    }
}
