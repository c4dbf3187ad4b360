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
        assertTrue(bench.err().contains("bench [ 1/2] c/pipe") && bench.err().contains("bench [ 2/2] pipe/block"),
            "progress names each row as it runs: " + bench.err());

        final List<String> csv = Files.readAllLines(out.resolve("latency.csv"));
        assertEquals("name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples", csv.get(0));
        assertEquals(List.of("pipe/block", "c/pipe"), csv.stream().skip(1).map(line -> line.split(",")[0]).toList());
        assertTrue(Files.readString(out.resolve("latency.svg")).contains("data-row=\"pipe/block\""));
        assertTrue(Files.exists(out.resolve("pipe_block.hgrm")) && Files.exists(out.resolve("c_pipe.hgrm")));
    }

    @Test
    void shouldRefuseAnUnknownRowWithExitCodeTwoAndWriteNothing() {
        final Path out = dir.resolve("results");
        final Cli.Result bench = Cli.run("bench", "--row", "mmap/turbo", "--out", out.toString());
        assertEquals(Main.EXIT_USAGE, bench.exitCode(), bench.err());
        assertTrue(bench.err().startsWith("ipckit bench: row=mmap/turbo is not one of [mmap/spin"), bench.err());
        assertFalse(Files.exists(out));
    }
}
