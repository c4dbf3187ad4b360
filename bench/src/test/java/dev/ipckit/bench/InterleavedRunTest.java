package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongBiFunction;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interleaved run itself, with rows that report set figures: the order of opening, warming up, segments and
 * closing; the ratios taken round by round; a row that fails part-way; a row that is skipped.
 */
class InterleavedRunTest {
    private static final BenchSettings THREE_SEGMENTS = new BenchSettings(0, Duration.ZERO, Duration.ofSeconds(1), 3,
        Duration.ofSeconds(1), BenchSettings.MESSAGE_LENGTH, 3);

    @TempDir
    Path out;

    private final List<String> log = new ArrayList<>();

    /** A row whose segment {@code i} is one round trip of {@code nanos[i]}; it fails at segment {@code failAt}. */
    private PingPongBench.Opener rows(final Map<String, long[]> nanos, final String failing, final int failAt) {
        return (row, settings, progress) -> {
            log.add("open " + row.name());
            if (!nanos.containsKey(row.name())) {
                throw new IllegalArgumentException("unknown option 'format' in 'mmap:x?format=agrona'");
            }
            return new Contender() {
                private int segment;

                @Override
                public void warmUp(final Progress lines) {
                    log.add("warm " + row.name());
                }

                @Override
                public Histogram segment(final Progress lines) {
                    log.add(row.name() + " " + segment);
                    if (row.name().equals(failing) && segment == failAt) {
                        throw new IllegalStateException("the echo process 42 exited with status 137");
                    }
                    final Histogram histogram = RowResult.newHistogram();
                    histogram.recordValue(nanos.get(row.name())[segment++]);
                    return histogram;
                }

                @Override
                public void close() {
                    log.add("close " + row.name());
                }
            };
        };
    }

    /**
     * Stream rows that log what they are asked; segment {@code i} of a row (counted from 0 across lengths) measures
     * {@code messagesPerSecond(row name, i)} messages in one second.
     */
    private StreamBench.Opener streamRows(final ToLongBiFunction<String, Integer> messagesPerSecond) {
        return (row, unused, progress) -> {
            log.add("open " + row.name());
            return new StreamContender() {
                private int segment;

                @Override
                public void warmUp(final int size) {
                    log.add("warm " + row.name() + " " + size);
                }

                @Override
                public Rate segment(final int size) {
                    log.add(row.name() + " " + size);
                    final long messages = messagesPerSecond.applyAsLong(row.name(), segment++);
                    return new Rate(messages, messages * size, 1_000_000_000);
                }

                @Override
                public void close() {
                    log.add("close " + row.name());
                }
            };
        };
    }

    @Test
    void shouldAlternateTheRowsOfAGroupSegmentBySegmentAndDivideRoundByRound() throws Exception {
        final BenchReport report = PingPongBench.run(THREE_SEGMENTS, List.of(Row.named("c/fifo"),
            Row.named("fifo/block")), out, null, rows(Map.of("fifo/block", new long[] {300, 330, 360}, "c/fifo",
            new long[] {100, 110, 100}), null, -1));

        assertEquals(List.of("open fifo/block", "warm fifo/block", "open c/fifo", "warm c/fifo",
            "fifo/block 0", "c/fifo 0", "fifo/block 1", "c/fifo 1", "fifo/block 2", "c/fifo 2",
            "close fifo/block", "close c/fifo"), log, "each row warms up once, then A B, A B, A B");
        final Comparison comparison = report.comparison("fifo/block", "c/fifo").orElseThrow();
        assertEquals(3.0, comparison.p50().median(), 1e-9, "ratios 3.0, 3.0 and 3.6, round by round");
        assertEquals("3.00-3.60", comparison.p50().spread());
        assertEquals(List.of(Comparison.HEADER, "fifo/block,c/fifo,3.00,3.00,3,3.00-3.60,stable"),
            Files.readAllLines(out.resolve(Comparison.CSV)));
        assertEquals(3, report.result("fifo/block").orElseThrow().histogram().getTotalCount(),
            "the pooled histogram holds every segment");
        assertEquals(List.of("c/fifo", "fifo/block"), report.results().stream().map(r -> r.row().name()).toList(),
            "reported in the order asked");
    }

    @Test
    void shouldRunEveryGroupTwiceInTwoPassesFromFourSegmentsOnAndFlagPassesThatDisagree() throws Exception {
        final BenchSettings four = new BenchSettings(0, Duration.ZERO, Duration.ofSeconds(1), 4, Duration.ofSeconds(1),
            BenchSettings.MESSAGE_LENGTH, 4);
        // pass 1 (segments 0-1 of each row's first opening) measures fifo/block at 3x c/fifo, pass 2 at 4x
        final Map<String, long[]> nanos = Map.of("fifo/block", new long[] {300, 300}, "c/fifo", new long[] {100, 100},
            "pipe/block", new long[] {200, 200}, "c/pipe", new long[] {100, 100});
        final List<String> opened = new ArrayList<>();
        final PingPongBench.Opener twoPasses = (row, settings, progress) -> {
            opened.add(row.name());
            final boolean second = opened.stream().filter(row.name()::equals).count() == 2;
            final long[] mine = nanos.get(row.name()).clone();
            if (second && row.name().equals("fifo/block")) {
                java.util.Arrays.fill(mine, 400);
            }
            return rows(Map.of(row.name(), mine), null, -1).open(row, settings, progress);
        };
        final BenchReport report = PingPongBench.run(four, List.of(Row.named("fifo/block"), Row.named("c/fifo"),
            Row.named("pipe/block"), Row.named("c/pipe")), out, null, twoPasses);

        assertEquals(List.of(
            "open fifo/block", "warm fifo/block", "open c/fifo", "warm c/fifo",
            "fifo/block 0", "c/fifo 0", "fifo/block 1", "c/fifo 1", "close fifo/block", "close c/fifo",
            "open pipe/block", "warm pipe/block", "open c/pipe", "warm c/pipe",
            "pipe/block 0", "c/pipe 0", "pipe/block 1", "c/pipe 1", "close pipe/block", "close c/pipe",
            "open fifo/block", "warm fifo/block", "open c/fifo", "warm c/fifo",
            "fifo/block 0", "c/fifo 0", "fifo/block 1", "c/fifo 1", "close fifo/block", "close c/fifo",
            "open pipe/block", "warm pipe/block", "open c/pipe", "warm c/pipe",
            "pipe/block 0", "c/pipe 0", "pipe/block 1", "c/pipe 1", "close pipe/block", "close c/pipe"), log,
            "every group runs its first two rounds, then every group (opened and warmed up anew) its last two");
        final Comparison fifo = report.comparison("fifo/block", "c/fifo").orElseThrow();
        assertEquals(4, fifo.p50().segments());
        assertFalse(fifo.p50().stable(), "the passes measured 3x and 4x");
        assertTrue(fifo.verdict().contains("its two passes (minutes apart) disagree: medians 3.00 and 4.00"),
            fifo.verdict());
        final Comparison pipe = report.comparison("pipe/block", "c/pipe").orElseThrow();
        assertTrue(pipe.p50().stable(), pipe.verdict());
        assertEquals(2.0, pipe.p50().median(), 1e-9);
        assertEquals(4, report.result("fifo/block").orElseThrow().histogram().getTotalCount(),
            "the pooled histogram holds the segments of both passes");
    }

    @Test
    void shouldCloseARowThatFailsPartWayAndGoOnWithTheOthers() throws Exception {
        final BenchReport report = PingPongBench.run(THREE_SEGMENTS, List.of(Row.named("fifo/block"),
            Row.named("c/fifo")), out, null, rows(Map.of("fifo/block", new long[] {300, 330, 360}, "c/fifo",
            new long[] {100, 110, 100}), "fifo/block", 1));

        assertEquals(List.of("open fifo/block", "warm fifo/block", "open c/fifo", "warm c/fifo",
            "fifo/block 0", "c/fifo 0", "fifo/block 1", "close fifo/block", "c/fifo 1", "c/fifo 2", "close c/fifo"),
            log, "the failed row is closed at once and left out of the rounds that follow");
        final RowResult failed = report.result("fifo/block").orElseThrow();
        assertFalse(failed.ok());
        assertEquals("the echo process 42 exited with status 137.", failed.failure());
        assertEquals(3, report.result("c/fifo").orElseThrow().histogram().getTotalCount());
        assertTrue(report.comparisons().isEmpty(), "no ratio with a row that has no figures");
        assertTrue(report.failed());
        assertEquals(List.of(Comparison.HEADER), Files.readAllLines(out.resolve(Comparison.CSV)));
    }

    @Test
    void shouldSkipARowWhoseUriIsRefusedWithoutFailingTheRun() throws Exception {
        final BenchReport report = PingPongBench.run(THREE_SEGMENTS, List.of(Row.named("mmap/agrona-spin"),
            Row.named("c/shm-spin")), out, null, rows(Map.of("c/shm-spin", new long[] {100, 100, 100}), null, -1));

        final RowResult skipped = report.result("mmap/agrona-spin").orElseThrow();
        assertTrue(skipped.skipped());
        assertEquals("its URI is refused by this build: unknown option 'format' in 'mmap:x?format=agrona'.",
            skipped.failure());
        assertFalse(report.failed(), "a skipped row is not a failure");
        assertEquals(List.of("open mmap/agrona-spin", "open c/shm-spin", "warm c/shm-spin", "c/shm-spin 0",
            "c/shm-spin 1", "c/shm-spin 2", "close c/shm-spin"), log);
        assertEquals("mmap/agrona-spin,ipckit,,,,,,0", Files.readAllLines(out.resolve(PingPongBench.CSV)).get(1));
    }

    @Test
    void shouldRunTheThroughputGroupsInTwoPassesFromFourSegmentsOn() throws Exception {
        final StreamSettings settings = new StreamSettings(Duration.ZERO, Duration.ZERO, Duration.ofMillis(1), 4,
            List.of(32));
        final List<StreamBench.Result> results = StreamBench.run(settings, List.of(StreamRow.named("fifo/block"),
            StreamRow.named("c/pipe")), out, null, streamRows((name, segment) -> name.equals("fifo/block") ? 200 : 100));

        final List<String> pass = List.of("open fifo/block", "warm fifo/block 32", "open c/pipe", "warm c/pipe 32",
            "fifo/block 32", "c/pipe 32", "fifo/block 32", "c/pipe 32", "close fifo/block", "close c/pipe");
        final List<String> both = new ArrayList<>(pass);
        both.addAll(pass);
        assertEquals(both, log, "two passes of two rounds, each opened and warmed up anew");
        assertEquals(List.of(StreamBench.HEADER, "fifo/block,32,200,0.0,4,c/pipe,2.00,2.00-2.00,stable,1,200",
            "c/pipe,32,100,0.0,4,,,,,1,100"), Files.readAllLines(out.resolve(StreamBench.CSV)));
        assertEquals(2, results.size());
    }

    @Test
    void shouldRunEachLengthInAlternatingSegmentsAfterOneWarmUp() throws Exception {
        final StreamSettings settings = new StreamSettings(Duration.ZERO, Duration.ZERO, Duration.ofMillis(1), 3,
            List.of(32, 4096));
        // fifo/block: 200, 220, 240 messages per second at 32 B; c/pipe 100 each segment
        final StreamBench.Opener opener = streamRows((name, segment) -> name.equals("fifo/block")
            ? 200 + 20L * (segment % 3) : 100);
        final List<StreamBench.Result> results = StreamBench.run(settings, List.of(StreamRow.named("fifo/block"),
            StreamRow.named("c/pipe")), out, null, opener);

        assertEquals(List.of("open fifo/block", "warm fifo/block 32", "open c/pipe", "warm c/pipe 32",
            "fifo/block 32", "c/pipe 32", "fifo/block 32", "c/pipe 32", "fifo/block 32", "c/pipe 32",
            "fifo/block 4096", "c/pipe 4096", "fifo/block 4096", "c/pipe 4096", "fifo/block 4096", "c/pipe 4096",
            "close fifo/block", "close c/pipe"), log, "one warm-up, then A B, A B, A B at each length");
        assertEquals(List.of(StreamBench.HEADER,
            "fifo/block,32,220,0.0,3,c/pipe,2.20,2.00-2.40,stable,1,220",
            "fifo/block,4096,220,0.9,3,c/pipe,2.20,2.00-2.40,stable,1,220",
            "c/pipe,32,100,0.0,3,,,,,1,100",
            "c/pipe,4096,100,0.4,3,,,,,1,100"), Files.readAllLines(out.resolve(StreamBench.CSV)));
        assertEquals(4, results.size());
    }

    @Test
    void shouldRunTheOneToManyRowsAt32BytesOnlyAndDivideTheirRatesPerSubscriber() throws Exception {
        final StreamSettings settings = new StreamSettings(Duration.ZERO, Duration.ZERO, Duration.ofMillis(1), 3,
            List.of(32, 4096));
        // all subscribers together: mmap/1to2 600 messages a second (300 each), aeron/ipc-2sub 400 (200)
        final StreamBench.Opener opener = streamRows((name, segment) -> name.equals("mmap/1to2") ? 600 : 400);
        final List<StreamBench.Result> results = StreamBench.run(settings, List.of(StreamRow.named("mmap/1to2"),
            StreamRow.named("aeron/ipc-2sub")), out, null, opener);

        assertEquals(List.of("open mmap/1to2", "warm mmap/1to2 32", "open aeron/ipc-2sub", "warm aeron/ipc-2sub 32",
            "mmap/1to2 32", "aeron/ipc-2sub 32", "mmap/1to2 32", "aeron/ipc-2sub 32", "mmap/1to2 32",
            "aeron/ipc-2sub 32", "close mmap/1to2", "close aeron/ipc-2sub"), log,
            "interleaved with their peer, at 32 B only");
        assertEquals(List.of(StreamBench.HEADER,
            "mmap/1to2,32,300,0.0,3,c/shm-spin,,,,2,600",
            "mmap/1to2,32,300,0.0,3,aeron/ipc-2sub,1.50,1.50-1.50,stable,2,600",
            "aeron/ipc-2sub,32,200,0.0,3,c/shm-spin,,,,2,400"), Files.readAllLines(out.resolve(StreamBench.CSV)),
            "per subscriber, the ratio per subscriber, and the total; c/shm-spin was not run");
        assertEquals(3, results.size());
    }

    @Test
    void shouldRunARowWrittenAsOneWholeMeasurementAfreshInEverySegment() throws Exception {
        final List<BenchSettings> runs = new ArrayList<>();
        final Contender contender = Contender.perSegment((settings, progress) -> {
            runs.add(settings);
            final Histogram histogram = RowResult.newHistogram();
            histogram.recordValue(1000);
            return histogram;
        }, THREE_SEGMENTS);
        contender.warmUp(new Progress(null));
        assertEquals(List.of(), runs, "nothing runs before the first segment");
        for (int i = 0; i < 3; i++) {
            assertEquals(1000, contender.segment(new Progress(null)).getValueAtPercentile(50));
        }
        contender.close();
        assertEquals(List.of(THREE_SEGMENTS.segment(), THREE_SEGMENTS.segment(), THREE_SEGMENTS.segment()), runs,
            "each segment is one run with one segment's settings");
    }
}
