package dev.ipckit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The ping-pong table behind {@code ipckit bench}: round trips of 32-byte messages between two processes for every
 * ipckit transport and wait mode, beside the machine's limits measured by C programs doing the same mechanism,
 * and beside raw Agrona and Aeron IPC ({@link Row#ALL}). Each row warms up, then records its round trips in an
 * HdrHistogram ({@link BenchSettings}). Rows run in {@link Row#RUN_ORDER} (each C limit next to the rows compared
 * with it) and are reported in the order given.
 *
 * <p>{@link #run} writes into its directory:
 * <ul>
 *   <li>{@code latency.csv}: {@value LatencyCsv#HEADER}, one line per row ({@link LatencyCsv});</li>
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
        try {
            Files.createDirectories(directory);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make the output directory " + directory + ": " + e.getMessage(), e);
        }
        final Progress lines = new Progress(progress);
        lines.line(String.format(Locale.ROOT, "%d rows; %s; results go to %s", rows.size(), settings.describe(),
            directory));
        final List<Row> order = new ArrayList<>(rows);
        order.sort(Comparator.comparingInt(row -> Row.RUN_ORDER.indexOf(row.name())));
        final Map<Row, RowResult> measured = new HashMap<>();
        CLimits limits = null;
        try {
            int index = 0;
            for (final Row row : order) {
                lines.row(++index, order.size(), row.name());
                if (row.kind() == RowKind.LIMIT && limits == null) {
                    lines.line("compiling pingpong.c with gcc -O2");
                    limits = CLimits.prepare();
                }
                final RowResult result = measure(row, settings, limits, lines);
                measured.put(row, result);
                if (result.ok()) {
                    lines.line(String.format(Locale.ROOT,
                        "p50 %.2f us, p99 %.2f us, max %.1f us (%,d round trips, %.1f s)",
                        result.nanosAt(50) / 1e3, result.nanosAt(99) / 1e3, result.histogram().getMaxValue() / 1e3,
                        result.histogram().getTotalCount(), result.seconds()));
                } else {
                    lines.line("no figures: " + result.failure());
                }
                removeLeftovers();
            }
        } finally {
            if (limits != null) {
                limits.close();
            }
        }
        final BenchReport report = new BenchReport(rows.stream().map(measured::get).toList(), settings, directory);
        try {
            write(report);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the results in " + directory + ": " + e.getMessage(), e);
        }
        return report;
    }

    private static RowResult measure(final Row row, final BenchSettings settings, final CLimits limits,
                                     final Progress progress) {
        final long start = System.nanoTime();
        try {
            final Histogram histogram = switch (row.kind()) {
                case IPCKIT -> row.family().equals("aeron") ? AeronUdpPingPong.measureIpckit(settings, progress)
                    : IpckitPingPong.measure(row, settings, progress);
                case LIMIT -> limits.measure(row.variant(), settings, progress);
                case PEER -> switch (row.name()) {
                    case "agrona/raw" -> AgronaRawPingPong.measure(settings, progress);
                    case "aeron/ipc" -> AeronIpcPingPong.measure(settings, progress);
                    case "aeron/udp-ref" -> AeronUdpPingPong.measureReference(settings, progress);
                    default -> throw new IllegalArgumentException("row=" + row.name() + " is not a known peer");
                };
            };
            return RowResult.measured(row, histogram, seconds(start));
        } catch (final IOException | RuntimeException | LinkageError e) {
            return RowResult.failed(row, sentence(e), seconds(start));
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
