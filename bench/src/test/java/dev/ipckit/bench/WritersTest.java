package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * latency.csv, latency.svg and the printed table, from histograms made here.
 */
class WritersTest {
    @TempDir
    Path tmp;

    /**
     * Round trips of 1..1000 ns times {@code scale}: p50 = 500 * scale, p99 = 990 * scale, max = 1000 * scale,
     * all exact while they stay below 2048 (three significant digits).
     */
    private static Histogram ramp(final long scale) {
        final Histogram histogram = RowResult.newHistogram();
        for (long v = 1; v <= 1000; v++) {
            histogram.recordValue(v * scale);
        }
        return histogram;
    }

    private static List<RowResult> results() {
        return List.of(
            RowResult.measured(Row.named("mmap/spin"), ramp(2), 1.0),
            RowResult.failed(Row.named("fifo/block"), "the echo process exited with status 1.", 1.0),
            RowResult.measured(Row.named("c/shm-spin"), ramp(1), 1.0),
            RowResult.measured(Row.named("aeron/ipc"), ramp(1000), 1.0));
    }

    @Test
    void shouldWriteTheCsvHeaderAndOneLinePerRowWithEmptyFiguresForAFailedRow() throws Exception {
        final Path file = tmp.resolve("latency.csv");
        LatencyCsv.write(file, results());
        final List<String> lines = Files.readAllLines(file);
        assertEquals(List.of(
            "name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples",
            "mmap/spin,ipckit,1000,1800,1980,1998,2000,1000",
            "fifo/block,ipckit,,,,,,0",
            "c/shm-spin,limit,500,900,990,999,1000,1000",
            "aeron/ipc,peer," + ramp(1000).getValueAtPercentile(50) + "," + ramp(1000).getValueAtPercentile(90) + ","
                + ramp(1000).getValueAtPercentile(99) + "," + ramp(1000).getValueAtPercentile(99.9) + ","
                + ramp(1000).getMaxValue() + ",1000"), lines);
    }

    @Test
    void shouldDrawOneLabelledLinePerMeasuredRowAsWellFormedSvg() throws Exception {
        final Path file = tmp.resolve("latency.svg");
        PercentilePlot.write(file, results(), "Round trips <test> & \"more\"", "sub");
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        final Document svg = factory.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", svg.getDocumentElement().getNamespaceURI());
        final double width = Double.parseDouble(svg.getDocumentElement().getAttribute("width"));
        final double height = Double.parseDouble(svg.getDocumentElement().getAttribute("height"));

        final List<String> lines = new ArrayList<>();
        final NodeList groups = svg.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            final Element group = (Element) groups.item(i);
            if (!group.getAttribute("class").equals("row")) {
                continue;
            }
            lines.add(group.getAttribute("data-row"));
            final Element polyline = (Element) group.getElementsByTagName("polyline").item(0);
            double lastX = -1;
            double lastY = Double.MAX_VALUE;
            for (final String point : polyline.getAttribute("points").split(" ")) {
                final double x = Double.parseDouble(point.split(",")[0]);
                final double y = Double.parseDouble(point.split(",")[1]);
                assertTrue(x >= 0 && x <= width && y >= 0 && y <= height, "inside the picture: " + point);
                assertTrue(x >= lastX, "percentiles rise left to right");
                assertTrue(y <= lastY + 0.05, "round trips rise (y falls) along a line: " + point);
                lastX = x;
                lastY = y;
            }
        }
        assertEquals(List.of("mmap/spin", "c/shm-spin", "aeron/ipc"), lines);

        final String text = Files.readString(file);
        assertTrue(text.contains("fifo/block (no figures)"), "a row without figures is named in the legend");
        assertTrue(text.contains("Round trips &lt;test&gt; &amp; &quot;more&quot;"));
        assertTrue(text.contains("stroke-dasharray=\"7 4\""), "the C limit is dashed");
    }

    @Test
    void shouldEscapeXml() {
        assertEquals("a&lt;b&gt;&amp;&quot;&apos;", PercentilePlot.xml("a<b>&\"'"));
    }

    @Test
    void shouldPrintEachIpckitRowsRatioToItsCLimitAndWhyARowHasNoFigures() {
        final BenchReport report = new BenchReport(results(), TestRuns.tiny(1000), tmp);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final List<String> lines = new String(bytes.toByteArray(), StandardCharsets.UTF_8).lines().toList();
        final String spin = lines.stream().filter(line -> line.startsWith("mmap/spin")).findFirst().orElseThrow();
        assertTrue(spin.endsWith("2.00x, 2.00x  c/shm-spin"), spin);
        assertTrue(spin.contains(" 1.00 ") && spin.contains(" 1.98 "), "p50 and p99 in microseconds: " + spin);
        assertTrue(lines.contains("fifo/block: the echo process exited with status 1."), String.join("\n", lines));
        assertEquals(2.0, report.ratio(report.result("mmap/spin").orElseThrow(), 50).orElseThrow(), 1e-9);
        assertTrue(report.ratio(report.result("aeron/ipc").orElseThrow(), 50).isPresent(),
            "a peer is set beside the C limit of its mechanism too");
        assertTrue(report.ratio(report.result("c/shm-spin").orElseThrow(), 50).isEmpty(), "a C limit has no limit");
        assertTrue(report.failed());
    }

    @Test
    void shouldSayWhenARowsLimitWasNotRun() {
        final BenchReport report = new BenchReport(List.of(RowResult.measured(Row.named("pipe/block"), ramp(1), 1)),
            TestRuns.tiny(2), tmp);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("(c/pipe was not run)"));
        assertFalse(report.failed());
    }

    @Test
    void shouldWriteHgrmFilesThatHdrHistogramReadsBack() throws Exception {
        final BenchReport report = new BenchReport(results(), TestRuns.tiny(1000), tmp);
        Files.writeString(tmp.resolve("fifo_block.hgrm"), "stale");
        PingPongBench.write(report);
        assertFalse(Files.exists(tmp.resolve("fifo_block.hgrm")), "a stale file of a row without figures is removed");
        final String hgrm = Files.readString(tmp.resolve("mmap_spin.hgrm"));
        assertTrue(hgrm.contains("#[Max     =     2000.000, Total count    =         1000]"), hgrm);
        assertTrue(new ByteArrayInputStream(Files.readAllBytes(tmp.resolve(PingPongBench.SVG))).available() > 0);
        assertTrue(Files.readAllLines(tmp.resolve(PingPongBench.CSV)).get(0).equals(LatencyCsv.HEADER));
        assertEquals(List.of(Comparison.HEADER), Files.readAllLines(tmp.resolve(Comparison.CSV)));
    }

    @Test
    void shouldPrintAndWriteThePerSegmentComparisonsBesideThePooledTable() throws Exception {
        final Comparison spin = new Comparison("mmap/spin", "c/shm-spin", new SegmentRatio(new double[] {1.9, 2.0,
            2.1}), new SegmentRatio(new double[] {2.0, 2.0, 2.0}));
        final Comparison wide = new Comparison("aeron/ipc", "c/shm-spin", new SegmentRatio(new double[] {1.0, 4.0,
            2.0}), new SegmentRatio(new double[] {2.0, 2.0, 2.0}));
        final BenchReport report = new BenchReport(results(), List.of(spin, wide), TestRuns.tiny(1000), tmp);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("mmap/spin / c/shm-spin         2.00x    (1.90-2.10)  2.00x     3"), text);
        assertTrue(text.contains("aeron/ipc / c/shm-spin         -        (1.00-4.00)  -         3   unstable: "),
            text);
        PingPongBench.write(report);
        assertEquals(List.of(Comparison.HEADER, "mmap/spin,c/shm-spin,2.00,2.00,3,1.90-2.10,stable",
            "aeron/ipc,c/shm-spin,,,3,1.00-4.00,unstable: the middle segments span 150 % of the median (the limit is "
                + "30 %)"), Files.readAllLines(tmp.resolve(Comparison.CSV)));
        assertEquals(report.comparison("mmap/spin", "c/shm-spin").orElseThrow(), spin);
    }
}
