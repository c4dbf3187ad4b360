package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs' comparisons side by side: agreement within 15 %, a comparison that moved between runs, one unstable in
 * either run, one present in a single run, both tables, and the lines of {@code against.csv}.
 */
class RunAgainstTest {
    @TempDir
    Path dir;

    private Path run(final String name, final List<String> ratios, final List<String> throughput) throws Exception {
        final Path run = Files.createDirectories(dir.resolve(name));
        Files.write(run.resolve(Comparison.CSV), concat(Comparison.HEADER, ratios));
        Files.write(run.resolve(StreamBench.CSV), concat(StreamBench.HEADER, throughput));
        return run;
    }

    private static List<String> concat(final String header, final List<String> lines) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(header), lines.stream()).toList();
    }

    @Test
    void shouldNameEveryComparisonThatMovedMoreThanFifteenPercentBetweenTwoRuns() throws Exception {
        final Path earlier = run("first", List.of(
            "fifo/block,c/fifo,0.97,1.01,8,0.77-1.15,stable",
            "fifo/spin,c/pipe-spin,1.29,1.23,8,1.18-1.34,stable",
            "mmap/spin,c/shm-spin,,,8,1.61-5.08,unstable: the middle segments span 40 % of the median (the limit is 30 %)",
            "pipe/spin,c/pipe-spin,1.15,1.15,8,1.05-1.24,stable"),
            List.of("mmap/spin,65536,406372,26632.0,6,c/shm-spin,0.99,0.76-1.12,stable,1,406372",
                "c/shm-spin,65536,400000,26214.4,6,,,,,1,400000"));
        final Path later = run("second", List.of(
            "fifo/block,c/fifo,1.02,1.06,8,0.96-1.17,stable",
            "fifo/spin,c/pipe-spin,1.59,1.59,8,0.74-1.92,stable",
            "mmap/spin,c/shm-spin,1.87,1.82,8,1.61-5.08,stable",
            "aeron/ipc,c/shm-spin,1.61,1.62,8,1.38-4.51,stable"),
            List.of("mmap/spin,65536,406372,26632.0,6,c/shm-spin,0.91,0.76-1.12,stable,1,406372"));

        final List<RunAgainst.Line> lines = RunAgainst.compare(later, earlier);

        assertEquals(List.of(
            new RunAgainst.Line("latency", "fifo/block", "c/fifo", "", "1.02", "0.97", "agrees"),
            new RunAgainst.Line("latency", "fifo/spin", "c/pipe-spin", "", "1.59", "1.29",
                "unstable across runs: 23 % apart (the limit is 15 %)"),
            new RunAgainst.Line("latency", "mmap/spin", "c/shm-spin", "", "1.87", "", "unstable in the earlier run"),
            new RunAgainst.Line("latency", "aeron/ipc", "c/shm-spin", "", "1.61", "", "not in the earlier run"),
            new RunAgainst.Line("throughput", "mmap/spin", "c/shm-spin", "65536", "0.91", "0.99", "agrees"),
            new RunAgainst.Line("latency", "pipe/spin", "c/pipe-spin", "", "", "1.15", "not in this run")), lines);

        RunAgainst.write(later, lines);
        final List<String> csv = Files.readAllLines(later.resolve(RunAgainst.CSV));
        assertEquals(RunAgainst.HEADER, csv.get(0));
        assertEquals("latency,fifo/spin,c/pipe-spin,,1.59,1.29,unstable across runs: 23 % apart (the limit is 15 %)",
            csv.get(2));
        assertEquals(7, csv.size());

        RunAgainst.markUnstable(later, lines);
        assertEquals(List.of(Comparison.HEADER,
            "fifo/block,c/fifo,1.02,1.06,8,0.96-1.17,stable",
            "fifo/spin,c/pipe-spin,,,8,0.74-1.92,unstable across runs: 23 % apart from the earlier run (the limit is 15 %)",
            "mmap/spin,c/shm-spin,1.87,1.82,8,1.61-5.08,stable",
            "aeron/ipc,c/shm-spin,1.61,1.62,8,1.38-4.51,stable"), Files.readAllLines(later.resolve(Comparison.CSV)),
            "the ratio that moved is taken back; the others stay");
        assertEquals(List.of(StreamBench.HEADER,
            "mmap/spin,65536,406372,26632.0,6,c/shm-spin,0.91,0.76-1.12,stable,1,406372"),
            Files.readAllLines(later.resolve(StreamBench.CSV)));

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunAgainst.print(lines, earlier, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("2 agree, 1 unstable across runs, 1 unstable within a run"), printed);
        assertTrue(printed.contains("fifo/spin / c/pipe-spin"), printed);
    }

    @Test
    void shouldTakeBackAThroughputRatioThatMovedBetweenRuns() throws Exception {
        final Path earlier = run("x", List.of(), List.of("pipe/block,32,1000,0.0,6,c/pipe,0.66,0.60-0.70,stable,1,1000"));
        final Path later = run("y", List.of(), List.of("pipe/block,32,1500,0.0,6,c/pipe,0.99,0.90-1.05,stable,1,1500"));
        final List<RunAgainst.Line> lines = RunAgainst.compare(later, earlier);
        assertEquals("unstable across runs: 50 % apart (the limit is 15 %)", lines.get(0).verdict());
        RunAgainst.markUnstable(later, lines);
        assertEquals("pipe/block,32,1500,0.0,6,c/pipe,,0.90-1.05,unstable across runs: 50 % apart from the earlier run "
            + "(the limit is 15 %),1,1500", Files.readAllLines(later.resolve(StreamBench.CSV)).get(1));
    }

    @Test
    void shouldCallAComparisonUnstableInTheRunThatCouldNotSupportIt() throws Exception {
        final Path earlier = run("a", List.of("pipe/block,c/pipe,1.04,1.04,8,0.92-1.15,stable"), List.of());
        final Path later = run("b", List.of("pipe/block,c/pipe,,,8,0.5-2.0,unstable: the middle segments span 90 % of "
            + "the median (the limit is 30 %)"), List.of());
        assertEquals("unstable in this run", RunAgainst.compare(later, earlier).get(0).verdict());
        final Path both = run("c", List.of("pipe/block,c/pipe,,,8,0.5-2.0,unstable: 2 segments with figures on both "
            + "sides (at least 3 are needed)"), List.of());
        assertEquals("unstable in both runs", RunAgainst.compare(both, later).get(0).verdict());
    }
}
