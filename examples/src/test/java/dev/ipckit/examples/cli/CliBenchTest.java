package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliBenchTest {
    @TempDir
    Path dir;

    @Test
    void shouldRunTheChosenRowsPrintTheTableWithRatiosAndWriteTheFiles() throws Exception {
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--quick", "--row", "pipe/block,c/pipe", "--out", out.toString());
        assertEquals(0, bench.exitCode(), bench.err());
        final String pipe = bench.lines().stream().filter(line -> line.startsWith("pipe/block")).findFirst()
            .orElseThrow(() -> new AssertionError(bench.out()));
        assertTrue(pipe.matches(".*\\d+\\.\\d\\dx, \\d+\\.\\d\\dx  c/pipe$"), "the ratio to its C limit: " + pipe);
        assertTrue(bench.lines().stream().anyMatch(line -> line.startsWith("c/pipe ")), bench.out());
        assertTrue(bench.err().contains("bench [ 1/1] pipe/block") && bench.err().contains("bench [ 1/1] c/pipe")
            && bench.err().contains("round 8/8"), "progress names each row and round as they run: " + bench.err());
        assertTrue(bench.lines().contains("pipe/block / c/pipe") || bench.out().contains("pipe/block / c/pipe "),
            "the per-segment comparison is printed: " + bench.out());

        final List<String> csv = Files.readAllLines(out.resolve("latency.csv"));
        assertEquals("name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples", csv.get(0));
        assertEquals(List.of("pipe/block", "c/pipe"), csv.stream().skip(1).map(line -> line.split(",")[0]).toList());
        assertTrue(Files.readString(out.resolve("latency.svg")).contains("data-row=\"pipe/block\""));
        assertTrue(Files.exists(out.resolve("pipe_block.hgrm")) && Files.exists(out.resolve("c_pipe.hgrm")));
        final List<String> ratios = Files.readAllLines(out.resolve("ratios.csv"));
        assertEquals("row,reference,p50_ratio,p99_ratio,segments,spread,verdict", ratios.get(0));
        assertTrue(ratios.get(1).startsWith("pipe/block,c/pipe,"), ratios.toString());
        final List<String> throughput = Files.readAllLines(out.resolve("throughput.csv"));
        assertEquals("row,size,msgs_per_s,mb_per_s,segments,reference,ratio,spread,verdict,subscribers,"
            + "total_msgs_per_s", throughput.get(0));
        assertEquals(List.of("pipe/block,32", "pipe/block,4096", "pipe/block,65536", "c/pipe,32", "c/pipe,4096",
            "c/pipe,65536"), throughput.stream().skip(1).map(line -> line.substring(0, line.indexOf(',',
            line.indexOf(',') + 1))).toList());
        assertTrue(bench.out().contains("took "), bench.out());
    }

    @Test
    void shouldStateTheUnstableRuleInItsHelp() {
        final Cli.Result help = Cli.run("bench", "--help");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().contains("A comparison is UNSTABLE") && help.out().contains("than 30 percent of their "
            + "median"), help.out());
        assertTrue(help.out().contains("medians of its two passes differ by more than 15 percent"), help.out());
        assertFalse(help.err().contains("WARN"), "the help formats cleanly: " + help.err());
    }

    @Test
    void shouldRunOneTableAlone() throws Exception {
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--quick", "--table", "latency", "--row", "c/pipe", "--out",
            out.toString());
        assertEquals(0, bench.exitCode(), bench.err());
        assertTrue(Files.exists(out.resolve("latency.csv")));
        assertFalse(Files.exists(out.resolve("throughput.csv")), "the throughput table was not asked for");
    }

    @Test
    void shouldRefuseAnUnknownRowWithExitCodeTwoAndWriteNothing() {
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--row", "mmap/turbo", "--out", out.toString());
        assertEquals(Main.EXIT_USAGE, bench.exitCode(), bench.err());
        assertTrue(bench.err().startsWith("ipckit bench: row=mmap/turbo is in neither table; round-trip rows are "
            + "[mmap/spin"), bench.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void shouldSetThisRunBesideAnEarlierOneWithAgainst() throws Exception {
        final Path earlier = Files.createDirectories(dir.resolve("earlier"));
        Files.write(earlier.resolve("ratios.csv"), List.of("row,reference,p50_ratio,p99_ratio,segments,spread,verdict",
            "fifo/block,c/fifo,0.97,1.01,8,0.77-1.15,stable"));
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--quick", "--table", "latency", "--row", "c/pipe", "--out",
            out.toString(), "--against", earlier.toString());
        assertEquals(0, bench.exitCode(), bench.err());
        assertTrue(bench.out().contains("against the run in " + earlier + ": two medians agree within 15 %"),
            bench.out());
        assertEquals(List.of("table,row,reference,size,ratio,earlier_ratio,verdict",
            "latency,fifo/block,c/fifo,,,0.97,not in this run"), Files.readAllLines(out.resolve("against.csv")));
    }

    @Test
    void shouldRefuseAnAgainstDirectoryWithoutResultsBeforeRunning() {
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--quick", "--out", out.toString(), "--against",
            dir.resolve("nothing").toString());
        assertEquals(Main.EXIT_USAGE, bench.exitCode(), bench.err());
        assertTrue(bench.err().contains("holds neither ratios.csv nor throughput.csv; give the --out directory of an "
            + "earlier run"), bench.err());
        assertFalse(Files.exists(out), "nothing was run");
    }
}
