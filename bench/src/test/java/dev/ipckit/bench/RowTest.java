package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The rows of the table, their kinds and limits, and the run settings' checks.
 */
class RowTest {
    @Test
    void shouldNameEveryRowExactlyAndInTheTablesOrder() {
        assertEquals(List.of("mmap/spin", "mmap/agrona-spin", "mmap/backoff", "mmap/signal", "mmap/futex",
            "fifo/block", "fifo/spin", "pipe/block", "pipe/spin", "c/shm-spin", "c/pipe", "c/pipe-spin", "c/fifo",
            "c/signal", "c/futex", "agrona/raw", "aeron/ipc", "aeron/udp", "aeron/udp-ref", "mmap/1to2", "mmap/1to4",
            "aeron/ipc-2sub", "aeron/ipc-4sub", "agrona/broadcast-2", "agrona/broadcast-4"),
            Row.ALL.stream().map(Row::name).toList());
        assertEquals(Row.ALL.size(), new HashSet<>(Row.ALL.stream().map(Row::name).toList()).size());
    }

    @Test
    void shouldCompareEachIpckitRowWithTheCLimitOfItsMechanism() {
        final Map<String, String> limits = Row.ALL.stream().filter(row -> row.kind() == RowKind.IPCKIT)
            .collect(Collectors.toMap(Row::name, Row::limit));
        assertEquals(Map.ofEntries(Map.entry("mmap/spin", "c/shm-spin"), Map.entry("mmap/agrona-spin", "c/shm-spin"),
            Map.entry("mmap/backoff", "c/shm-spin"), Map.entry("mmap/signal", "c/signal"),
            Map.entry("mmap/futex", "c/futex"), Map.entry("fifo/block", "c/fifo"), Map.entry("fifo/spin", "c/pipe-spin"),
            Map.entry("pipe/spin", "c/pipe-spin"), Map.entry("pipe/block", "c/pipe"),
            Map.entry("aeron/udp", "aeron/udp-ref"), Map.entry("mmap/1to2", "c/shm-spin"),
            Map.entry("mmap/1to4", "c/shm-spin")), limits);
        for (final Row row : Row.ALL) {
            assertEquals(row.name().startsWith("c/") ? RowKind.LIMIT : row.name().equals("aeron/udp") ? RowKind.IPCKIT
                : row.name().startsWith("agrona") || row.name().startsWith("aeron") ? RowKind.PEER : RowKind.IPCKIT,
                row.kind(), row.name());
        }
        for (final String mode : CLimits.MODES) {
            assertEquals(RowKind.LIMIT, Row.named("c/" + mode).kind());
        }
        assertEquals(EchoSession.TRANSPORTS, Row.ALL.stream().filter(row -> row.kind() == RowKind.IPCKIT)
            .filter(row -> !row.options().contains("format=") && !row.family().equals("aeron"))
            .filter(row -> row.subscribers() == 0).map(Row::name)
            .toList()); // aeron/udp: AeronUdpPingPong; the one-to-many rows: FanPingPong
        assertEquals(List.of("c/shm-spin", "agrona/raw", "aeron/ipc"), Row.named("mmap/spin").references(),
            "mmap/spin is compared with its C limit first, then with the peers");
        assertEquals(List.of("c/shm-spin"), Row.named("aeron/ipc").references());
        assertEquals("wait=spin&format=agrona", Row.named("mmap/agrona-spin").options(),
            "the ring format is chosen by the row's URI alone");
    }

    @Test
    void shouldGroupEachRowWithItsReferencesForTheInterleavedRun() {
        final List<String> names = Row.ALL.stream().map(Row::name).toList();
        assertEquals(List.of(
            List.of("mmap/spin", "mmap/agrona-spin", "mmap/backoff", "c/shm-spin", "agrona/raw", "aeron/ipc",
                "mmap/1to2", "mmap/1to4", "aeron/ipc-2sub", "aeron/ipc-4sub", "agrona/broadcast-2",
                "agrona/broadcast-4"),
            List.of("mmap/signal", "c/signal"),
            List.of("mmap/futex", "c/futex"),
            List.of("fifo/block", "c/fifo"),
            List.of("fifo/spin", "pipe/spin", "c/pipe-spin"),
            List.of("pipe/block", "c/pipe"),
            List.of("aeron/udp", "aeron/udp-ref")), Interleaving.groups(names, name -> Row.named(name).references()));
        assertEquals(List.of(List.of("fifo/block"), List.of("c/pipe")),
            Interleaving.groups(List.of("fifo/block", "c/pipe"), name -> Row.named(name).references()),
            "rows that are not compared run on their own");
    }

    @Test
    void shouldRefuseAnUnknownRowNamingTheKnownOnes() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Row.named("mmap/fast"));
        assertTrue(e.getMessage().startsWith("row=mmap/fast is not one of [mmap/spin"), e.getMessage());
        assertEquals("mmap_spin.hgrm", Row.named("mmap/spin").hgrmFileName());
        assertEquals("shm-spin", Row.named("c/shm-spin").variant());
    }

    @Test
    void shouldRefuseBadSettingsNamingTheValues() {
        final IllegalArgumentException samples = assertThrows(IllegalArgumentException.class,
            () -> new BenchSettings(10, Duration.ZERO, Duration.ofSeconds(1), 0, Duration.ofSeconds(1), 32));
        assertTrue(samples.getMessage().contains("samples=0"), samples.getMessage());
        final IllegalArgumentException warmup = assertThrows(IllegalArgumentException.class,
            () -> new BenchSettings(10, Duration.ofSeconds(2), Duration.ofSeconds(1), 10, Duration.ofSeconds(1), 32));
        assertTrue(warmup.getMessage().contains("warmupMinimum=PT2S, warmupLimit=PT1S"), warmup.getMessage());
        final IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
            () -> new BenchSettings(10, Duration.ZERO, Duration.ofSeconds(1), 10, Duration.ofSeconds(1), 4));
        assertTrue(length.getMessage().contains("messageLength=4"), length.getMessage());
        final IllegalArgumentException segments = assertThrows(IllegalArgumentException.class,
            () -> new BenchSettings(10, Duration.ZERO, Duration.ofSeconds(1), 4, Duration.ofSeconds(1), 32, 5));
        assertTrue(segments.getMessage().contains("segments=5, samples=4"), segments.getMessage());
        assertTrue(BenchSettings.quick().rowDeadline().compareTo(Duration.ofMinutes(3)) < 0);
    }

    @Test
    void shouldCutTheTimedPartIntoEqualSegments() {
        final BenchSettings quick = BenchSettings.quick();
        assertEquals(8, quick.segments());
        assertEquals(500_000, quick.segmentSamples());
        assertEquals(Duration.ofMillis(300), quick.segmentLimit());
        assertEquals(2_000, quick.segmentWarmupRounds());
        final BenchSettings one = quick.segment();
        assertEquals(1, one.segments());
        assertEquals(500_000, one.samples());
        assertEquals(Duration.ofMillis(300), one.sampleLimit());
        assertEquals(2_000, one.warmupRounds());
        assertEquals(Duration.ZERO, one.warmupMinimum());
        final BenchSettings tiny = TestRuns.tiny(500);
        assertEquals(250, tiny.segmentSamples(), "the tests' runs have two segments");
        assertEquals(20, tiny.segmentWarmupRounds());
    }
}
