package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-to-two rows end to end in both tables, as {@code ipckit bench --row mmap/1to2,aeron/ipc-2sub,
 * agrona/broadcast-2} runs them: interleaved with one another, the ipckit row compared with both peers, the
 * throughput written per subscriber and in total.
 */
class FanOutRunTest {
    private static final List<String> ROWS = List.of("mmap/1to2", "aeron/ipc-2sub", "agrona/broadcast-2");

    @TempDir
    Path out;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldRunTheOneToTwoRowsInterleavedInBothTables() throws Exception {
        assertEquals(List.of(ROWS), Interleaving.groups(ROWS, name -> Row.named(name).references()),
            "without c/shm-spin the three still run as one group");
        final BenchReport report = PingPongBench.run(TestRuns.tiny(400), ROWS.stream().map(Row::named).toList(), out,
            null);
        for (final String name : ROWS) {
            final RowResult result = report.result(name).orElseThrow();
            assertTrue(result.ok(), name + " has no figures: " + result.failure());
            assertEquals(400, result.histogram().getTotalCount(), name);
        }
        final List<String> ratios = Files.readAllLines(out.resolve(Comparison.CSV));
        for (final String peer : List.of("aeron/ipc-2sub", "agrona/broadcast-2")) {
            assertTrue(report.comparison("mmap/1to2", peer).isPresent(), peer);
            assertTrue(ratios.stream().anyMatch(line -> line.startsWith("mmap/1to2," + peer + ",")), ratios.toString());
        }

        final StreamSettings tiny = new StreamSettings(Duration.ofMillis(200), Duration.ofMillis(10),
            Duration.ofMillis(100), 3, List.of(32, 4096));
        final List<StreamBench.Result> results = StreamBench.run(tiny, ROWS.stream().map(StreamRow::named).toList(),
            out, null);
        assertEquals(5, results.size(), "32 B only: mmap/1to2 beside c/shm-spin (not run) and its two peers, then "
            + "each peer once");
        final List<String> csv = Files.readAllLines(out.resolve(StreamBench.CSV));
        assertEquals(List.of("c/shm-spin", "aeron/ipc-2sub", "agrona/broadcast-2"), csv.stream()
            .filter(line -> line.startsWith("mmap/1to2,")).map(line -> line.split(",", -1)[5]).toList());
        for (final String line : csv.subList(1, csv.size())) {
            final String[] fields = line.split(",", -1);
            assertEquals("32", fields[1], line);
            assertEquals("2", fields[9], line);
            final long perSubscriber = Long.parseLong(fields[2]);
            final long total = Long.parseLong(fields[10]);
            assertTrue(perSubscriber > 0 && Math.abs(total - 2 * perSubscriber) <= 1, line);
        }
        assertEquals(List.of(), TestRuns.shmLeftovers());
        assertEquals(List.of(), TestRuns.liveChildren());
    }
}
