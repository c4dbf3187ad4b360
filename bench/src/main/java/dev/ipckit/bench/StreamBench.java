package dev.ipckit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The throughput table behind {@code ipckit bench}: a producer process streams messages of 32 B, 4 KiB and 64 KiB
 * to a consumer in this process as fast as each mechanism allows ({@link StreamRow#ALL}), beside C programs doing
 * the same ({@code stream.c}: a pipe writer and reader, an SPSC ring of stamped slots), raw Agrona and Aeron IPC.
 * Rows compared with one another run interleaved ({@link Interleaving}): for each length, each row of a group takes
 * one segment per round, its producer stopped while the others run, and each ratio is the median of the
 * per-segment ratios ({@link SegmentRatio}). The one-to-many rows ({@code subscribers=N} among a row's options) are
 * one sender here and N subscriber processes ({@link FanStream}), at 32 bytes only.
 *
 * <p>{@link #run} writes {@code throughput.csv} ({@value #HEADER}) into its directory:
 * <pre>
 * row,size,msgs_per_s,mb_per_s,segments,reference,ratio,spread,verdict,subscribers,total_msgs_per_s
 * mmap/spin,32,24100000,771.2,5,c/shm-spin,1.05,0.98-1.10,stable,1,24100000
 * c/shm-spin,32,23000000,736.0,5,,,,,1,23000000
 * mmap/agrona-spin,32,,,0,c/shm-spin,,,skipped,1,
 * mmap/1to2,32,4100000,131.2,5,c/shm-spin,0.18,0.15-0.21,stable,2,8200000
 * mmap/1to2,32,4100000,131.2,5,aeron/ipc-2sub,1.30,1.20-1.41,stable,2,8200000
 * </pre>
 * {@code msgs_per_s} and {@code mb_per_s} (10^6 payload bytes) are pooled over the row's segments, per subscriber
 * for a one-to-many row ({@code total_msgs_per_s} is all its subscribers together); {@code ratio} is the median
 * per-segment ratio of messages per second (per subscriber) to the reference, blank when the comparison is
 * unstable. A row with peers has one more line per peer, the same rates beside that peer.
 */
public final class StreamBench {
    /** The CSV's file name. */
    public static final String CSV = "throughput.csv";
    /** The CSV's first line. */
    public static final String HEADER = "row,size,msgs_per_s,mb_per_s,segments,reference,ratio,spread,verdict,"
        + "subscribers,total_msgs_per_s";

    private StreamBench() {
    }

    /**
     * One row at one message length.
     *
     * @param row the row.
     * @param size the message length.
     * @param rate all its segments together, or null without figures.
     * @param segments segments with figures.
     * @param failure why it has no figures, or null.
     * @param skipped whether it was skipped (its URI is refused by this build).
     * @param ratio its per-segment ratios to its reference, or null.
     * @param reference the row the ratio is taken to: the row's C reference, or one of its peers; null for none.
     */
    public record Result(StreamRow row, int size, Rate rate, int segments, String failure, boolean skipped,
                         SegmentRatio ratio, String reference) {
        /**
         * A result beside the row's C reference.
         *
         * @param row the row.
         * @param size the message length.
         * @param rate all its segments together (all subscribers' messages, for a one-to-many row), or null.
         * @param segments segments with figures.
         * @param failure why it has no figures, or null.
         * @param skipped whether it was skipped.
         * @param ratio its per-segment ratios to its C reference, or null.
         */
        public Result(final StreamRow row, final int size, final Rate rate, final int segments, final String failure,
                      final boolean skipped, final SegmentRatio ratio) {
            this(row, size, rate, segments, failure, skipped, ratio, row.reference());
        }

        /**
         * @return whether the row has figures.
         */
        public boolean ok() {
            return rate != null && rate.nanos() > 0;
        }

        /**
         * @return how many subscribers share {@link #rate()}: N of a one-to-many row, else 1.
         */
        public int subscribers() {
            return Math.max(1, row.subscribers());
        }

        /**
         * @return messages per second per subscriber (for a one-to-many row, all subscribers' divided by N).
         */
        public double messagesPerSecond() {
            return rate.messagesPerSecond() / subscribers();
        }

        /**
         * @return the CSV line.
         */
        public String csvLine() {
            final String head = row.name() + "," + size + ",";
            final String versus = reference == null ? "" : reference;
            if (!ok()) {
                return head + ",,0," + versus + ",,," + (skipped ? "skipped" : "no figures") + "," + subscribers()
                    + ",";
            }
            final String compared = ratio == null ? ",,"
                : (ratio.stable() ? SegmentRatio.format(ratio.median()) : "") + "," + ratio.spread() + ","
                    + (ratio.stable() ? "stable" : "unstable: " + ratio.why());
            return head + Math.round(messagesPerSecond()) + ","
                + String.format(Locale.ROOT, "%.1f", rate.megabytesPerSecond() / subscribers()) + "," + segments
                + "," + versus + "," + compared + "," + subscribers() + "," + Math.round(rate.messagesPerSecond());
        }
    }

    /**
     * Runs rows.
     *
     * @param settings times and lengths.
     * @param rows the rows, in the order to report them.
     * @param directory where {@code throughput.csv} goes; made if absent.
     * @param progress where progress lines go; null for none.
     * @return the results, row by row and length by length.
     * @throws UncheckedIOException when the file cannot be written.
     */
    public static List<Result> run(final StreamSettings settings, final List<StreamRow> rows, final Path directory,
                                   final PrintStream progress) {
        return run(settings, rows, directory, progress, null);
    }

    /**
     * Opens a throughput row for an interleaved run.
     */
    @FunctionalInterface
    interface Opener {
        /**
         * @param row the row.
         * @param settings times.
         * @param progress the row's progress lines.
         * @return the row, ready to warm up.
         * @throws IllegalArgumentException when its URI is refused (the row is skipped).
         */
        StreamContender open(StreamRow row, StreamSettings settings, Progress progress);
    }

    /**
     * Runs rows, each opened by {@code opener} (the real rows when null).
     */
    static List<Result> run(final StreamSettings settings, final List<StreamRow> rows, final Path directory,
                            final PrintStream progress, final Opener opener) {
        try {
            Files.createDirectories(directory);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot make the output directory " + directory + ": " + e.getMessage(), e);
        }
        final Progress lines = new Progress(progress);
        lines.line(String.format(Locale.ROOT, "throughput: %d rows; %s", rows.size(), settings.describe()));
        final List<String> names = StreamRow.ALL.stream().filter(rows::contains).map(StreamRow::name).toList();
        final List<List<String>> groups = Interleaving.groups(names, name -> StreamRow.named(name).references());
        final Map<String, Result> results = new HashMap<>();
        final Map<String, double[]> rates = new HashMap<>();
        final Map<String, Rate> pooled = new HashMap<>();
        final Map<String, Integer> counted = new HashMap<>();
        final Map<String, String> failed = new HashMap<>();
        final Map<String, Boolean> skipped = new HashMap<>();
        final int passes = Interleaving.passes(settings.segments());
        try (Rows real = new Rows(lines)) {
            final Opener open = opener != null ? opener : real;
            for (int pass = 0; pass < passes; pass++) {
                int index = 0;
                for (final List<String> group : groups) {
                    lines.group(++index, groups.size(), "throughput " + String.join(", ", group)
                        + (passes > 1 ? " (pass " + (pass + 1) + "/" + passes + ")" : ""));
                    runGroup(group, settings, pass, open, lines, rates, pooled, counted, failed, skipped);
                }
            }
        }
        for (final String name : names) {
            final StreamRow row = StreamRow.named(name);
            for (final int size : settings.sizes()) {
                if (!row.runsAt(size)) {
                    continue;
                }
                final String key = key(name, size);
                results.put(key, failed.containsKey(name) || pooled.getOrDefault(key, Rate.NONE).messages() == 0
                    ? new Result(row, size, null, 0, failed.getOrDefault(name, "no message arrived"),
                        skipped.getOrDefault(name, false), null)
                    : new Result(row, size, pooled.get(key), counted.getOrDefault(key, 0), null, false, null));
            }
        }
        final List<Result> ordered = new ArrayList<>();
        for (final StreamRow row : rows) {
            for (final int size : settings.sizes()) {
                if (!row.runsAt(size)) {
                    continue;
                }
                Result result = results.get(key(row.name(), size));
                final Result reference = row.reference() == null ? null : results.get(key(row.reference(), size));
                if (result.ok() && reference != null && reference.ok()) {
                    result = new Result(row, size, result.rate(), result.segments(), null, false,
                        SegmentRatio.of(rates.get(key(row.name(), size)), rates.get(key(row.reference(), size)),
                            passes));
                }
                ordered.add(result);
                for (final String peer : row.peers()) {
                    final Result theirs = results.get(key(peer, size));
                    if (result.ok() && theirs != null && theirs.ok()) {
                        ordered.add(new Result(row, size, result.rate(), result.segments(), null, false,
                            SegmentRatio.of(rates.get(key(row.name(), size)), rates.get(key(peer, size)), passes),
                            peer));
                    }
                }
            }
        }
        try {
            final List<String> csv = new ArrayList<>();
            csv.add(HEADER);
            ordered.forEach(result -> csv.add(result.csvLine()));
            Files.write(directory.resolve(CSV), csv, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + directory.resolve(CSV) + ": " + e.getMessage(), e);
        }
        return ordered;
    }

    private static String key(final String row, final int size) {
        return row + "@" + size;
    }

    /**
     * Runs one pass of one group, every length: opens and warms up each row, then gives each row one segment per
     * round of the pass. A row that fails is closed and left out of the rounds and passes that follow
     * ({@code failed} holds why); rates are pooled across the passes.
     */
    private static void runGroup(final List<String> group, final StreamSettings settings, final int pass,
                                 final Opener opener, final Progress lines, final Map<String, double[]> rates,
                                 final Map<String, Rate> pooled, final Map<String, Integer> counted,
                                 final Map<String, String> failed, final Map<String, Boolean> skipped) {
        final Map<String, StreamContender> open = new LinkedHashMap<>();
        final int passes = Interleaving.passes(settings.segments());
        try {
            for (final String name : group) {
                if (failed.containsKey(name)) {
                    continue; // failed or skipped in an earlier pass
                }
                final StreamRow row = StreamRow.named(name);
                final Progress rowLines = lines.forRow(name);
                try {
                    final StreamContender contender = opener.open(row, settings, rowLines);
                    open.put(name, contender);
                    contender.warmUp(settings.sizes().stream().filter(row::runsAt).findFirst()
                        .orElse(FanStream.SIZE));
                } catch (final IllegalArgumentException e) {
                    close(open.remove(name));
                    failed.put(name, "its URI is refused by this build: " + sentence(e));
                    skipped.put(name, true);
                    rowLines.line("skipped: " + failed.get(name));
                } catch (final RuntimeException | LinkageError e) {
                    close(open.remove(name));
                    failed.put(name, sentence(e));
                    rowLines.line("no figures: " + failed.get(name));
                }
            }
            for (final int size : settings.sizes()) {
                final List<String> running = group.stream().filter(name -> StreamRow.named(name).runsAt(size))
                    .toList();
                if (running.isEmpty()) {
                    continue;
                }
                for (final String name : running) {
                    rates.computeIfAbsent(key(name, size), k -> {
                        final double[] none = new double[settings.segments()];
                        Arrays.fill(none, Double.NaN);
                        return none;
                    });
                    pooled.putIfAbsent(key(name, size), Rate.NONE);
                    counted.putIfAbsent(key(name, size), 0);
                }
                final StringBuilder round = new StringBuilder();
                for (final Interleaving.Slot slot : Interleaving.schedule(running, settings.segments(), passes, pass)) {
                    final StreamContender contender = open.get(slot.row());
                    if (contender != null) {
                        try {
                            final Rate rate = contender.segment(size);
                            final double perSubscriber = rate.messagesPerSecond()
                                / Math.max(1, StreamRow.named(slot.row()).subscribers());
                            if (rate.messages() > 0) {
                                rates.get(key(slot.row(), size))[slot.round()] = perSubscriber;
                                counted.merge(key(slot.row(), size), 1, Integer::sum);
                            }
                            pooled.merge(key(slot.row(), size), rate, Rate::plus);
                            round.append(String.format(Locale.ROOT, "  %s %s", slot.row(), perSecond(perSubscriber)));
                        } catch (final RuntimeException | LinkageError e) {
                            close(open.remove(slot.row()));
                            failed.put(slot.row(), sentence(e));
                            lines.forRow(slot.row()).line("no figures: " + failed.get(slot.row()));
                        }
                    }
                    if (slot.row().equals(running.get(running.size() - 1)) && !round.isEmpty()) {
                        lines.line(String.format(Locale.ROOT, "%s, round %d/%d, msgs/s:%s", bytes(size),
                            slot.round() + 1, settings.segments(), round));
                        round.setLength(0);
                    }
                }
            }
        } finally {
            open.values().forEach(StreamBench::close);
        }
    }

    /** The real rows: C rows run stream.c (compiled on the first one, removed at the end), the others a producer. */
    private static final class Rows implements Opener, AutoCloseable {
        private final Progress lines;
        private CLimits limits;

        Rows(final Progress lines) {
            this.lines = lines;
        }

        @Override
        public StreamContender open(final StreamRow row, final StreamSettings settings, final Progress progress) {
            if (row.subscribers() > 0) {
                return FanStream.open(row, settings, progress);
            }
            if (row.kind() != RowKind.LIMIT) {
                return StreamSession.open(row, settings, progress);
            }
            if (limits == null) {
                lines.line("compiling stream.c with gcc -O2");
                limits = CLimits.prepare(CLimits.STREAM);
            }
            return StreamContender.c(limits, row.variant(), settings);
        }

        @Override
        public void close() {
            if (limits != null) {
                limits.close();
            }
        }
    }

    private static void close(final StreamContender contender) {
        if (contender != null) {
            try {
                contender.close();
            } catch (final RuntimeException e) {
                System.err.println("bench: closing a throughput row: " + e.getMessage());
            }
        }
    }

    private static String sentence(final Throwable e) {
        final String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
        final String line = message.strip().replace(System.lineSeparator(), " ").replace('\n', ' ');
        return line.endsWith(".") ? line : line + ".";
    }

    /**
     * @param size a length in bytes.
     * @return it as {@code 32 B}, {@code 4 KiB}, {@code 64 KiB}.
     */
    static String bytes(final int size) {
        return size >= 1024 && size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
    }

    /**
     * @param perSecond a rate.
     * @return it as {@code 24.1 M}, {@code 310 k} or {@code 812}.
     */
    static String perSecond(final double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.2f M", perSecond / 1e6)
            : perSecond >= 1e3 ? String.format(Locale.ROOT, "%.0f k", perSecond / 1e3)
            : String.format(Locale.ROOT, "%.0f", perSecond);
    }

    /**
     * Prints the table: for each row and length, messages and megabytes per second (all segments pooled) and the
     * median per-segment ratio to the row's C reference with its spread, or "unstable" and why; then one line per
     * row without figures.
     *
     * @param results the results of {@link #run}.
     * @param out where.
     */
    public static void print(final List<Result> results, final PrintStream out) {
        out.printf(Locale.ROOT, "%-18s %-6s %7s %10s %9s  %s%n", "row", "kind", "size", "msgs/s", "MB/s",
            "vs reference (median of per-segment ratios, spread min-max)");
        for (final Result result : results) {
            final StreamRow row = result.row();
            if (!result.ok()) {
                out.printf(Locale.ROOT, "%-18s %-6s %7s %10s %9s  %s%n", row.name(), row.kind().label(),
                    bytes(result.size()), "-", "-",
                    result.skipped() ? "skipped (see below)" : "no figures (see below)");
                continue;
            }
            final SegmentRatio ratio = result.ratio();
            final String versus = ratio == null ? ""
                : ratio.stable() ? String.format(Locale.ROOT, "%sx (%s, %d segments)  %s",
                    SegmentRatio.format(ratio.median()), ratio.spread(), ratio.segments(), result.reference())
                : String.format(Locale.ROOT, "unstable (%s, %d segments): %s  %s", ratio.spread(), ratio.segments(),
                    ratio.why(), result.reference());
            final String total = result.subscribers() == 1 ? "" : String.format(Locale.ROOT,
                "  [per subscriber; %s msgs/s to all %d]", perSecond(result.rate().messagesPerSecond()),
                result.subscribers());
            out.printf(Locale.ROOT, "%-18s %-6s %7s %10s %9.1f  %s%s%n", row.name(), row.kind().label(),
                bytes(result.size()), perSecond(result.messagesPerSecond()),
                result.rate().megabytesPerSecond() / result.subscribers(), versus, total);
        }
        final List<String> said = new ArrayList<>();
        for (final Result result : results) {
            final String line = result.row().name() + (result.skipped() ? " skipped: " : ": ") + result.failure();
            if (!result.ok() && !said.contains(line)) {
                said.add(line);
                out.println(line);
            }
        }
        if (results.stream().anyMatch(result -> result.subscribers() > 1 || result.row().subscribers() > 0)) {
            out.println(FanSession.coresNote());
        }
    }

    /**
     * @param results the results of {@link #run}.
     * @return whether a row that was not skipped has no figures.
     */
    public static boolean failed(final List<Result> results) {
        return results.stream().anyMatch(result -> !result.ok() && !result.skipped());
    }

    /**
     * Runs the throughput table from the bench module's own class path.
     *
     * <pre>
     * StreamBench [--quick] [--out DIR] [ROW ...]
     * </pre>
     *
     * @param args options and, optionally, row names (all rows when none).
     */
    public static void main(final String[] args) {
        boolean quick = false;
        Path out = Path.of("bench-results");
        final List<StreamRow> rows = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> rows.add(StreamRow.named(args[i]));
            }
        }
        final List<Result> results = run(quick ? StreamSettings.quick() : StreamSettings.full(),
            rows.isEmpty() ? StreamRow.ALL : rows, out, System.err);
        print(results, System.out);
        System.exit(failed(results) ? 1 : 0);
    }
}
