package dev.ipckit.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ipckit.bench.BenchReport;
import dev.ipckit.bench.BenchSettings;
import dev.ipckit.bench.Comparison;
import dev.ipckit.bench.PingPongBench;
import dev.ipckit.bench.Row;
import dev.ipckit.bench.RunAgainst;
import dev.ipckit.bench.SegmentRatio;
import dev.ipckit.bench.StreamBench;
import dev.ipckit.bench.StreamRow;
import dev.ipckit.bench.StreamSettings;
import dev.ipckit.bench.WaitModeSurvey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipckit bench}: the round-trip table and the throughput table of every transport beside the machine's C
 * limits and the peers (raw Agrona, Aeron IPC), measured in interleaved segments, written as CSV, HdrHistogram
 * files and an SVG plot ({@link PingPongBench}, {@link StreamBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Time round trips and throughput of every transport beside C limits, raw Agrona and Aeron IPC.",
        "",
        "Round trips of 32-byte messages, and streams of 32 B, 4 KiB and 64 KiB messages,",
        "between two processes for every transport, beside C programs doing the same",
        "mechanism (compiled with gcc when it is on the PATH), raw Agrona and Aeron IPC.",
        "",
        "Interleaved: the rows compared with one another warm up, then take turns in",
        "short segments (A B C, A B C, ...), each child process stopped while it waits;",
        "every group runs half its segments, then every group the other half (two",
        "passes, minutes apart, each warmed up anew). A comparison is the median of its",
        "per-segment ratios, with their spread (min-max). A comparison is UNSTABLE, and",
        "printed without a ratio, when fewer than " + SegmentRatio.MINIMUM_SEGMENTS + " segments have figures on both",
        "sides, when its middle segments (all but the lowest and highest, from " + SegmentRatio.TRIM_FROM,
        "segments on) span more than " + SegmentRatio.UNSTABLE_SPREAD_PERCENT + " percent of their median, or when the",
        "medians of its two passes differ by more than " + SegmentRatio.PASS_AGREEMENT_PERCENT + " percent: the machine moved.",
        "",
        "Writes DIR/latency.csv (pooled percentiles), DIR/ratios.csv (per-segment",
        "ratios), DIR/throughput.csv, DIR/latency.svg and one .hgrm per round-trip row.",
        "A row whose URI this build refuses (e.g. format=agrona before that format",
        "exists) is skipped with one line. Exits 1 when a row could not be measured.",
        "",
        "The one-to-many rows (mmap/1to2, mmap/1to4, aeron/ipc-2sub, aeron/ipc-4sub,",
        "agrona/broadcast-2, agrona/broadcast-4) run one sender and 2 or 4 subscriber",
        "processes; on two cores those would oversubscribe the CPUs spinning, so they",
        "wait with a backoff and measure the scheduler as much as the mechanism."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "a short run (about four minutes on two cores) instead of the full one "
        + "(about twenty)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
        description = "where the results go (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--row", paramLabel = "NAME", split = ",",
        description = "run only these rows, in whichever table has them, e.g. --row mmap/spin,c/shm-spin "
            + "(default: all)")
    List<String> rows;

    @Option(names = "--table", paramLabel = "TABLE", defaultValue = "all",
        description = "latency, throughput or all (default ${DEFAULT-VALUE}); waitmodes: the survey of the mmap "
            + "ring's wait modes the default is chosen by (ping-pong, wake-up after idle, bursts, idle CPU)")
    String table;

    @Option(names = "--against", paramLabel = "DIR",
        description = "an earlier run's results: after this run, every comparison both runs call stable is set beside "
            + "that run's, and one whose medians are more than " + RunAgainst.AGREEMENT_PERCENT + " percent apart is "
            + "unstable across runs (printed, written to DIR-of-this-run/" + RunAgainst.CSV + ", and its ratio "
            + "taken back from this run's ratios.csv and throughput.csv)")
    Path against;

    @Override
    public Integer call() {
        if (against != null && !Files.exists(against.resolve(Comparison.CSV))
            && !Files.exists(against.resolve(StreamBench.CSV))) {
            throw new IllegalArgumentException("--against " + against + " holds neither " + Comparison.CSV + " nor "
                + StreamBench.CSV + "; give the --out directory of an earlier run");
        }
        if (!List.of("latency", "throughput", "all", "waitmodes").contains(table)) {
            throw new IllegalArgumentException("--table " + table + " is not latency, throughput, all or waitmodes");
        }
        if (table.equals("waitmodes")) {
            final long start = System.nanoTime();
            WaitModeSurvey.run(quick, out, System.out);
            System.out.println("results: " + out.resolve(WaitModeSurvey.CSV));
            System.out.printf(Locale.ROOT, "took %.0f s%n", (System.nanoTime() - start) / 1e9);
            return 0;
        }
        final List<Row> latency = new ArrayList<>();
        final List<StreamRow> throughput = new ArrayList<>();
        if (rows == null || rows.isEmpty()) {
            latency.addAll(Row.ALL);
            throughput.addAll(StreamRow.ALL);
        } else {
            for (final String name : rows) {
                if (Row.find(name).isEmpty() && StreamRow.find(name).isEmpty()) {
                    throw new IllegalArgumentException("row=" + name + " is in neither table; round-trip rows are "
                        + Row.ALL.stream().map(Row::name).toList() + ", throughput rows "
                        + StreamRow.ALL.stream().map(StreamRow::name).toList());
                }
                Row.find(name).ifPresent(latency::add);
                StreamRow.find(name).ifPresent(throughput::add);
            }
        }
        final long start = System.nanoTime();
        boolean failed = false;
        final List<String> written = new ArrayList<>();
        if (!table.equals("throughput") && !latency.isEmpty()) {
            final BenchReport report = PingPongBench.run(quick ? BenchSettings.quick() : BenchSettings.full(),
                latency, out, System.err);
            report.print(System.out);
            System.out.println();
            failed = report.failed();
            written.addAll(List.of(out.resolve(PingPongBench.CSV).toString(), out.resolve(Comparison.CSV).toString(),
                out.resolve(PingPongBench.SVG).toString(), "one .hgrm per row"));
        }
        if (!table.equals("latency") && !throughput.isEmpty()) {
            final List<StreamBench.Result> results = StreamBench.run(quick ? StreamSettings.quick()
                : StreamSettings.full(), throughput, out, System.err);
            StreamBench.print(results, System.out);
            System.out.println();
            failed |= StreamBench.failed(results);
            written.add(out.resolve(StreamBench.CSV).toString());
        }
        if (against != null) {
            final List<RunAgainst.Line> lines = RunAgainst.compare(out, against);
            RunAgainst.print(lines, against, System.out);
            System.out.println();
            RunAgainst.write(out, lines);
            RunAgainst.markUnstable(out, lines);
            written.add(out.resolve(RunAgainst.CSV).toString());
        }
        System.out.println("results: " + String.join(", ", written));
        System.out.printf(Locale.ROOT, "took %.0f s. Ratios are taken segment by segment; an unstable one says the "
            + "machine moved during the run: run again on a quieter machine.%n", (System.nanoTime() - start) / 1e9);
        return failed ? Main.EXIT_FAILED : 0;
    }
}
