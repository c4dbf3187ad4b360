package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The ping-pong harness end to end, with tiny counts: real echo processes, the C program, the files it writes.
 */
class PingPongBenchTest {
    private static final List<String> ROWS = List.of("mmap/futex", "fifo/block", "pipe/spin", "c/pipe", "agrona/raw",
        "aeron/ipc");

    @TempDir
    Path out;

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void shouldMeasureEveryKindOfRowAndWriteCsvHgrmAndSvg() throws Exception {
        final List<Row> rows = ROWS.stream().map(Row::named).toList();
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        final BenchReport report = PingPongBench.run(TestRuns.tiny(500), rows, out,
            new PrintStream(progress, true, StandardCharsets.UTF_8));

        for (final RowResult result : report.results()) {
            assertTrue(result.ok(), result.row().name() + " has no figures: " + result.failure());
            assertEquals(500, result.histogram().getTotalCount(), result.row().name());
            assertTrue(result.nanosAt(50) > 0, result.row().name());
        }
        assertFalse(report.failed());
        assertEquals(ROWS, report.results().stream().map(result -> result.row().name()).toList(),
            "results are reported in the order asked, whatever order they ran in");

        final List<String> csv = Files.readAllLines(out.resolve(PingPongBench.CSV));
        assertEquals("name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples", csv.get(0));
        assertEquals(ROWS.size() + 1, csv.size());
        for (final String name : ROWS) {
            final String[] fields = TestRuns.csvRow(csv, name);
            assertEquals(8, fields.length, String.join(",", fields));
            assertEquals(Row.named(name).kind().label(), fields[1]);
            long previous = 0;
            for (int i = 2; i <= 6; i++) {
                final long value = Long.parseLong(fields[i]);
                assertTrue(value >= previous, "percentiles rise along the line: " + String.join(",", fields));
                previous = value;
            }
            assertEquals("500", fields[7]);
            final Path hgrm = out.resolve(Row.named(name).hgrmFileName());
            assertTrue(Files.readString(hgrm).contains("#[Mean    ="), hgrm + " is a percentile distribution");
        }

        final Document svg = parse(out.resolve(PingPongBench.SVG));
        final List<String> plotted = new ArrayList<>();
        final NodeList groups = svg.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            final Element group = (Element) groups.item(i);
            if (group.getAttribute("class").equals("row")) {
                plotted.add(group.getAttribute("data-row"));
                assertEquals(1, group.getElementsByTagName("polyline").getLength());
                final String points = ((Element) group.getElementsByTagName("polyline").item(0)).getAttribute("points");
                assertTrue(points.split(" ").length >= 2, "a line has at least two points: " + points);
            }
        }
        assertEquals(ROWS, plotted, "one line per row");

        final String lines = progress.toString(StandardCharsets.UTF_8);
        for (final String name : ROWS) {
            assertTrue(lines.contains(name), "progress names " + name + ":\n" + lines);
        }
        assertEquals(List.of(), TestRuns.shmLeftovers(), "every ring and Aeron directory is removed");
        assertEquals(List.of(), TestRuns.liveChildren(), "every child process is reaped");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReportARowWhoseEchoProcessIsKilledAndGoOnWithTheNext() throws Exception {
        // 300,000 round trips take a second or more: the echo process is killed (kill -9) long before they end.
        final BenchSettings settings = new BenchSettings(0, Duration.ZERO, Duration.ofSeconds(10), 300_000,
            Duration.ofSeconds(30), BenchSettings.MESSAGE_LENGTH);
        final AtomicBoolean killed = new AtomicBoolean();
        final PrintStream progress = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(final String line) {
                if (line.contains("fifo/block") && line.contains("starting the echo process")) {
                    final Thread killer = new Thread(() -> killed.set(killEchoPeer()));
                    killer.setDaemon(true);
                    killer.start();
                }
            }
        };
        final BenchReport report = PingPongBench.run(settings, List.of(Row.named("fifo/block"), Row.named("c/pipe")),
            out, progress);
        assertTrue(killed.get(), "the echo process was found and killed");

        final RowResult failed = report.result("fifo/block").orElseThrow();
        assertFalse(failed.ok());
        assertNotNull(failed.failure());
        assertTrue(failed.failure().contains("the echo process") && failed.failure().contains("status 137"),
            "the sentence says how the echo process ended: " + failed.failure());
        assertTrue(failed.failure().endsWith(".") && !failed.failure().contains("\n"), failed.failure());
        assertTrue(report.result("c/pipe").orElseThrow().ok(), "the run goes on after a failed row");
        assertTrue(report.failed());

        final List<String> csv = Files.readAllLines(out.resolve(PingPongBench.CSV));
        assertEquals("fifo/block,ipckit,,,,,,0", csv.get(1));
        assertFalse(Files.exists(out.resolve("fifo_block.hgrm")));
        assertTrue(Files.exists(out.resolve("c_pipe.hgrm")));
        assertEquals(List.of(), TestRuns.liveChildren(), "every child process is reaped");
    }

    /** Waits up to 30 s for this JVM's EchoPeer child to appear, then kills it with SIGKILL. */
    private static boolean killEchoPeer() {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            final Optional<ProcessHandle> echo = ProcessHandle.current().children()
                .filter(child -> child.info().arguments()
                    .map(args -> List.of(args).contains(EchoPeer.class.getName())).orElse(false))
                .findFirst();
            if (echo.isPresent()) {
                return echo.get().destroyForcibly();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return false;
    }

    private static Document parse(final Path file) throws Exception {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }
}
