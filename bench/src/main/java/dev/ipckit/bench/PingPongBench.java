package dev.ipckit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The ping-pong table behind {@code ipckit bench}: round trips of 32-byte messages between two processes for every
 * ipckit transport and wait mode, beside the machine's limits measured by C programs doing the same mechanism,
 * and beside raw Agrona and Aeron IPC ({@link Row#ALL}). Each row warms up, then records its round trips in an
 * HdrHistogram ({@link BenchSettings}). The rows compared with one another run interleaved ({@link Interleaving}):
 * each warms up once, then they take turns in short segments (A B C, A B C, ...), every child stopped while it
 * waits for its turn, and each comparison is the median of its per-segment ratios ({@link Comparison}). Rows are
 * reported in the order given.
 *
 * <p>{@link #run} writes into its directory:
 * <ul>
 *   <li>{@code latency.csv}: {@value LatencyCsv#HEADER}, one line per row, its segments pooled
 *       ({@link LatencyCsv});</li>
 *   <li>{@code ratios.csv}: {@value Comparison#HEADER}, one line per comparison ({@link Comparison});</li>
 *   <li>{@code NAME.hgrm} per measured row, e.g. {@code mmap_spin.hgrm}: HdrHistogram's percentile distribution,
 *       values in nanoseconds;</li>
 *   <li>{@code latency.svg}: the percentile plot ({@link PercentilePlot}).</li>
 * </ul>
 * A row that cannot be measured (its transport is not on the class path, gcc is missing, its echo process failed)
 * gets one sentence and the run goes on. Every child process is reaped and every file in {@code /dev/shm} and
 * every FIFO is removed, whatever happens.
 */
public final class PingPongBench {
    /** The CSV's file name. */
    public static final String CSV = "latency.csv";
    /** The plot's file name. */
    public static final String SVG = "latency.svg";

    private PingPongBench() {
    }

    /**
     * Runs every row.
     *
     * @param quick the short run ({@link BenchSettings#quick()}) instead of the full one.
     * @param directory where the files go; made if absent.
     * @param progress where progress lines go (e.g. {@code System.err}); null for none.
     * @return the results; {@link BenchReport#failed()} when a row has no figures.
     * @throws UncheckedIOException when the directory or a result file cannot be written.
     */
    public static BenchReport run(final boolean quick, final Path directory, final PrintStream progress) {
        return run(quick ? BenchSettings.quick() : BenchSettings.full(), Row.ALL, directory, progress);
    }

    /**
     * Runs some rows.
     *
     * @param settings counts and limits.
     * @param rows the rows, in the order to run and report them.
     * @param directory where the files go; made if absent.
     * @param progress where progress lines go; null for none.
     * @return the results.
     * @throws UncheckedIOException when the directory or a result file cannot be written.
     */
    public static BenchReport run(final BenchSettings settings, final List<Row> rows, final Path directory,
                                  final PrintStream progress) {
        return run(settings, rows, directory, progress, null);
    }

    /**
     * Opens a row for an interleaved run.
     */
    @FunctionalInterface
    interface Opener {
        /**
         * @param row the row.
         * @param settings counts and limits.
         * @param progress the row's progress lines.
         * @return the row, ready to warm up.
         * @throws IOException when a file it needs cannot be made.
         * @throws IllegalArgumentException when its URI is refused (the row is skipped).
         */
        Contender open(Row row, BenchSettings settings, Progress progress) throws IOException;
    }

    /**
     * Runs some rows, each opened by {@code opener} (the real rows when null).
     */
    static BenchReport run(final BenchSettings settings, final List<Row> rows, final Path directory,
                           final PrintStream progress, final Opener opener) {
        try {
            Files.createDirectories(directory);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make the output directory " + directory + ": " + e.getMessage(), e);
        }
        final Progress lines = new Progress(progress);
        lines.line(String.format(Locale.ROOT, "%d rows; %s; results go to %s", rows.size(), settings.describe(),
            directory));
        final List<String> names = Row.ALL.stream().filter(rows::contains).map(Row::name).toList();
        final List<List<String>> groups = Interleaving.groups(names, name -> Row.named(name).references());
        final Map<String, RowResult> measured = new HashMap<>();
        final Map<String, double[]> p50s = new HashMap<>();
        final Map<String, double[]> p99s = new HashMap<>();
        final Map<String, Histogram> pooled = new HashMap<>();
        final Map<String, Long> started = new HashMap<>();
        final int passes = Interleaving.passes(settings.segments());
        try (Rows real = new Rows(lines)) {
            final Opener open = opener != null ? opener : real;
            for (int pass = 0; pass < passes; pass++) {
                int index = 0;
                for (final List<String> group : groups) {
                    lines.group(++index, groups.size(), String.join(", ", group)
                        + (passes > 1 ? " (pass " + (pass + 1) + "/" + passes + ")" : ""));
                    runGroup(group, settings, pass, open, lines, measured, p50s, p99s, pooled, started);
                    removeLeftovers();
                }
            }
        }
        for (final String name : names) {
            if (!measured.containsKey(name)) {
                final Row row = Row.named(name);
                final Histogram histogram = pooled.get(name);
                measured.put(name, RowResult.measured(row, histogram, seconds(started.get(name))));
                lines.forRow(name).line(String.format(Locale.ROOT,
                    "p50 %.2f us, p99 %.2f us, max %.1f us (%,d round trips in %d segments)",
                    histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                    histogram.getMaxValue() / 1e3, histogram.getTotalCount(), settings.segments()));
            }
        }
        final List<Comparison> comparisons = new ArrayList<>();
        for (final String name : names) {
            for (final String reference : Row.named(name).references()) {
                if (measured.get(name).ok() && measured.containsKey(reference) && measured.get(reference).ok()) {
                    comparisons.add(new Comparison(name, reference,
                        SegmentRatio.of(p50s.get(name), p50s.get(reference), passes),
                        SegmentRatio.of(p99s.get(name), p99s.get(reference), passes)));
                }
            }
        }
        final BenchReport report = new BenchReport(rows.stream().map(row -> measured.get(row.name())).toList(),
            comparisons, settings, directory);
        try {
            write(report);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the results in " + directory + ": " + e.getMessage(), e);
        }
        return report;
    }

    /**
     * Runs one pass of one group: opens and warms up each row (stopping its child until its first segment), then
     * gives each row one segment per round of the pass ({@link Interleaving#schedule}). A row that fails is closed
     * and left out of the rounds and passes that follow ({@code measured} holds its failure); the others go on.
     * Each row's segments are pooled in {@code pooled} across the passes.
     */
    private static void runGroup(final List<String> group, final BenchSettings settings, final int pass,
                                 final Opener opener, final Progress lines, final Map<String, RowResult> measured,
                                 final Map<String, double[]> p50s, final Map<String, double[]> p99s,
                                 final Map<String, Histogram> pooled, final Map<String, Long> started) {
        final Map<String, Contender> open = new LinkedHashMap<>();
        final int passes = Interleaving.passes(settings.segments());
        try {
            for (final String name : group) {
                if (measured.containsKey(name)) {
                    continue; // failed or skipped in an earlier pass
                }
                final Row row = Row.named(name);
                final Progress rowLines = lines.forRow(name);
                started.putIfAbsent(name, System.nanoTime());
                if (!p50s.containsKey(name)) {
                    final double[] none = new double[settings.segments()];
                    Arrays.fill(none, Double.NaN);
                    p50s.put(name, none);
                    p99s.put(name, none.clone());
                }
                try {
                    final Contender contender = opener.open(row, settings, rowLines);
                    open.put(name, contender);
                    contender.warmUp(rowLines);
                    pooled.putIfAbsent(name, RowResult.newHistogram());
                } catch (final IllegalArgumentException e) {
                    closeQuietly(open.remove(name));
                    measured.put(name, RowResult.skipped(row, "its URI is refused by this build: " + sentence(e)));
                    rowLines.line("skipped: " + measured.get(name).failure());
                } catch (final IOException | RuntimeException | LinkageError e) {
                    closeQuietly(open.remove(name));
                    measured.put(name, RowResult.failed(row, sentence(e), seconds(started.get(name))));
                    rowLines.line("no figures: " + measured.get(name).failure());
                }
            }
            final StringBuilder round = new StringBuilder();
            for (final Interleaving.Slot slot : Interleaving.schedule(group, settings.segments(), passes, pass)) {
                final Contender contender = open.get(slot.row());
                if (contender != null) {
                    try {
                        final Histogram segment = contender.segment(lines.forRow(slot.row()));
                        p50s.get(slot.row())[slot.round()] = segment.getValueAtPercentile(50);
                        p99s.get(slot.row())[slot.round()] = segment.getValueAtPercentile(99);
                        pooled.get(slot.row()).add(segment);
                        round.append(String.format(Locale.ROOT, "  %s %.2f", slot.row(),
                            segment.getValueAtPercentile(50) / 1e3));
                    } catch (final RuntimeException | LinkageError e) {
                        closeQuietly(open.remove(slot.row()));
                        final Row row = Row.named(slot.row());
                        measured.put(row.name(), RowResult.failed(row, sentence(e), seconds(started.get(row.name()))));
                        lines.forRow(row.name()).line("no figures: " + measured.get(row.name()).failure());
                    }
                }
                if (slot.row().equals(group.get(group.size() - 1)) && !round.isEmpty()) {
                    lines.line(String.format(Locale.ROOT, "round %d/%d, p50 us:%s", slot.round() + 1,
                        settings.segments(), round));
                    round.setLength(0);
                }
            }
        } finally {
            for (final Contender contender : open.values()) {
                closeQuietly(contender);
            }
        }
    }

    /** The real rows: each kind's {@link Contender}; the C program compiled on the first C row, removed at the end. */
    private static final class Rows implements Opener, AutoCloseable {
        private final Progress lines;
        private CLimits limits;

        Rows(final Progress lines) {
            this.lines = lines;
        }

        @Override
        public Contender open(final Row row, final BenchSettings settings, final Progress progress)
            throws IOException {
            if (row.subscribers() > 0) {
                return FanPingPong.open(row, settings, progress);
            }
            return switch (row.kind()) {
                case IPCKIT -> row.family().equals("aeron")
                    ? Contender.perSegment(AeronUdpPingPong::measureIpckit, settings)
                    : IpckitPingPong.open(row, settings, progress);
                case LIMIT -> {
                    if (limits == null) {
                        lines.line("compiling pingpong.c with gcc -O2");
                        limits = CLimits.prepare();
                    }
                    yield Contender.c(limits, row.variant(), settings);
                }
                case PEER -> switch (row.name()) {
                    case "agrona/raw" -> AgronaRawPingPong.open(settings, progress);
                    case "aeron/ipc" -> AeronIpcPingPong.open(settings, progress);
                    case "aeron/udp-ref" -> Contender.perSegment(AeronUdpPingPong::measureReference, settings);
                    default -> throw new IllegalStateException("row=" + row.name() + " is not a known peer");
                };
            };
        }

        @Override
        public void close() {
            if (limits != null) {
                limits.close();
            }
        }
    }

    private static void closeQuietly(final Contender contender) {
        if (contender != null) {
            try {
                contender.close();
            } catch (final RuntimeException e) {
                System.err.println("bench: closing a row: " + e.getMessage());
            }
        }
    }

    private static double seconds(final long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String sentence(final Throwable e) {
        final String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
        final String line = message.strip().replace(System.lineSeparator(), " ").replace('\n', ' ');
        return line.endsWith(".") ? line : line + ".";
    }

    /**
     * Writes the CSV, one {@code .hgrm} per measured row (removing a stale one of a row without figures), and the
     * plot.
     *
     * @param report the results.
     * @throws IOException when a file cannot be written.
     */
    static void write(final BenchReport report) throws IOException {
        final Path directory = report.directory();
        LatencyCsv.write(directory.resolve(CSV), report.results());
        Comparison.write(directory.resolve(Comparison.CSV), report.comparisons());
        for (final RowResult result : report.results()) {
            final Path hgrm = directory.resolve(result.row().hgrmFileName());
            if (result.ok()) {
                try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, "UTF-8")) {
                    result.histogram().outputPercentileDistribution(out, 1.0);
                }
            } else {
                Files.deleteIfExists(hgrm);
            }
        }
        PercentilePlot.write(directory.resolve(SVG), report.results(),
            "Round trips between two processes, by percentile",
            Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.arch") + ", Java "
                + Runtime.version().feature() + "; " + report.settings().describe());
    }

    /**
     * Removes anything this process left in {@code /dev/shm} under the names the rows use, e.g. when an echo
     * process was killed before it could remove its ring.
     */
    private static void removeLeftovers() {
        final Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return;
        }
        final String mine = "ipckit-bench-" + ProcessHandle.current().pid() + "-";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(shm, entry -> entry.getFileName().toString()
            .contains(mine))) {
            for (final Path entry : entries) {
                EchoSession.deleteTree(entry);
            }
        } catch (final IOException e) {
            System.err.println("bench: could not look for leftovers in /dev/shm: " + e.getMessage());
        }
    }

    /**
     * Runs the table from the bench module's own class path.
     *
     * <pre>
     * PingPongBench [--quick] [--out DIR] [ROW ...]
     * </pre>
     *
     * @param args options and, optionally, row names (all rows when none).
     */
    public static void main(final String[] args) {
        boolean quick = false;
        Path out = Path.of("bench-results");
        final List<Row> rows = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> {
                    if (i + 1 == args.length) {
                        System.err.println("bench: --out needs a directory");
                        System.exit(2);
                    }
                    out = Path.of(args[++i]);
                }
                default -> {
                    if (Row.find(args[i]).isEmpty()) {
                        System.err.println("bench: unknown row " + args[i] + "; rows are "
                            + Row.ALL.stream().map(Row::name).toList());
                        System.exit(2);
                    }
                    rows.add(Row.named(args[i]));
                }
            }
        }
        final BenchReport report = run(quick ? BenchSettings.quick() : BenchSettings.full(),
            rows.isEmpty() ? Row.ALL : rows, out, System.err);
        report.print(System.out);
        System.exit(report.failed() ? 1 : 0);
    }
}
