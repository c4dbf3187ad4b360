package dev.ipckit.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.ipckit.bench.BenchReport;
import dev.ipckit.bench.BenchSettings;
import dev.ipckit.bench.PingPongBench;
import dev.ipckit.bench.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipckit bench}: the round-trip table of every transport beside the machine's C limits and the peers
 * (raw Agrona, Aeron IPC), written as CSV, HdrHistogram files and an SVG plot ({@link PingPongBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Time round trips of every transport beside C limits, raw Agrona and Aeron IPC.",
        "",
        "Round trips of 32-byte messages between two processes, for every transport",
        "and wait mode, beside C programs doing the same mechanism (compiled with gcc",
        "when it is on the PATH), raw Agrona and Aeron IPC. Writes DIR/latency.csv,",
        "DIR/latency.svg and one .hgrm per row, and prints the table with each ipckit",
        "row's ratio to its C limit. Exits 1 when a row could not be measured."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "a short run (one to two minutes on two cores) instead of the full one (about ten)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
        description = "where the results go (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--row", paramLabel = "NAME", split = ",",
        description = "run only these rows, e.g. --row mmap/spin,c/shm-spin (default: all)")
    List<String> rows;

    @Override
    public Integer call() {
        final List<Row> selected = new ArrayList<>();
        if (rows == null || rows.isEmpty()) {
            selected.addAll(Row.ALL);
        } else {
            for (final String name : rows) {
                selected.add(Row.named(name));
            }
        }
        final BenchReport report = PingPongBench.run(quick ? BenchSettings.quick() : BenchSettings.full(), selected,
            out, System.err);
        report.print(System.out);
        System.out.println("results: " + out.resolve(PingPongBench.CSV) + ", " + out.resolve(PingPongBench.SVG)
            + " and one .hgrm per row");
        System.out.println("2-core and shared machines are noisy: trust the ratios within one run more than the "
            + "absolute times");
        return report.failed() ? Main.EXIT_FAILED : 0;
    }
}
