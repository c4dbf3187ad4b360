package dev.ipckit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run's comparisons beside an earlier run's ({@code ipckit bench --against DIR}), read from the two directories'
 * {@code ratios.csv} and {@code throughput.csv}: a comparison both runs call stable agrees when the two medians are
 * within {@value #AGREEMENT_PERCENT} % of each other, and is <b>unstable across runs</b> otherwise. The host can move
 * between two runs and stay put during each (both passes of each run agree); this is the check that names the
 * comparisons whose figure the next run would not repeat. Written to {@code DIR/against.csv}:
 *
 * <pre>
 *   table,row,reference,size,ratio,earlier_ratio,verdict
 *   latency,fifo/spin,c/pipe-spin,,1.59,1.29,unstable across runs: 23 % apart (the limit is 15 %)
 *   throughput,mmap/spin,c/shm-spin,65536,0.91,0.99,agrees
 * </pre>
 */
public final class RunAgainst {
    /** The file in the later run's directory. */
    public static final String CSV = "against.csv";
    /** Its first line. */
    public static final String HEADER = "table,row,reference,size,ratio,earlier_ratio,verdict";
    /** How far apart two runs' medians may be and still agree, in percent of the earlier one. */
    public static final int AGREEMENT_PERCENT = 15;

    private RunAgainst() {
    }

    /**
     * One comparison in both runs.
     *
     * @param table latency or throughput.
     * @param row the row.
     * @param reference what it is divided by.
     * @param size the message length of a throughput comparison, else "".
     * @param ratio this run's median ratio, or "" when this run called it unstable.
     * @param earlier the earlier run's, or "" likewise.
     * @param verdict {@code agrees}, {@code unstable across runs: ...}, or {@code unstable in ...}.
     */
    public record Line(String table, String row, String reference, String size, String ratio, String earlier,
                       String verdict) {
        /**
         * @return whether the two runs agree.
         */
        public boolean agrees() {
            return verdict.equals("agrees");
        }

        String csvLine() {
            return String.join(",", table, row, reference, size, ratio, earlier, verdict);
        }
    }

    /**
     * @param later the directory of this run.
     * @param earlier the directory of the earlier run.
     * @return one line per comparison in either run, this run's order first.
     * @throws UncheckedIOException when a file cannot be read.
     */
    public static List<Line> compare(final Path later, final Path earlier) {
        final Map<String, String[]> now = read(later);
        final Map<String, String[]> before = read(earlier);
        final List<Line> lines = new ArrayList<>();
        for (final Map.Entry<String, String[]> entry : now.entrySet()) {
            lines.add(line(entry.getValue(), before.get(entry.getKey())));
        }
        for (final Map.Entry<String, String[]> entry : before.entrySet()) {
            if (!now.containsKey(entry.getKey())) {
                final String[] key = entry.getValue();
                lines.add(new Line(key[0], key[1], key[2], key[3], "", key[4], "not in this run"));
            }
        }
        return lines;
    }

    private static Line line(final String[] now, final String[] before) {
        if (before == null) {
            return new Line(now[0], now[1], now[2], now[3], now[4], "", "not in the earlier run");
        }
        final boolean stableNow = !now[4].isEmpty();
        final boolean stableBefore = !before[4].isEmpty();
        final String verdict;
        if (stableNow && stableBefore) {
            final double apart = Math.abs(Double.parseDouble(now[4]) / Double.parseDouble(before[4]) - 1);
            verdict = apart <= AGREEMENT_PERCENT / 100.0 ? "agrees" : String.format(Locale.ROOT,
                "unstable across runs: %.0f %% apart (the limit is %d %%)", apart * 100, AGREEMENT_PERCENT);
        } else {
            verdict = "unstable in " + (stableNow ? "the earlier run" : stableBefore ? "this run" : "both runs");
        }
        return new Line(now[0], now[1], now[2], now[3], now[4], before[4], verdict);
    }

    /**
     * @return by key, {table, row, reference, size, median ratio or ""} for every comparison in the directory.
     */
    private static Map<String, String[]> read(final Path directory) {
        final Map<String, String[]> comparisons = new LinkedHashMap<>();
        for (final String line : lines(directory.resolve(Comparison.CSV))) {
            // row,reference,p50_ratio,p99_ratio,segments,spread,verdict
            final String[] field = line.split(",", -1);
            if (field.length >= 7) {
                put(comparisons, new String[] {"latency", field[0], field[1], "", field[2]});
            }
        }
        for (final String line : lines(directory.resolve(StreamBench.CSV))) {
            // row,size,msgs_per_s,mb_per_s,segments,reference,ratio,spread,verdict,subscribers,total_msgs_per_s
            final String[] field = line.split(",", -1);
            if (field.length >= 11 && !field[5].isEmpty()) {
                put(comparisons, new String[] {"throughput", field[0], field[5], field[1], field[6]});
            }
        }
        return comparisons;
    }

    private static void put(final Map<String, String[]> comparisons, final String[] key) {
        comparisons.put(key[0] + " " + key[1] + " " + key[2] + " " + key[3], key);
    }

    private static List<String> lines(final Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? lines : lines.subList(1, lines.size());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code DIR/against.csv}.
     *
     * @param directory this run's directory.
     * @param lines from {@link #compare}.
     * @throws UncheckedIOException when it cannot be written.
     */
    public static void write(final Path directory, final List<Line> lines) {
        final List<String> csv = new ArrayList<>();
        csv.add(HEADER);
        lines.forEach(line -> csv.add(line.csvLine()));
        try {
            Files.write(directory.resolve(CSV), csv, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + directory.resolve(CSV) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes back, in this run's {@code ratios.csv} and {@code throughput.csv}, the ratios its own rule called stable and
     * that moved more than {@value #AGREEMENT_PERCENT} % since the earlier run: their ratio fields are emptied and their
     * verdict says {@code unstable across runs: N % apart from the earlier run (the limit is 15 %)}, so that neither
     * file prints a figure the next run would not repeat.
     *
     * @param directory this run's directory.
     * @param lines from {@link #compare}.
     * @throws UncheckedIOException when a file cannot be read or written.
     */
    public static void markUnstable(final Path directory, final List<Line> lines) {
        final Map<String, String> moved = new LinkedHashMap<>();
        for (final Line line : lines) {
            if (line.verdict().startsWith("unstable across runs")) {
                moved.put(line.table() + " " + line.row() + " " + line.reference() + " " + line.size(),
                    line.verdict().replace(" apart ", " apart from the earlier run "));
            }
        }
        rewrite(directory.resolve(Comparison.CSV), field -> moved.get("latency " + field[0] + " " + field[1] + " "),
            new int[] {2, 3}, 6);
        rewrite(directory.resolve(StreamBench.CSV), field -> moved.get("throughput " + field[0] + " " + field[5] + " "
            + field[1]), new int[] {6}, 8);
    }

    private static void rewrite(final Path file, final java.util.function.Function<String[], String> verdictOf,
                                final int[] ratios, final int verdictField) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            final List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            for (int i = 1; i < lines.size(); i++) { // line 0 is the header
                final String[] field = lines.get(i).split(",", -1);
                final String verdict = field.length > verdictField ? verdictOf.apply(field) : null;
                if (verdict != null) {
                    for (final int ratio : ratios) {
                        field[ratio] = "";
                    }
                    field[verdictField] = verdict;
                    lines.set(i, String.join(",", field));
                }
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Prints the comparisons both runs have, and a count.
     *
     * @param lines from {@link #compare}.
     * @param earlier the earlier run's directory, for the heading.
     * @param out where to print.
     */
    public static void print(final List<Line> lines, final Path earlier, final PrintStream out) {
        out.printf(Locale.ROOT, "against the run in %s: two medians agree within %d %%%n", earlier, AGREEMENT_PERCENT);
        int agree = 0;
        int apart = 0;
        int unstable = 0;
        for (final Line line : lines) {
            if (line.verdict().startsWith("not in")) {
                continue;
            }
            out.printf(Locale.ROOT, "%-10s %-30s %-7s %6s %6s  %s%n", line.table(), line.row() + " / "
                + line.reference(), line.size(), line.ratio().isEmpty() ? "-" : line.ratio(),
                line.earlier().isEmpty() ? "-" : line.earlier(), line.verdict());
            if (line.agrees()) {
                agree++;
            } else if (line.verdict().startsWith("unstable across")) {
                apart++;
            } else {
                unstable++;
            }
        }
        out.printf(Locale.ROOT, "%d agree, %d unstable across runs, %d unstable within a run%n", agree, apart, unstable);
    }
}
