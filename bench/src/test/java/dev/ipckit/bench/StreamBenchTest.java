package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The throughput harness: stream.c compiled and run in both modes, every kind of row end to end with tiny times,
 * the CSV's columns, and the arithmetic of a rate.
 */
class StreamBenchTest {
    private static final StreamSettings TINY = new StreamSettings(Duration.ofMillis(200), Duration.ofMillis(10),
        Duration.ofMillis(100), 3, List.of(32, 65536));

    @TempDir
    Path out;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompileStreamCAndCountWholeCheckedMessagesInBothModes() {
        try (CLimits limits = CLimits.prepare(CLimits.STREAM)) {
            assertNull(limits.missing(), "gcc is part of this project's build machines: " + limits.missing());
            for (final String mode : CLimits.STREAM_MODES) {
                for (final int size : List.of(32, 4096, 65536)) {
                    final Rate rate = limits.stream(mode, size, 30, 5, StreamSettings.CAPACITY);
                    assertTrue(rate.messages() > 0, mode + " " + size + ": " + rate);
                    assertEquals(rate.messages() * size, rate.bytes(), mode + " " + size);
                    assertTrue(rate.nanos() >= 30_000_000, "it counted for at least the time asked: " + rate);
                }
            }
        }
        assertEquals(List.of(), TestRuns.liveChildren(), "the producer and consumer are reaped");
    }

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void shouldMeasureEveryKindOfRowAndWriteThroughputCsv() throws Exception {
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        final List<StreamRow> rows = StreamRow.ALL.stream().filter(row -> row.subscribers() == 0).toList();
        final List<StreamBench.Result> results = StreamBench.run(TINY, rows, out,
            new PrintStream(progress, true, StandardCharsets.UTF_8));
        final String lines = progress.toString(StandardCharsets.UTF_8);

        assertEquals(rows.size() * 2, results.size(), "one result per row and length (the one-to-many rows: below)");
        for (final StreamBench.Result result : results) {
            final String what = result.row().name() + " " + result.size();
            if (result.row().options().contains("format=") && result.skipped()) {
                assertTrue(result.failure().startsWith("its URI is refused by this build: "), result.failure());
                continue;
            }
            assertTrue(result.ok(), what + " has no figures: " + result.failure() + "\n" + lines);
            // a segment in which a starved producer got no core has no figure; the others count
            assertTrue(result.segments() >= 1 && result.segments() <= 3, what + ": " + result.segments());
            assertEquals(result.rate().messages() * result.size(), result.rate().bytes(), what);
            assertEquals(result.row().reference() != null, result.ratio() != null, what);
        }
        assertFalse(StreamBench.failed(results), "a skipped row is not a failure");

        final List<String> csv = Files.readAllLines(out.resolve(StreamBench.CSV));
        assertEquals("row,size,msgs_per_s,mb_per_s,segments,reference,ratio,spread,verdict,subscribers,"
            + "total_msgs_per_s", csv.get(0));
        assertEquals(results.size() + 1, csv.size());
        final String[] spin = TestRuns.csvRow(csv, "mmap/spin");
        assertEquals(11, spin.length, String.join(",", spin));
        assertEquals("1", spin[9], "one subscriber");
        assertEquals(spin[2], spin[10], "one subscriber's rate is the total");
        assertEquals("32", spin[1]);
        assertTrue(Long.parseLong(spin[2]) > 0 && Double.parseDouble(spin[3]) > 0, String.join(",", spin));
        assertTrue(Integer.parseInt(spin[4]) >= 1 && Integer.parseInt(spin[4]) <= 3, String.join(",", spin));
        assertEquals("c/shm-spin", spin[5]);
        assertTrue(spin[8].equals("stable") ? !spin[6].isEmpty()
            : spin[8].startsWith("unstable: ") && spin[6].isEmpty(),
            "a ratio only when it is stable: " + String.join(",", spin));
        assertEquals("", TestRuns.csvRow(csv, "c/pipe")[5], "a C row has no reference");

        for (final StreamRow row : rows) {
            assertTrue(lines.contains(row.name()), "progress names " + row.name() + ":\n" + lines);
        }
        assertTrue(lines.contains("32 B, round 3/3") && lines.contains("64 KiB, round 3/3"), lines);
        assertEquals(List.of(), TestRuns.shmLeftovers(), "every ring, file and Aeron directory is removed");
        assertEquals(List.of(), TestRuns.liveChildren(), "every producer is reaped");
    }

    @Test
    void shouldWriteAResultsLineWithItsRatioOrWhyThereIsNone() {
        final StreamRow mmap = StreamRow.named("mmap/spin");
        final StreamBench.Result stable = new StreamBench.Result(mmap, 32, new Rate(3_000_000, 96_000_000,
            1_000_000_000), 3, null, false, new SegmentRatio(new double[] {1.0, 1.1, 1.2}));
        assertEquals("mmap/spin,32,3000000,96.0,3,c/shm-spin,1.10,1.00-1.20,stable,1,3000000", stable.csvLine());
        final StreamBench.Result unstable = new StreamBench.Result(mmap, 32, new Rate(3, 96, 1_000_000_000), 3, null,
            false, new SegmentRatio(new double[] {1.0, 2.0, 3.0}));
        assertEquals("mmap/spin,32,3,0.0,3,c/shm-spin,,1.00-3.00,unstable: the middle segments span 100 % of the "
            + "median (the limit is 30 %),1,3", unstable.csvLine());
        final StreamBench.Result skipped = new StreamBench.Result(StreamRow.named("mmap/agrona-spin"), 4096, null, 0,
            "its URI is refused", true, null);
        assertEquals("mmap/agrona-spin,4096,,,0,c/shm-spin,,,skipped,1,", skipped.csvLine());
        final StreamBench.Result c = new StreamBench.Result(StreamRow.named("c/pipe"), 65536, new Rate(10, 655_360,
            500_000_000), 3, null, false, null);
        assertEquals("c/pipe,65536,20,1.3,3,,,,,1,20", c.csvLine());
        final StreamBench.Result fan = new StreamBench.Result(StreamRow.named("mmap/1to4"), 32, new Rate(4_000_000,
            128_000_000, 1_000_000_000), 3, null, false, new SegmentRatio(new double[] {2.0, 2.0, 2.0}),
            "aeron/ipc-4sub");
        assertEquals("mmap/1to4,32,1000000,32.0,3,aeron/ipc-4sub,2.00,2.00-2.00,stable,4,4000000", fan.csvLine(),
            "a one-to-many row: per subscriber, then the subscribers and their total");
    }

    @Test
    void shouldTurnACountIntoRates() {
        final Rate rate = new Rate(2_000, 64_000, 500_000_000).plus(new Rate(1_000, 32_000, 500_000_000));
        assertEquals(3_000, rate.messagesPerSecond(), 1e-9);
        assertEquals(0.096, rate.megabytesPerSecond(), 1e-12);
        assertTrue(Double.isNaN(Rate.NONE.messagesPerSecond()));
        assertEquals("24.10 M", StreamBench.perSecond(24.1e6));
        assertEquals("310 k", StreamBench.perSecond(310e3));
        assertEquals("64 KiB", StreamBench.bytes(65536));
        assertEquals("32 B", StreamBench.bytes(32));
    }
}
